import { and, count, eq, isNull } from "drizzle-orm";
import { clusters, operations } from "@/db/schema";
import { LIMITS, type CreateClusterInput } from "@/server/contracts/cluster";
import { quotaProblems } from "@/server/domain/quota";
import { versionInfo } from "@/server/domain/versions";
import { quotaSnapshot, QUOTA_TRUSTED_MS } from "../cloud/quotas";
import { projectPrices, requireCatalog } from "../cloud/catalog";
import { createClusterPki } from "@/server/kube/store";
import { enqueueReconcile } from "@/db/jobs";
import { recordAudit } from "../audit/record";
import type { ProjectCall } from "../context";
import { ServiceError } from "../errors";
import { assertDeployable } from "./intent";
import { checkRequestedSpec } from "./spec-checks";
import { toView, type ClusterView } from "./view";

/** Store the desired cluster and ask the reconciler to build it. Never calls the cloud. */
export async function createCluster({
  ctx,
  project,
  input,
}: ProjectCall<CreateClusterInput>): Promise<ClusterView> {
  const catalog = await requireCatalog(ctx.db, project.id);
  const spec = checkRequestedSpec(input.spec, catalog);
  assertDeployable(spec);
  if (versionInfo(spec.version)?.endOfLifeReached) {
    throw new ServiceError(
      "VALIDATION",
      `Kubernetes ${spec.version} has reached end of life; new clusters use a supported version`,
      {
        fieldErrors: { version: [`Kubernetes ${spec.version} has reached end of life`] },
      },
    );
  }
  // Checked against the last quota reading when it is recent (the worker refreshes it; the cloud is never called here).
  const snapshot = await quotaSnapshot(ctx.db, project.id);
  if (snapshot && Date.now() - snapshot.fetchedAt.getTime() < QUOTA_TRUSTED_MS) {
    const problems = quotaProblems(spec, snapshot.data, catalog);
    if (problems.length > 0) {
      throw new ServiceError("LIMIT_EXCEEDED", problems.map((p) => p.message).join("; "), {
        fieldErrors: { _quota: problems.map((p) => p.message) },
      });
    }
  }
  return ctx.db.transaction(async (tx) => {
    const [live] = await tx
      .select({ n: count() })
      .from(clusters)
      .where(and(eq(clusters.projectId, project.id), isNull(clusters.deletedAt)));
    if ((live?.n ?? 0) >= LIMITS.clustersPerProject) {
      throw new ServiceError(
        "LIMIT_EXCEEDED",
        `A project can have at most ${LIMITS.clustersPerProject} clusters`,
      );
    }
    const [row] = await tx
      .insert(clusters)
      .values({ projectId: project.id, name: spec.name, spec, createdBy: ctx.actor.userId })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      const message = `A cluster named ${spec.name} already exists in this project`;
      throw new ServiceError("CONFLICT", message, { fieldErrors: { name: [message] } });
    }
    // The cluster's own CA, from the start (its key encrypted at rest).
    await createClusterPki(tx, row, ctx.encryptionKey);
    const [op] = await tx
      .insert(operations)
      .values({
        clusterId: row.id,
        projectId: project.id,
        kind: "create",
        generation: 1,
        actorUserId: ctx.actor.userId,
        actorEmail: ctx.actor.email,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "cluster.create",
      outcome: "success",
      projectId: project.id,
      targetType: "cluster",
      targetId: row.id,
      targetLabel: row.name,
      details: {
        version: spec.version,
        topology: spec.topology,
        masters: spec.masterCount,
        nodeGroups: spec.nodeGroups.length,
      },
    });
    await enqueueReconcile(tx, row.id);
    return toView(row, op ?? null, await projectPrices(tx, project.id));
  });
}
