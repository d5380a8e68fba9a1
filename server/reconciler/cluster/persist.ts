import { and, desc, eq, inArray } from "drizzle-orm";
import { phaseIfIntentStands } from "@/db/sql";
import type { Db } from "@/db/client";
import { clusterEvents, clusters, operations, type ClusterStatus } from "@/db/schema";
import type { ClusterEvent, ClusterRow, ClusterScope, OperationRow } from "./scope";
import type { PassOutcome } from "./status";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
type ClusterChange = Partial<typeof clusters.$inferInsert>;
type OperationChange = Partial<typeof operations.$inferInsert>;

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

/** The one write of a pass: the cluster row, its operation (if any) and the pass's events, together. */
async function write(
  tx: Tx,
  cluster: ClusterRow,
  change: ClusterChange,
  op: OperationRow | null,
  opChange: OperationChange | null,
  events: ClusterEvent[],
) {
  const { phase, ...rest } = change;
  // The phase only while the intent the pass worked from still stands: a stop, start, change or delete
  // the user made meanwhile has set its own phase ("Stopping"), and a pass that began before it must not
  // put back "Running" until the next pass (already queued by that change) looks again.
  const guarded =
    phase === undefined
      ? {}
      : {
          phase: phaseIfIntentStands(phase, {
            power: cluster.power,
            generation: cluster.generation,
            deletionRequested: cluster.deletionRequestedAt !== null,
          }),
        };
  await tx
    .update(clusters)
    .set({ ...rest, ...guarded })
    .where(eq(clusters.id, cluster.id));
  // Only while it is still the cluster's active operation: a pass that began before the user cancelled it
  // (or a newer change superseded it) must not bring it back as running or succeeded.
  if (op && opChange)
    await tx
      .update(operations)
      .set(opChange)
      .where(and(eq(operations.id, op.id), inArray(operations.status, ["pending", "running"])));
  if (events.length)
    await tx.insert(clusterEvents).values(
      events.map((e) => ({
        clusterId: cluster.id,
        type: e.type,
        reason: e.reason,
        objectKind: e.kind,
        objectName: e.name,
        message: e.message,
      })),
    );
}

const lastError = (
  failure: { step: string; message: string },
  op: OperationRow | null,
  now: Date,
  terminal: boolean,
): ClusterStatus["lastError"] => ({
  ...failure,
  at: now.toISOString(),
  attempts: (op?.attempts ?? 0) + 1,
  terminal,
});

/** One transaction: the cluster's phase, conditions and status, its operation's progress, the pass's events. */
export async function persistPass(scope: ClusterScope, o: PassOutcome): Promise<void> {
  const { cluster, operation: op, now } = scope;
  const total = o.progress.total;
  const done = Math.min(o.progress.done, total);
  const progress = { stepsDone: done, stepsTotal: total };
  const opChange: OperationChange | null = !op
    ? null
    : o.converged
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
            ...progress,
            currentStep: o.terminal.step,
            error: o.terminal.message,
            attempts: op.attempts + 1,
            finishedAt: now,
          }
        : {
            status: "running",
            ...progress,
            currentStep: o.currentStep,
            error: o.errors[0]?.message ?? null,
            attempts: o.errors.length ? op.attempts + 1 : op.attempts,
          };
  const change: ClusterChange = {
    phase: o.phase,
    conditions: o.conditions,
    status: o.status,
    updatedAt: now,
    ...(o.converged ? { observedGeneration: cluster.generation } : {}),
  };
  await scope.deps.db.transaction((tx) => write(tx, cluster, change, op, opChange, o.events));
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
  const status = {
    ...cluster.status,
    nodes: o.nodes,
    lastError: o.failure ? lastError(o.failure, op, now, false) : null,
  };
  const opChange: OperationChange | null = op && {
    status: "running",
    stepsTotal: o.progress.total,
    stepsDone: o.progress.done,
    currentStep: o.currentStep,
    attempts: o.failure ? op.attempts + 1 : op.attempts,
    error: o.failure?.message ?? null,
  };
  await scope.deps.db.transaction((tx) =>
    write(tx, cluster, { phase: "Deleting", status, updatedAt: now }, op, opChange, o.events),
  );
}

/** Nothing tagged remains: the cluster is gone (the row stays, marked deleted, for the audit trail). */
export async function persistDeleted(db: Db, cluster: ClusterRow, op: OperationRow | null, now: Date) {
  const change: ClusterChange = {
    phase: "Deleted",
    deletedAt: now,
    observedGeneration: cluster.generation,
    status: { ...cluster.status, nodes: [], lastError: null },
    updatedAt: now,
  };
  const opChange: OperationChange | null = op && {
    status: "succeeded",
    finishedAt: now,
    currentStep: null,
    stepsDone: op.stepsTotal,
  };
  const gone: ClusterEvent = {
    type: "Normal",
    reason: "Deleted",
    kind: "Cluster",
    name: cluster.name,
    message: "All cloud resources are gone",
  };
  await db.transaction((tx) => write(tx, cluster, change, op, opChange, [gone]));
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
    // The operation as it is now (attempts count up across passes).
    const [op] = opId ? await tx.select().from(operations).where(eq(operations.id, opId)) : [];
    const change: ClusterChange = {
      ...(terminal ? { phase: "Error" as const } : {}),
      status: { ...cluster.status, lastError: lastError({ step, message }, op ?? null, now, terminal) },
      updatedAt: now,
    };
    const opChange: OperationChange | null = op
      ? {
          attempts: op.attempts + 1,
          error: message,
          currentStep: step,
          ...(terminal ? { status: "failed" as const, finishedAt: now } : {}),
        }
      : null;
    const warning: ClusterEvent = {
      type: "Warning",
      reason: terminal ? "Failed" : "Retrying",
      kind: "Cluster",
      name: step,
      message,
    };
    await write(tx, cluster, change, op ?? null, opChange, [warning]);
  });
}
