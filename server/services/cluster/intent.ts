import { and, eq, inArray } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { clusters, operations, type OperationKind } from "@/db/schema";
import type { ClusterSpec } from "@/server/contracts/cluster";
import { enqueueReconcile } from "@/db/jobs";
import { undeployedIpv6 } from "@/server/domain/cidr";
import { recordAudit } from "../audit/record";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import { loadCluster, toView, type ClusterRow, type ClusterView } from "./view";
import { projectPrices } from "../cloud/catalog";
import { revalidate } from "./spec-checks";

/**
 * Writing intent: a spec change with its operation, audit row and reconcile
 * job in one transaction, refused on a stale generation.
 */

/** JSON with sorted keys: PostgreSQL's jsonb does not keep key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "undefined";
}

/** Fields fixed at creation; other issues' verbs (upgrade) change some of them on purpose. */
export function assertImmutable(before: ClusterSpec, after: ClusterSpec): void {
  const fixed: Array<[keyof ClusterSpec, string]> = [
    ["name", "The cluster name cannot be changed"],
    ["version", "Use Upgrade to change the Kubernetes version"],
    ["topology", "The topology cannot be changed after creation"],
    ["masterCount", "The number of masters cannot be changed after creation"],
    ["masterZone", "The masters' zone cannot be changed after creation"],
    ["masterFlavor", "The master flavor cannot be changed after creation"],
    ["etcd", "The etcd volumes cannot be changed after creation"],
    ["network", "The network cannot be changed after creation"],
    ["cni", "The pod network (CNI) cannot be changed after creation"],
    ["podCidr", "The pod CIDR cannot be changed after creation"],
    ["serviceCidr", "The service CIDR cannot be changed after creation"],
  ];
  const fieldErrors: Record<string, string[]> = {};
  for (const [k, message] of fixed)
    if (canonical(before[k]) !== canonical(after[k])) fieldErrors[k] = [message];
  const first = Object.values(fieldErrors)[0]?.[0];
  if (first) throw new ServiceError("VALIDATION", first, { fieldErrors });
}

/** A valid spec that this release cannot build yet (IPv6, dual-stack) is refused with field errors. */
export function assertDeployable(spec: ClusterSpec): void {
  const problems = undeployedIpv6(spec);
  if (problems.length === 0) return;
  const fieldErrors: Record<string, string[]> = {};
  for (const p of problems) (fieldErrors[p.path.join(".")] ??= []).push(p.message);
  throw new ServiceError("VALIDATION", problems[0]!.message, { fieldErrors });
}

/**
 * A new operation for a cluster; any unfinished one is superseded (the
 * reconciler works toward the newest intent only).
 */
export async function startOperation(
  tx: Executor,
  ctx: ServiceContext,
  a: {
    clusterId: string;
    projectId: string;
    kind: OperationKind;
    generation: number;
    now: Date;
    /** The spec before this operation's change, kept so the operation can be cancelled. */
    specBefore?: ClusterSpec | null;
  },
) {
  await tx
    .update(operations)
    .set({ status: "superseded", finishedAt: a.now })
    .where(
      and(
        eq(operations.clusterId, a.clusterId),
        inArray(operations.status, ["pending", "running", "failed"]),
      ),
    );
  const [op] = await tx
    .insert(operations)
    .values({
      clusterId: a.clusterId,
      projectId: a.projectId,
      kind: a.kind,
      generation: a.generation,
      specBefore: a.specBefore ?? null,
      actorUserId: ctx.actor.userId,
      actorEmail: ctx.actor.email,
    })
    .returning();
  return op ?? null;
}

/**
 * The tail of every verb that changes a cluster: apply `set` with the next
 * generation, start an operation (superseding the running one), audit, and
 * enqueue the reconciler — inside the caller's transaction.
 */
export async function commitChange(
  tx: Executor,
  ctx: ServiceContext,
  row: ClusterRow,
  a: {
    kind: OperationKind;
    action: string;
    set: Partial<Pick<ClusterRow, "spec" | "phase" | "power" | "status">>;
    details?: Record<string, string | number | boolean | null>;
  },
): Promise<ClusterView> {
  const generation = row.generation + 1;
  const now = new Date();
  await tx
    .update(clusters)
    .set({ ...a.set, generation, updatedAt: now })
    .where(eq(clusters.id, row.id));
  const op = await startOperation(tx, ctx, {
    clusterId: row.id,
    projectId: row.projectId,
    kind: a.kind,
    generation,
    now,
    specBefore: a.set.spec ? row.spec : null,
  });
  await recordAudit(tx, ctx, {
    action: a.action,
    outcome: "success",
    projectId: row.projectId,
    targetType: "cluster",
    targetId: row.id,
    targetLabel: row.name,
    details: { generation, ...a.details },
  });
  await enqueueReconcile(tx, row.id);
  return toView({ ...row, ...a.set, generation, updatedAt: now }, op, await projectPrices(tx, row.projectId));
}

/**
 * Store new intent: check the caller saw the current generation and that the
 * phase allows it, bump the generation, supersede the running operation,
 * record a new one, audit, and enqueue — one transaction.
 */
export async function writeIntent(args: {
  ctx: ServiceContext;
  project: ProjectAccess;
  clusterId: string;
  expectedGeneration: number;
  kind: "update" | "scale";
  action: string;
  change: (spec: ClusterSpec) => ClusterSpec;
  details?: Record<string, string | number | boolean | null>;
}): Promise<ClusterView> {
  const { ctx, project } = args;
  return ctx.db.transaction(async (tx) => {
    const row = await loadCluster(tx, project.id, args.clusterId, true);
    if (row.deletionRequestedAt)
      throw new ServiceError(
        "PRECONDITION_FAILED",
        `Cluster ${row.name} is being deleted; it can no longer be changed`,
      );
    if (
      row.phase === "Stopped" ||
      row.phase === "Stopping" ||
      row.phase === "Starting" ||
      row.phase === "Upgrading"
    ) {
      throw new ServiceError(
        "PRECONDITION_FAILED",
        `Cluster ${row.name} is ${row.phase.toLowerCase()}; wait until it is running`,
      );
    }
    if (row.generation !== args.expectedGeneration) {
      throw new ServiceError(
        "CONFLICT",
        `Cluster ${row.name} was changed meanwhile (now at revision ${row.generation}, you edited revision ${args.expectedGeneration}). Reload it and apply your change again.`,
      );
    }
    const next = args.change(row.spec);
    assertImmutable(row.spec, next);
    assertDeployable(next);
    return commitChange(tx, ctx, row, {
      kind: args.kind,
      action: args.action,
      set: { spec: next },
      details: args.details,
    });
  });
}

/** One change of the spec by an addon or policy verb, re-validated as a whole. */
export function changeSpec(
  a: { ctx: ServiceContext; project: ProjectAccess; input: { clusterId: string; generation: number } },
  action: string,
  details: Record<string, string | number | boolean | null>,
  fn: (spec: ClusterSpec) => ClusterSpec,
) {
  return writeIntent({
    ctx: a.ctx,
    project: a.project,
    clusterId: a.input.clusterId,
    expectedGeneration: a.input.generation,
    kind: "update",
    action,
    details,
    change: (spec) => revalidate(fn(spec)),
  });
}
