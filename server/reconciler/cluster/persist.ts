import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { clusterEvents, clusters, operations, type ClusterStatus } from "@/db/schema";
import type { ClusterEvent, ClusterRow, ClusterScope, OperationRow } from "./scope";
import type { PassOutcome } from "./status";

/** The operation a pass works for: the newest pending or running one of the cluster. */
export async function currentOperation(db: Db, clusterId: string): Promise<OperationRow | null> {
  const [op] = await db
    .select()
    .from(operations)
    .where(and(eq(operations.clusterId, clusterId), inArray(operations.status, ["pending", "running"])))
    .orderBy(desc(operations.startedAt))
    .limit(1);
  return op ?? null;
}

const rows = (clusterId: string, events: ClusterEvent[]) =>
  events.map((e) => ({
    clusterId,
    type: e.type,
    reason: e.reason,
    objectKind: e.kind,
    objectName: e.name,
    message: e.message,
  }));

/** One transaction: the cluster's phase, conditions and status, its operation's progress, the pass's events. */
export async function persistPass(scope: ClusterScope, o: PassOutcome): Promise<void> {
  const { cluster, operation: op, now } = scope;
  const total = o.progress.total;
  const done = Math.min(o.progress.done, total);
  await scope.deps.db.transaction(async (tx) => {
    await tx
      .update(clusters)
      .set({
        phase: o.phase,
        conditions: o.conditions,
        status: o.status,
        updatedAt: now,
        ...(o.converged ? { observedGeneration: cluster.generation } : {}),
      })
      .where(eq(clusters.id, cluster.id));
    if (op)
      await tx
        .update(operations)
        .set(
          o.converged
            ? {
                status: "succeeded",
                stepsDone: total,
                stepsTotal: total,
                currentStep: null,
                error: null,
                finishedAt: now,
              }
            : o.terminal
              ? {
                  status: "failed",
                  stepsDone: done,
                  stepsTotal: total,
                  currentStep: o.terminal.step,
                  error: o.terminal.message,
                  attempts: op.attempts + 1,
                  finishedAt: now,
                }
              : {
                  status: "running",
                  stepsDone: done,
                  stepsTotal: total,
                  currentStep: o.currentStep,
                  error: o.errors[0]?.message ?? null,
                  attempts: o.errors.length ? op.attempts + 1 : op.attempts,
                },
        )
        .where(eq(operations.id, op.id));
    if (o.events.length) await tx.insert(clusterEvents).values(rows(cluster.id, o.events));
  });
}

/** Teardown in progress: what remains, the first failure, the events of what went. */
export async function persistDeleting(
  scope: ClusterScope,
  o: {
    nodes: ClusterStatus["nodes"];
    failure: { step: string; message: string } | null;
    progress: { done: number; total: number };
    currentStep: string;
    events: ClusterEvent[];
  },
): Promise<void> {
  const { cluster, operation: op, now } = scope;
  await scope.deps.db.transaction(async (tx) => {
    await tx
      .update(clusters)
      .set({
        phase: "Deleting",
        status: {
          ...cluster.status,
          nodes: o.nodes,
          lastError: o.failure
            ? { ...o.failure, at: now.toISOString(), attempts: (op?.attempts ?? 0) + 1, terminal: false }
            : null,
        },
        updatedAt: now,
      })
      .where(eq(clusters.id, cluster.id));
    if (op)
      await tx
        .update(operations)
        .set({
          status: "running",
          stepsTotal: o.progress.total,
          stepsDone: o.progress.done,
          currentStep: o.currentStep,
          attempts: o.failure ? op.attempts + 1 : op.attempts,
          error: o.failure?.message ?? null,
        })
        .where(eq(operations.id, op.id));
    if (o.events.length) await tx.insert(clusterEvents).values(rows(cluster.id, o.events));
  });
}

/** Nothing tagged remains: the cluster is gone (the row stays, marked deleted, for the audit trail). */
export async function persistDeleted(db: Db, cluster: ClusterRow, op: OperationRow | null, now: Date) {
  await db.transaction(async (tx) => {
    await tx
      .update(clusters)
      .set({
        phase: "Deleted",
        deletedAt: now,
        observedGeneration: cluster.generation,
        status: { ...cluster.status, nodes: [], lastError: null },
        updatedAt: now,
      })
      .where(eq(clusters.id, cluster.id));
    if (op)
      await tx
        .update(operations)
        .set({ status: "succeeded", finishedAt: now, currentStep: null, stepsDone: op.stepsTotal })
        .where(eq(operations.id, op.id));
    await tx.insert(clusterEvents).values({
      clusterId: cluster.id,
      type: "Normal",
      reason: "Deleted",
      objectKind: "Cluster",
      objectName: cluster.name,
      message: "All cloud resources are gone",
    });
  });
}

/** A pass that could not look or plan: the error on the cluster and its operation, and a Warning event. */
export async function recordError(
  db: Db,
  cluster: ClusterRow,
  opId: string | null,
  failure: { step: string; message: string; terminal: boolean },
  now: Date,
) {
  const { step, message, terminal } = failure;
  await db.transaction(async (tx) => {
    const [op] = opId ? await tx.select().from(operations).where(eq(operations.id, opId)) : [];
    await tx
      .update(clusters)
      .set({
        ...(terminal ? { phase: "Error" as const } : {}),
        status: {
          ...cluster.status,
          lastError: { step, message, at: now.toISOString(), attempts: (op?.attempts ?? 0) + 1, terminal },
        },
        updatedAt: now,
      })
      .where(eq(clusters.id, cluster.id));
    if (op)
      await tx
        .update(operations)
        .set({
          attempts: op.attempts + 1,
          error: message,
          currentStep: step,
          ...(terminal ? { status: "failed" as const, finishedAt: now } : {}),
        })
        .where(eq(operations.id, op.id));
    await tx.insert(clusterEvents).values({
      clusterId: cluster.id,
      type: "Warning",
      reason: terminal ? "Failed" : "Retrying",
      objectKind: "Cluster",
      objectName: step,
      message,
    });
  });
}
