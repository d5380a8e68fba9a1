/**
 * The cluster autoscaler's decisions, as cluster-autoscaler makes them,
 * from what the reconciler read (nodes, pods, quota) and what it
 * remembers (when each node became unneeded). Pure: no I/O, times in ms
 * of cluster time.
 *
 * Scale up: pods the scheduler could not place, that upcoming nodes will
 * not take either, are packed onto new nodes of each autoscaling group
 * they fit (requests vs. a new node's allocatable, untainted groups only,
 * within max and the project's quota); the group that wastes the least
 * CPU + memory on its new nodes wins (the least-waste expander).
 *
 * Scale down: a node whose pods request less than the threshold (50%) of
 * its CPU and of its memory for the unneeded time (10 minutes), in a group
 * above its minimum, whose pods all fit on the other nodes, is removed,
 * one at a time, the least used first (the caller cordons and drains it).
 */
import type { AutoscalerMemory } from "@/server/contracts/cluster-status";

export type { AutoscalerMemory };

export interface Resources {
  cpuMilli: number;
  memoryMi: number;
}
export interface AsGroup {
  name: string;
  min: number;
  max: number;
  /** Requested share below which a node is unneeded (0.5). */
  threshold: number;
  unneededMs: number;
  /** NoSchedule/NoExecute taints: pods that tolerate nothing do not fit. */
  tainted: boolean;
  /** What a new node of this group offers pods. */
  newNode: Resources;
  /** What a new node takes from the project's quota. */
  cost: { cores: number; ramMb: number; gigabytes: number };
}
export interface AsNode {
  name: string;
  /** Node group (null: masters and nodes of no group). */
  group: string | null;
  ready: boolean;
  unschedulable: boolean;
  tainted: boolean;
  allocatable: Resources;
}
export interface AsPod {
  namespace: string;
  name: string;
  node: string | null;
  requests: Resources;
  unschedulable: boolean;
  ownerKind: string | null;
}
/** What is left of the project's quota (Infinity: unlimited). */
export interface AsQuota {
  instances: number;
  cores: number;
  ramMb: number;
  gigabytes: number;
}
export interface AsInput {
  groups: AsGroup[];
  nodes: AsNode[];
  pods: AsPod[];
  /** Servers each group has now (booting ones included). */
  sizes: Record<string, number>;
  quota: AsQuota | null;
  now: number;
  memory: AutoscalerMemory;
  /** A node being removed already: no other scale-down until it is gone. */
  removing: string | null;
}
export interface ScaleUp {
  group: string;
  from: number;
  to: number;
  pods: number;
  message: string;
}
export interface ScaleDown {
  node: string;
  group: string;
  message: string;
}
export interface AsDecision {
  scaleUp: ScaleUp | null;
  /** Why pending pods did not trigger a scale-up (only when it is time to say it again). */
  notTriggered: string | null;
  scaleDown: ScaleDown | null;
  memory: AutoscalerMemory;
  /** Pods waiting for a node (the pending-pods panel). */
  pending: number;
}

const NOT_TRIGGERED_REPEAT_MS = 5 * 60_000;
/** No scale-down this soon after a scale-up (cluster-autoscaler's scale-down-delay-after-add). */
const DELAY_AFTER_ADD_MS = 10 * 60_000;

const fits = (need: Resources, free: Resources) =>
  need.cpuMilli <= free.cpuMilli && need.memoryMi <= free.memoryMi;
const minus = (a: Resources, b: Resources): Resources => ({
  cpuMilli: a.cpuMilli - b.cpuMilli,
  memoryMi: a.memoryMi - b.memoryMi,
});
export const sumResources = (xs: Resources[]): Resources =>
  xs.reduce((s, x) => ({ cpuMilli: s.cpuMilli + x.cpuMilli, memoryMi: s.memoryMi + x.memoryMi }), {
    cpuMilli: 0,
    memoryMi: 0,
  });
const biggestFirst = (a: AsPod, b: AsPod) =>
  b.requests.cpuMilli - a.requests.cpuMilli || b.requests.memoryMi - a.requests.memoryMi;
const pct = (x: number) => `${Math.round(x * 100)}%`;
const cpu = (m: number) => `${(m / 1000).toFixed(m % 1000 === 0 ? 0 : 1)} CPU`;
const mem = (mi: number) => (mi >= 1024 ? `${(mi / 1024).toFixed(1)} GiB` : `${mi} MiB`);

/** First-fit decreasing onto `bins` (free capacity each, mutated); returns the pods that fit nowhere. */
function pack(pods: AsPod[], bins: Resources[]): AsPod[] {
  const left: AsPod[] = [];
  for (const p of [...pods].sort(biggestFirst)) {
    const b = bins.find((x) => fits(p.requests, x));
    if (!b) {
      left.push(p);
      continue;
    }
    b.cpuMilli -= p.requests.cpuMilli;
    b.memoryMi -= p.requests.memoryMi;
  }
  return left;
}

/** New nodes of `g` needed for `pods` (all of which fit one such node), at most `limit`. */
function packNew(pods: AsPod[], g: AsGroup, limit: number): { nodes: number; placed: AsPod[] } {
  const bins: Resources[] = [];
  const placed: AsPod[] = [];
  for (const p of [...pods].sort(biggestFirst)) {
    let b = bins.find((x) => fits(p.requests, x));
    if (!b) {
      if (bins.length >= limit) continue;
      b = { ...g.newNode };
      bins.push(b);
    }
    b.cpuMilli -= p.requests.cpuMilli;
    b.memoryMi -= p.requests.memoryMi;
    placed.push(p);
  }
  return { nodes: bins.length, placed };
}

/** Requested share of a node: the larger of CPU and memory (as cluster-autoscaler computes it). */
export function utilization(requested: Resources, allocatable: Resources): { cpu: number; memory: number } {
  return {
    cpu: allocatable.cpuMilli > 0 ? requested.cpuMilli / allocatable.cpuMilli : 1,
    memory: allocatable.memoryMi > 0 ? requested.memoryMi / allocatable.memoryMi : 1,
  };
}

export function requestedOn(pods: AsPod[]): Map<string, Resources> {
  const out = new Map<string, Resources>();
  for (const p of pods) {
    if (!p.node) continue;
    const u = out.get(p.node) ?? { cpuMilli: 0, memoryMi: 0 };
    out.set(p.node, {
      cpuMilli: u.cpuMilli + p.requests.cpuMilli,
      memoryMi: u.memoryMi + p.requests.memoryMi,
    });
  }
  return out;
}

export function decide(input: AsInput): AsDecision {
  const { groups, nodes, pods, now } = input;
  const memory: AutoscalerMemory = { ...input.memory, unneededSince: { ...input.memory.unneededSince } };
  const byName = new Map(groups.map((g) => [g.name, g]));
  const requested = requestedOn(pods);

  // ── scale up ──────────────────────────────────────────────────────────────
  let pending = pods.filter((p) => !p.node && p.unschedulable);
  const pendingCount = pending.length;
  // Nodes already on their way (booting, or not Ready yet) take pods first.
  let upcoming = 0;
  for (const g of groups) {
    const readyNodes = nodes.filter((n) => n.group === g.name && n.ready).length;
    const coming = Math.max(0, (input.sizes[g.name] ?? 0) - readyNodes);
    upcoming += coming;
    if (coming > 0 && !g.tainted)
      pending = pack(
        pending,
        Array.from({ length: coming }, () => ({ ...g.newNode })),
      );
  }
  let scaleUp: ScaleUp | null = null;
  let notTriggered: string | null = null;
  if (pending.length > 0) {
    const reasons: string[] = [];
    const options: Array<{ g: AsGroup; nodes: number; placed: AsPod[]; waste: number }> = [];
    for (const g of groups) {
      const size = input.sizes[g.name] ?? 0;
      if (g.tainted) {
        reasons.push(`${g.name}: its taints are not tolerated`);
        continue;
      }
      const fitting = pending.filter((p) => fits(p.requests, g.newNode));
      if (fitting.length === 0) {
        reasons.push(
          `${g.name}: the pods do not fit a new node (${cpu(g.newNode.cpuMilli)}, ${mem(g.newNode.memoryMi)} allocatable)`,
        );
        continue;
      }
      const needed = packNew(fitting, g, Number.POSITIVE_INFINITY).nodes;
      const room = g.max - size;
      if (room <= 0) {
        reasons.push(`${g.name}: max node group size reached (${size}/${g.max})`);
        continue;
      }
      let limit = Math.min(needed, room);
      if (input.quota) {
        const q = input.quota;
        const byQuota = Math.min(
          q.instances,
          g.cost.cores > 0 ? Math.floor(q.cores / g.cost.cores) : Number.POSITIVE_INFINITY,
          g.cost.ramMb > 0 ? Math.floor(q.ramMb / g.cost.ramMb) : Number.POSITIVE_INFINITY,
          g.cost.gigabytes > 0 ? Math.floor(q.gigabytes / g.cost.gigabytes) : Number.POSITIVE_INFINITY,
        );
        if (byQuota <= 0) {
          const short =
            q.instances < 1
              ? `instances (${Math.max(0, q.instances)} left)`
              : q.cores < g.cost.cores
                ? `cores (${g.cost.cores} needed, ${Math.max(0, q.cores)} left)`
                : q.ramMb < g.cost.ramMb
                  ? `RAM (${g.cost.ramMb} MB needed, ${Math.max(0, q.ramMb)} MB left)`
                  : `volume gigabytes (${g.cost.gigabytes} needed, ${Math.max(0, q.gigabytes)} left)`;
          reasons.push(`${g.name}: quota exceeded: ${short}`);
          continue;
        }
        limit = Math.min(limit, byQuota);
      }
      const { nodes: n, placed } = packNew(fitting, g, limit);
      const used = sumResources(placed.map((p) => p.requests));
      const waste =
        1 - used.cpuMilli / (n * g.newNode.cpuMilli) + (1 - used.memoryMi / (n * g.newNode.memoryMi));
      options.push({ g, nodes: n, placed, waste });
    }
    options.sort(
      (a, b) => a.waste - b.waste || b.placed.length - a.placed.length || a.g.name.localeCompare(b.g.name),
    );
    const best = options[0];
    if (best) {
      const from = input.sizes[best.g.name] ?? 0;
      const used = sumResources(best.placed.map((p) => p.requests));
      const capped =
        best.nodes <
        packNew(
          pending.filter((p) => fits(p.requests, best.g.newNode)),
          best.g,
          Number.POSITIVE_INFINITY,
        ).nodes;
      scaleUp = {
        group: best.g.name,
        from,
        to: from + best.nodes,
        pods: best.placed.length,
        message:
          `Scaling node group ${best.g.name} from ${from} to ${from + best.nodes}: ` +
          `${best.placed.length} pending pod${best.placed.length === 1 ? "" : "s"} requesting ${cpu(used.cpuMilli)} and ${mem(used.memoryMi)}` +
          (options.length > 1
            ? `; least waste among ${options.map((o) => `${o.g.name} ${pct(o.waste / 2)}`).join(", ")}`
            : "") +
          (capped ? ` (capped at the group's maximum or the quota)` : ""),
      };
      memory.lastScaleUpAt = new Date(now).toISOString();
    } else {
      const message =
        `${pending.length} pending pod${pending.length === 1 ? "" : "s"} did not trigger scale-up: ` +
        (reasons.length ? reasons.join("; ") : "no node group has autoscaling on");
      const last = memory.lastNotTriggered;
      if (!last || last.message !== message || now - Date.parse(last.at) >= NOT_TRIGGERED_REPEAT_MS) {
        notTriggered = message;
        memory.lastNotTriggered = { message, at: new Date(now).toISOString() };
      }
    }
  }

  // ── scale down ────────────────────────────────────────────────────────────
  for (const name of Object.keys(memory.unneededSince))
    if (!nodes.some((n) => n.name === name && n.group && byName.has(n.group)))
      delete memory.unneededSince[name];
  const candidates: Array<{ node: AsNode; g: AsGroup; util: { cpu: number; memory: number } }> = [];
  for (const n of nodes) {
    const g = n.group ? byName.get(n.group) : undefined;
    if (!g || !n.ready || n.name === input.removing) continue;
    const util = utilization(requested.get(n.name) ?? { cpuMilli: 0, memoryMi: 0 }, n.allocatable);
    if (Math.max(util.cpu, util.memory) >= g.threshold || n.unschedulable) {
      delete memory.unneededSince[n.name];
      continue;
    }
    const since = (memory.unneededSince[n.name] ??= new Date(now).toISOString());
    if (now - Date.parse(since) >= g.unneededMs) candidates.push({ node: n, g, util });
  }
  let scaleDown: ScaleDown | null = null;
  const recentlyAdded =
    memory.lastScaleUpAt !== undefined &&
    now - Date.parse(memory.lastScaleUpAt) < Math.min(DELAY_AFTER_ADD_MS, ...groups.map((g) => g.unneededMs));
  if (!scaleUp && !input.removing && upcoming === 0 && pendingCount === 0 && !recentlyAdded) {
    candidates.sort(
      (a, b) =>
        Math.max(a.util.cpu, a.util.memory) - Math.max(b.util.cpu, b.util.memory) ||
        b.node.name.localeCompare(a.node.name, undefined, { numeric: true }),
    );
    for (const c of candidates) {
      if ((input.sizes[c.g.name] ?? 0) <= c.g.min) continue;
      const mine = pods.filter((p) => p.node === c.node.name && p.ownerKind !== "DaemonSet");
      // A pod no controller would recreate is lost for good: not removable.
      if (mine.some((p) => p.ownerKind === null)) continue;
      const others = nodes
        .filter(
          (n) => n.name !== c.node.name && n.group !== null && n.ready && !n.unschedulable && !n.tainted,
        )
        .map((n) => minus(n.allocatable, requested.get(n.name) ?? { cpuMilli: 0, memoryMi: 0 }));
      if (pack(mine, others).length > 0) continue;
      const since = memory.unneededSince[c.node.name]!;
      const minutes = Math.round((now - Date.parse(since)) / 60_000);
      scaleDown = {
        node: c.node.name,
        group: c.g.name,
        message:
          `Removing ${c.node.name} from node group ${c.g.name}: requests use ${pct(c.util.cpu)} CPU and ${pct(c.util.memory)} memory, ` +
          `under ${pct(c.g.threshold)} for ${minutes} min; ` +
          (mine.length
            ? `its ${mine.length} pod${mine.length === 1 ? "" : "s"} fit on other nodes`
            : "it runs no pods"),
      };
      break;
    }
  }
  return { scaleUp, notTriggered, scaleDown, memory, pending: pendingCount };
}
