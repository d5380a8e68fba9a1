import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { clusters } from "@/db/schema";
import { enqueueReconcile } from "@/db/jobs";
import type { NodeActionInput, NodeRequest } from "@/server/contracts/node-actions";
import { recordAudit } from "../audit/record";
import type { ProjectCall } from "../context";
import { ServiceError } from "../errors";
import { loadCluster } from "./view";

/**
 * Cordon, uncordon, drain or replace one node: stored as the node's newest
 * request (a newer one replaces an unfinished older one, e.g. uncordon after
 * a drain), audited, and carried out by the reconciler, which reports in
 * status.nodeActions. Never calls the cluster or the cloud itself.
 */
export async function requestNodeAction({
  ctx,
  project,
  input,
}: ProjectCall<NodeActionInput>): Promise<{ id: string; node: string; action: NodeRequest["action"] }> {
  return ctx.db.transaction(async (tx) => {
    const row = await loadCluster(tx, project.id, input.clusterId, true);
    const n = row.name;
    if (row.deletionRequestedAt)
      throw new ServiceError("PRECONDITION_FAILED", `Cluster ${n} is being deleted`);
    const refusals: Partial<Record<typeof row.phase, string>> = {
      Provisioning: `Cluster ${n} is still being created; wait until it is running`,
      Stopped: `Cluster ${n} is stopped; start it first`,
      Stopping: `Cluster ${n} is stopping`,
      Starting: `Cluster ${n} is starting; wait until it is running`,
      Upgrading: `Cluster ${n} is upgrading; its nodes are being drained and replaced by the upgrade`,
    };
    const refusal = refusals[row.phase];
    if (refusal) throw new ServiceError("PRECONDITION_FAILED", refusal);
    const node = row.status.nodes.find((x) => x.name === input.node);
    if (!node)
      throw new ServiceError("NOT_FOUND", `Cluster ${n} has no node ${input.node}`, {
        fieldErrors: { node: [`No node ${input.node} in ${n}`] },
      });
    if (node.role === "master" && (input.action === "drain" || input.action === "replace"))
      throw new ServiceError(
        "PRECONDITION_FAILED",
        `${input.node} is a master: masters run no workload to drain, and are replaced only by an upgrade or CA rotation (etcd membership)`,
      );
    if (!row.spec.apiAccess.public || row.spec.apiAccess.allowedCidrs.length > 0)
      throw new ServiceError(
        "PRECONDITION_FAILED",
        `The console acts on nodes through the Kubernetes API at its public address; ${n}'s API is private or allowlisted. Use kubectl (cordon, drain) instead`,
      );
    const request: NodeRequest = {
      id: randomUUID(),
      action: input.action,
      requestedAt: new Date().toISOString(),
      by: { userId: ctx.actor.userId, email: ctx.actor.email },
    };
    await tx
      .update(clusters)
      .set({ nodeRequests: { ...row.nodeRequests, [input.node]: request }, updatedAt: new Date() })
      .where(eq(clusters.id, row.id));
    await recordAudit(tx, ctx, {
      action: `cluster.node.${input.action}`,
      outcome: "success",
      projectId: project.id,
      targetType: "cluster",
      targetId: row.id,
      targetLabel: row.name,
      details: { node: input.node, request: request.id },
    });
    await enqueueReconcile(tx, row.id);
    return { id: request.id, node: input.node, action: input.action };
  });
}
