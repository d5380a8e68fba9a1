import { and, desc, eq, getTableColumns, inArray, isNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { clusters, operations } from "@/db/schema";
import { jsonbWithout } from "@/db/sql";
import { StoredClusterSpec, type ClusterSpec, type Condition, type Phase } from "@/server/contracts/cluster";
import type { MadeByCluster } from "@/server/contracts/cluster-status";
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

/** A cluster priced as stopped (disks and addresses only): stopped, or asked to stop. */
const pricedStopped = (c: Pick<ClusterRow, "phase" | "power">) => c.phase === "Stopped" || c.power === "off";

/** A cluster as callers see it, priced with the project's cloud prices (`projectPrices`). */
export function toView(c: ClusterRow, op: OperationView | null, list: PriceList): ClusterView {
  const prices = pricesOf(c, list);
  const stopped = pricedStopped(c);
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
    progress: op ? progressOf(op, c.name) : null,
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

function progressOf(op: OperationView, name: string): NonNullable<ClusterView["progress"]> {
  return {
    operation: op.kind,
    operationId: op.id,
    done: op.stepsDone,
    total: op.stepsTotal,
    currentStep: op.currentStep,
    attempts: op.attempts,
    error: op.error,
    cancel: cancelOf(op, name),
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

/**
 * A clusters-list row: what the list shows, a few hundred bytes instead of the
 * whole spec and observed status (`cluster.get` has those).
 */
export interface ClusterSummary {
  id: string;
  name: string;
  phase: Phase;
  power: "on" | "off";
  generation: number;
  deletionRequestedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: string;
  topology: ClusterSpec["topology"];
  masterCount: number;
  /** Every zone the cluster's masters and node groups are in, sorted. */
  zones: string[];
  /** Ready worker nodes, and the workers the node groups ask for (autoscaling groups: their minimum). */
  workers: { ready: number; wanted: number };
  apiEndpoint: string | null;
  lastError: string | null;
  progress: ClusterView["progress"];
  cost: { perHour: number; perMonth: number; currency: string };
}

/** The columns a summary is made from (the status fields: columns PostgreSQL generates from it). */
export const summaryColumns = {
  id: clusters.id,
  name: clusters.name,
  phase: clusters.phase,
  power: clusters.power,
  generation: clusters.generation,
  deletionRequestedAt: clusters.deletionRequestedAt,
  createdAt: clusters.createdAt,
  updatedAt: clusters.updatedAt,
  // Without its policies (templates and constraints: most of a spec's bytes), parsed as ListedSpec.
  spec: jsonbWithout(clusters.spec, ["policies"]),
  apiEndpoint: clusters.listApiEndpoint,
  lastErrorMessage: clusters.listLastError,
  madeByCluster: clusters.listMadeByCluster,
  readyWorkers: clusters.listReadyWorkers,
};
export type SummaryRow = Pick<
  ClusterRow,
  "id" | "name" | "phase" | "power" | "generation" | "deletionRequestedAt" | "createdAt" | "updatedAt"
> & {
  /** The stored spec without its policies, unparsed (toSummary parses it). */
  spec: unknown;
  apiEndpoint: string | null;
  lastErrorMessage: string | null;
  madeByCluster: MadeByCluster | null;
  readyWorkers: number;
};

/** The stored spec as a list row reads it: its policies left in the database, old rows' defaults filled. */
const ListedSpec = StoredClusterSpec.omit({ policies: true });

export function toSummary(r: SummaryRow, op: OperationView | null, list: PriceList): ClusterSummary {
  const made = r.madeByCluster ?? undefined;
  const stopped = pricedStopped(r);
  const s = ListedSpec.parse(r.spec);
  const cost = estimateCost(s, list, { stopped, made });
  return {
    id: r.id,
    name: r.name,
    phase: r.phase,
    power: r.power,
    generation: r.generation,
    deletionRequestedAt: r.deletionRequestedAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    version: s.version,
    topology: s.topology,
    masterCount: s.masterCount,
    zones: [
      ...new Set(
        [
          s.masterZone,
          ...s.nodeGroups.map((g) => g.zone),
          ...(s.topology === "regional" ? (s.regionZones ?? []) : []),
        ].filter((z): z is string => Boolean(z)),
      ),
    ].sort(),
    workers: {
      ready: r.readyWorkers,
      wanted: s.nodeGroups.reduce(
        (n, g) => n + (g.scaling.mode === "fixed" ? g.scaling.size : g.scaling.min),
        0,
      ),
    },
    apiEndpoint: r.apiEndpoint,
    lastError: r.lastErrorMessage,
    progress: op ? progressOf(op, r.name) : null,
    cost: { perHour: cost.perHour, perMonth: cost.perMonth, currency: cost.currency },
  };
}
