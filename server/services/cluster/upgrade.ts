import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import type { ClusterRef, UpgradeClusterInput, UpgradeReadinessInput } from "@/server/contracts/cluster";
import { cloudQuotas } from "@/db/schema";
import {
  addonsBlockingUpgrade,
  readinessReport,
  type ReadinessReport,
} from "@/server/domain/upgrade-readiness";
import { transitionRefusal } from "@/server/domain/cluster-transitions";
import { isAllowedUpgrade, upgradeTargets, versionInfo, type UpgradeTarget } from "@/server/domain/versions";
import { catalogVersions } from "@/server/domain/cloud-catalog";
import { requireCatalog } from "../cloud/catalog";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import { commitChange } from "./intent";
import { loadCluster, type ClusterView } from "./view";

type Args<I = ClusterRef> = { ctx: ServiceContext; project: ProjectAccess; input: I };

async function quotaOf(exec: Executor, projectId: string) {
  const [q] = await exec.select().from(cloudQuotas).where(eq(cloudQuotas.projectId, projectId));
  return q?.data ?? null;
}

export interface UpgradeOptions {
  current: string;
  endOfLife: string | null;
  endOfLifeReached: boolean;
  targets: UpgradeTarget[];
}

export async function upgradeOptions(a: Args): Promise<UpgradeOptions> {
  const row = await loadCluster(a.ctx.db, a.project.id, a.input.clusterId);
  const v = versionInfo(row.spec.version);
  const images = new Set(catalogVersions(await requireCatalog(a.ctx.db, a.project.id)));
  return {
    current: row.spec.version,
    endOfLife: v?.endOfLife ?? null,
    endOfLifeReached: v?.endOfLifeReached ?? false,
    // Only versions the cloud has a node image for.
    targets: upgradeTargets(row.spec.version).filter((t) => images.has(t.version)),
  };
}

export async function upgradeReadiness(a: Args<UpgradeReadinessInput>): Promise<ReadinessReport> {
  const row = await loadCluster(a.ctx.db, a.project.id, a.input.clusterId);
  const report = readinessReport({
    spec: row.spec,
    target: a.input.target,
    workload: row.status.workload ?? null,
    quota: await quotaOf(a.ctx.db, a.project.id),
    flavors: (await requireCatalog(a.ctx.db, a.project.id)).flavors,
  });
  if (!report)
    throw new ServiceError(
      "VALIDATION",
      `${a.input.target} is not an allowed upgrade from ${row.spec.version} (one minor at a time; allowed: ${
        upgradeTargets(row.spec.version)
          .map((t) => t.version)
          .join(", ") || "none"
      })`,
      { fieldErrors: { target: ["Not an allowed upgrade target"] } },
    );
  return report;
}

/**
 * Upgrade to `target`: blocking findings of the readiness report must be
 * acknowledged by id. Masters first (one at a time), then node groups with
 * their strategy; see server/reconciler/cluster/phases/upgrade.ts.
 */
export async function upgradeCluster(
  a: Args<UpgradeClusterInput> & { by?: "user" | "maintenance" },
): Promise<ClusterView> {
  const { ctx, project } = a;
  return ctx.db.transaction(async (tx) => {
    const row = await loadCluster(tx, project.id, a.input.clusterId, true);
    const refusal = transitionRefusal(row, "upgrade");
    if (refusal) throw new ServiceError("PRECONDITION_FAILED", refusal);
    if (row.generation !== a.input.generation)
      throw new ServiceError(
        "CONFLICT",
        `Cluster ${row.name} was changed meanwhile (now at revision ${row.generation}); review the upgrade again`,
      );
    if (!row.spec.apiAccess.public)
      throw new ServiceError(
        "PRECONDITION_FAILED",
        `Upgrades drain nodes through the Kubernetes API, which the console reaches at its public address; ${row.name}'s API is private. Make it public (with an allowlist) first.`,
      );
    if (!isAllowedUpgrade(row.spec.version, a.input.target))
      throw new ServiceError(
        "VALIDATION",
        `${a.input.target} is not an allowed upgrade from ${row.spec.version} (one minor at a time)`,
        { fieldErrors: { target: ["Not an allowed upgrade target"] } },
      );
    const catalog = await requireCatalog(tx, project.id);
    if (!catalogVersions(catalog).includes(a.input.target)) {
      const message = `This cloud has no node image for Kubernetes ${a.input.target}; it has images for ${catalogVersions(catalog).join(", ") || "no version"}`;
      throw new ServiceError("VALIDATION", message, { fieldErrors: { target: [message] } });
    }
    const stale = addonsBlockingUpgrade(row.spec, a.input.target);
    if (stale.length)
      throw new ServiceError(
        "PRECONDITION_FAILED",
        `Upgrade these addons first (Addons tab): ${stale
          .map((b) => `${b.name} ${b.version} → ${b.fix ?? "no compatible version"}`)
          .join("; ")}`,
      );
    const report = readinessReport({
      spec: row.spec,
      target: a.input.target,
      workload: row.status.workload ?? null,
      quota: await quotaOf(tx, project.id),
      flavors: catalog.flavors,
    })!;
    const unacknowledged = report.findings.filter(
      (f) => f.severity === "blocking" && !a.input.acknowledged.includes(f.id),
    );
    if (unacknowledged.length)
      throw new ServiceError(
        "PRECONDITION_FAILED",
        `Acknowledge the blocking findings first: ${unacknowledged.map((f) => f.title).join("; ")}`,
      );
    const forceDrain = report.findings.some(
      (f) => f.id.startsWith("pdb:") && a.input.acknowledged.includes(f.id),
    );
    return commitChange(tx, ctx, row, {
      kind: "upgrade",
      action: "cluster.upgrade",
      set: {
        spec: { ...row.spec, version: a.input.target },
        phase: "Upgrading",
        status: {
          ...row.status,
          upgrade: {
            from: row.spec.version,
            to: a.input.target,
            nodes: {},
            sizes: {},
            forceDrain,
            failed: null,
          },
        },
      },
      details: {
        from: row.spec.version,
        to: a.input.target,
        acknowledged: a.input.acknowledged.join(",") || null,
        forceDrain,
        by: a.by ?? "user",
      },
    });
  });
}
