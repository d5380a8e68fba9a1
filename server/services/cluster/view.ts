import { and, desc, eq, getTableColumns, inArray, isNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { clusters, operations } from "@/db/schema";
import type { ClusterSpec, Condition, Phase } from "@/server/contracts/cluster";
import type { MaintenanceWindow, StopSchedule } from "@/server/contracts/schedule";
import { estimateCost, type CostLine, type PriceList } from "@/server/domain/cost";
import {
  nextPowerEvent,
  nextWindow,
  offHoursPerWeek,
  pendingMaintenance,
  projectedSaving,
  type PendingMaintenance,
} from "@/server/domain/schedule";
import { cancelMeaning, cancelRefusal } from "@/server/domain/cluster-transitions";
import { ServiceError } from "../errors";

/** An operation as callers read it: without the spec kept for cancelling it. */
const { specBefore: _kept, ...operationColumns } = getTableColumns(operations);
export { operationColumns };
export type OperationView = Omit<typeof operations.$inferSelect, "specBefore">;

/** A cluster as the services read and show it: the row, its view, its operations. */
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
    operationId: string;
    done: number;
    total: number;
    currentStep: string | null;
    attempts: number;
    error: string | null;
    /** Whether cancelling is possible and what it does, or why not. */
    cancel: { possible: true; means: string } | { possible: false; why: string };
  } | null;
  /** From the price list; a stopped cluster costs its disks and addresses only. */
  cost: { perHour: number; perMonth: number; currency: string; lines: CostLine[]; unpriced: string[] };
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

/** A cluster as callers see it, priced with the project's cloud prices (`projectPrices`). */
export function toView(c: ClusterRow, op: OperationView | null, list: PriceList): ClusterView {
  const prices = pricesOf(c, list);
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
          operationId: op.id,
          done: op.stepsDone,
          total: op.stepsTotal,
          currentStep: op.currentStep,
          attempts: op.attempts,
          error: op.error,
          cancel: cancelOf(op, c.name),
        }
      : null,
    cost: {
      perHour: cost.perHour,
      perMonth: cost.perMonth,
      currency: cost.currency,
      lines: cost.lines,
      unpriced: cost.unpriced,
    },
    power: c.power,
    stopSaving: stopSavingOf(prices),
    schedules: schedulesOf(c, stopSavingOf(prices).perMonth),
  };
}

function cancelOf(op: OperationView, name: string): NonNullable<ClusterView["progress"]>["cancel"] {
  const means = cancelMeaning(op.kind);
  return means
    ? { possible: true, means }
    : { possible: false, why: cancelRefusal(op.kind, name) ?? "This operation cannot be cancelled" };
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
function pricesOf(c: Pick<ClusterRow, "spec" | "status">, list: PriceList) {
  // What the cluster made for itself (Service load balancers, claim volumes) costs the same running or stopped.
  const made = c.status.madeByCluster;
  return {
    on: estimateCost(c.spec, list, { stopped: false, made }),
    off: estimateCost(c.spec, list, { stopped: true, made }),
  };
}

/** What stopping saves per month, and what a stopped cluster still costs. */
export function stopSavingOf(
  p: ReturnType<typeof pricesOf> | { row: Pick<ClusterRow, "spec" | "status">; list: PriceList },
): ClusterView["stopSaving"] {
  const { on, off } = "on" in p ? p : pricesOf(p.row, p.list);
  return {
    perMonth: Math.round((on.perMonth - off.perMonth) * 100) / 100,
    stoppedPerMonth: off.perMonth,
    currency: on.currency,
  };
}

export async function activeOperations(exec: Executor, clusterIds: string[]) {
  if (clusterIds.length === 0) return new Map<string, OperationView>();
  const rows = await exec
    .select(operationColumns)
    .from(operations)
    .where(
      and(
        inArray(operations.clusterId, clusterIds),
        inArray(operations.status, ["pending", "running", "failed"]),
      ),
    )
    .orderBy(desc(operations.startedAt));
  const m = new Map<string, OperationView>();
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
