import { and, eq } from "drizzle-orm";
import { operations } from "@/db/schema";
import { cancelRefusal } from "@/server/domain/cluster-transitions";
import type { CancelOperationInput } from "@/server/contracts/cluster";
import type { ProjectCall } from "../context";
import { ServiceError } from "../errors";
import { commitChange } from "./intent";
import { loadCluster, type ClusterView } from "./view";

/**
 * Cancelling an operation writes new intent, never a half-undone cloud: the
 * reconciler is level-triggered and converges to whatever the intent says
 * (what that means for each kind: `cancelMeaning`, `cancelRefusal`).
 */

const FINISHED: Record<string, string> = {
  succeeded: "already finished",
  superseded: "was already replaced by a newer change",
  cancelled: "was already cancelled",
};

/** Cancel the cluster's pending, running or failed operation (audited as cluster.operation.cancel). */
export async function cancelOperation({
  ctx,
  project,
  input,
}: ProjectCall<CancelOperationInput>): Promise<ClusterView> {
  return ctx.db.transaction(async (tx) => {
    const row = await loadCluster(tx, project.id, input.clusterId, true);
    const [op] = await tx
      .select()
      .from(operations)
      .where(and(eq(operations.id, input.operationId), eq(operations.clusterId, row.id)));
    if (!op) throw new ServiceError("NOT_FOUND", `Cluster ${row.name} has no such operation`);
    const finished = FINISHED[op.status];
    if (finished)
      throw new ServiceError(
        "PRECONDITION_FAILED",
        `This ${op.kind} of ${row.name} ${finished}; there is nothing to cancel`,
      );
    const refusal = cancelRefusal(op.kind, row.name);
    if (refusal) throw new ServiceError("PRECONDITION_FAILED", refusal);
    if (row.deletionRequestedAt)
      throw new ServiceError("PRECONDITION_FAILED", `Cluster ${row.name} is being deleted`);
    if (op.generation !== row.generation)
      throw new ServiceError(
        "CONFLICT",
        `Cluster ${row.name} was changed after this operation began; cancel the newest operation instead`,
      );

    const details = { cancelled: op.id, kind: op.kind };
    let view: ClusterView;
    if (op.kind === "stop" || op.kind === "start") {
      const on = op.kind === "stop";
      view = await commitChange(tx, ctx, row, {
        kind: on ? "start" : "stop",
        action: "cluster.operation.cancel",
        set: { power: on ? "on" : "off", phase: on ? "Starting" : "Stopping" },
        details,
      });
    } else {
      if (!op.specBefore)
        throw new ServiceError(
          "PRECONDITION_FAILED",
          `This ${op.kind} of ${row.name} was made before changes could be cancelled; edit the cluster back instead`,
        );
      view = await commitChange(tx, ctx, row, {
        kind: op.kind,
        action: "cluster.operation.cancel",
        set: { spec: op.specBefore, phase: "Updating" },
        details,
      });
    }
    // commitChange marked it superseded; it was cancelled.
    await tx.update(operations).set({ status: "cancelled" }).where(eq(operations.id, op.id));
    return view;
  });
}
