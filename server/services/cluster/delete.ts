import { and, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { clusters, operations } from "@/db/schema";
import { enqueueReconcile } from "@/db/jobs";
import type { ClusterRef, DeleteClusterInput } from "@/server/contracts/cluster";
import { recordAudit } from "../audit/record";
import type { ServiceContext, ProjectCall } from "../context";
import { ServiceError } from "../errors";
import { startOperation } from "./intent";
import { loadCluster, toView } from "./view";
import { markCatalogStale, projectPrices } from "../cloud/catalog";

/**
 * Request deletion: the reconciler tears down in reverse order and removes
 * the row only once nothing tagged with the cluster remains. The user types
 * the name to confirm.
 */
export async function deleteCluster({ ctx, project, input }: ProjectCall<DeleteClusterInput>) {
  return ctx.db.transaction(async (tx) => {
    const row = await loadCluster(tx, project.id, input.clusterId, true);
    if (input.confirmName !== row.name) {
      throw new ServiceError("VALIDATION", `Type the cluster name (${row.name}) to confirm`, {
        fieldErrors: { confirmName: [`Type ${row.name} to confirm`] },
      });
    }
    const prices = await projectPrices(tx, project.id);
    if (row.deletionRequestedAt) return toView(row, null, prices);
    const now = new Date();
    await tx
      .update(clusters)
      .set({ deletionRequestedAt: now, keepVolumes: input.keepVolumes, phase: "Deleting", updatedAt: now })
      .where(eq(clusters.id, row.id));
    const op = await startOperation(tx, ctx, {
      clusterId: row.id,
      projectId: project.id,
      kind: "delete",
      generation: row.generation,
      now,
    });
    await auditAndReconcile(tx, ctx, "cluster.delete", row, { keepVolumes: input.keepVolumes });
    return toView(
      { ...row, deletionRequestedAt: now, keepVolumes: input.keepVolumes, phase: "Deleting" },
      op,
      prices,
    );
  });
}

/** Retry a cluster whose last operation failed on a terminal error (quota, bad request): enqueue another pass. */
export async function retryCluster({ ctx, project, input }: ProjectCall<ClusterRef>) {
  return ctx.db.transaction(async (tx) => {
    const row = await loadCluster(tx, project.id, input.clusterId, true);
    const [failed] = await tx
      .select()
      .from(operations)
      .where(and(eq(operations.clusterId, row.id), eq(operations.status, "failed")));
    if (!failed)
      throw new ServiceError("PRECONDITION_FAILED", `Cluster ${row.name} has no failed operation to retry`);
    await tx
      .update(operations)
      .set({ status: "running", finishedAt: null, error: null })
      .where(eq(operations.id, failed.id));
    const upgrade = row.status.upgrade;
    const unregistered = row.status.unregistered ?? {};
    await tx
      .update(clusters)
      .set({
        phase: upgrade?.failed ? "Upgrading" : row.observedGeneration > 0 ? "Updating" : "Provisioning",
        // A failed upgrade node is repaired (rebuilt or replaced) on the next pass; so is a node that never registered.
        status: {
          ...row.status,
          ...(upgrade?.failed
            ? { upgrade: { ...upgrade, failed: { ...upgrade.failed, retried: true } } }
            : {}),
          // A start that gave up on a master waits for it again, a full deadline: the nodes stay listed
          // (so the start goes on) with no time yet; the start counts from its next look.
          startWait: Object.fromEntries(Object.keys(row.status.startWait ?? {}).map((n) => [n, ""])),
          // Likewise a stop that gave up on a server: the stop is sent again and waited for, a full deadline.
          stopWait: Object.fromEntries(Object.keys(row.status.stopWait ?? {}).map((n) => [n, ""])),
          unregistered: Object.fromEntries(
            Object.entries(unregistered).map(([name, e]) => [name, { ...e, retried: true }]),
          ),
        },
        updatedAt: new Date(),
      })
      .where(eq(clusters.id, row.id));
    // The operator may have fixed the cloud (an image, a flavor): the next pass reads its catalog again.
    await markCatalogStale(tx, project.id);
    await auditAndReconcile(tx, ctx, "cluster.retry", row);
    return { id: row.id };
  });
}

/** The audit row of a change to the cluster, and a reconcile pass for it, in the caller's transaction. */
async function auditAndReconcile(
  tx: Executor,
  ctx: ServiceContext,
  action: "cluster.delete" | "cluster.retry",
  row: { id: string; name: string; projectId: string },
  details?: Record<string, boolean>,
) {
  await recordAudit(tx, ctx, {
    action,
    ...(details ? { details } : {}),
    outcome: "success",
    projectId: row.projectId,
    targetType: "cluster",
    targetId: row.id,
    targetLabel: row.name,
  });
  await enqueueReconcile(tx, row.id);
}
