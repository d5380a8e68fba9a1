import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { clusters, operations, type OperationKind } from "@/db/schema";
import type { ClusterSpec, Condition, Phase } from "@/server/contracts/cluster";
import type { MaintenanceWindow, StopSchedule } from "@/server/contracts/schedule";
import { estimateCost, PRICES } from "@/server/domain/cost";
import {
  nextPowerEvent,
  nextWindow,
  offHoursPerWeek,
  pendingMaintenance,
  projectedSaving,
  type PendingMaintenance,
} from "@/server/domain/schedule";
import { enqueueReconcile } from "@/db/jobs";
import { recordAudit } from "../audit/record";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";

export type ClusterRow = typeof clusters.$inferSelect;

export interface ClusterView {
  id: string;
  name: string;
  spec: ClusterSpec;
  generation: number;
  observedGeneration: number;
  phase: Phase;
  conditions: Condition[];
  status: ClusterRow["status"];
  deletionRequestedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  progress: {
    operation: string;
    done: number;
    total: number;
    currentStep: string | null;
    attempts: number;
    error: string | null;
  } | null;
  /** From the price list; a stopped cluster costs its disks and addresses only. */
  cost: { perHour: number; perMonth: number; currency: string };
  /** Power intent, and what stopping saves per month. */
  power: "on" | "off";
  stopSaving: { perMonth: number; stoppedPerMonth: number; currency: string };
  schedules: {
    stop:
      | (StopSchedule & {
          setByEmail: string;
          offHoursPerWeek: number;
          projectedSavingPerMonth: number;
          next: { at: Date; action: "stop" | "start" } | null;
        })
      | null;
    maintenance:
      | (MaintenanceWindow & {
          setByEmail: string;
          next: { start: Date; end: Date };
          pending: PendingMaintenance | null;
        })
      | null;
  };
}

export function toView(c: ClusterRow, op: typeof operations.$inferSelect | null): ClusterView {
  const prices = pricesOf(c);
  const stopped = c.phase === "Stopped" || c.power === "off";
  const cost = stopped ? prices.off : prices.on;
  return {
    id: c.id,
    name: c.name,
    spec: c.spec,
    generation: c.generation,
    observedGeneration: c.observedGeneration,
    phase: c.phase,
    conditions: c.conditions,
    status: c.status,
    deletionRequestedAt: c.deletionRequestedAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    progress: op
      ? {
          operation: op.kind,
          done: op.stepsDone,
          total: op.stepsTotal,
          currentStep: op.currentStep,
          attempts: op.attempts,
          error: op.error,
        }
      : null,
    cost: { perHour: cost.perHour, perMonth: cost.perMonth, currency: cost.currency },
    power: c.power,
    stopSaving: stopSavingOf(prices),
    schedules: schedulesOf(c, stopSavingOf(prices).perMonth),
  };
}

function schedulesOf(c: ClusterRow, saving: number, now = new Date()): ClusterView["schedules"] {
  const s = c.schedules;
  const strip = <T extends { setBy: { email: string } }>(x: T) => {
    const { setBy, ...rest } = x;
    return { ...rest, setByEmail: setBy.email };
  };
  return {
    stop: s.stop
      ? {
          ...strip(s.stop),
          offHoursPerWeek: offHoursPerWeek(s.stop),
          projectedSavingPerMonth: projectedSaving(s.stop, saving),
          next: s.stop.enabled ? nextPowerEvent(s.stop, now) : null,
        }
      : null,
    maintenance: s.maintenance
      ? {
          ...strip(s.maintenance),
          next: nextWindow(s.maintenance, now),
          pending: pendingMaintenance(c.spec.version, now),
        }
      : null,
  };
}

/** The cluster's cost running and stopped (disks and addresses only), from the price list. */
function pricesOf(c: Pick<ClusterRow, "spec">) {
  return {
    on: estimateCost(c.spec, PRICES, { stopped: false }),
    off: estimateCost(c.spec, PRICES, { stopped: true }),
  };
}

/** What stopping saves per month, and what a stopped cluster still costs. */
export function stopSavingOf(
  p: ReturnType<typeof pricesOf> | Pick<ClusterRow, "spec">,
): ClusterView["stopSaving"] {
  const { on, off } = "on" in p ? p : pricesOf(p);
  return {
    perMonth: Math.round((on.perMonth - off.perMonth) * 100) / 100,
    stoppedPerMonth: off.perMonth,
    currency: on.currency,
  };
}

export async function activeOperations(exec: Executor, clusterIds: string[]) {
  if (clusterIds.length === 0) return new Map<string, typeof operations.$inferSelect>();
  const rows = await exec
    .select()
    .from(operations)
    .where(
      and(
        inArray(operations.clusterId, clusterIds),
        inArray(operations.status, ["pending", "running", "failed"]),
      ),
    )
    .orderBy(desc(operations.startedAt));
  const m = new Map<string, typeof operations.$inferSelect>();
  for (const r of rows) if (!m.has(r.clusterId)) m.set(r.clusterId, r);
  return m;
}

/** A live cluster of this project, or NOT_FOUND (also for other projects' clusters). */
export async function loadCluster(
  exec: Executor,
  projectId: string,
  clusterId: string,
  lock = false,
): Promise<ClusterRow> {
  const q = exec
    .select()
    .from(clusters)
    .where(and(eq(clusters.id, clusterId), eq(clusters.projectId, projectId), isNull(clusters.deletedAt)));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw new ServiceError("NOT_FOUND", "Cluster not found");
  return row;
}

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
    ["podCidr", "The pod CIDR cannot be changed after creation"],
    ["serviceCidr", "The service CIDR cannot be changed after creation"],
  ];
  const fieldErrors: Record<string, string[]> = {};
  for (const [k, message] of fixed)
    if (canonical(before[k]) !== canonical(after[k])) fieldErrors[k] = [message];
  const first = Object.values(fieldErrors)[0]?.[0];
  if (first) throw new ServiceError("VALIDATION", first, { fieldErrors });
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
  return toView({ ...row, ...a.set, generation, updatedAt: now }, op);
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
    return commitChange(tx, ctx, row, {
      kind: args.kind,
      action: args.action,
      set: { spec: next },
      details: args.details,
    });
  });
}
