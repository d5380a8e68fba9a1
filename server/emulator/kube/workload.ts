import type { LoadProfileInput } from "@/server/contracts/workload";
import type { Engine } from "../engine";
import type { NodeView } from "./model";
import type { Deployment, KubeClusterState, KubeEvent, LoadProfile, Pod } from "./types";

/**
 * The customer's load on an emulated cluster and what it does to the
 * workload: a load profile gives a load factor over time; elastic
 * deployments follow it like a HorizontalPodAutoscaler (replicas ∝ load);
 * the scheduler places pods by their CPU/memory requests against each
 * node's allocatable capacity (pods that fit nowhere stay Pending); nodes
 * report what their pods use, as metrics-server would.
 */

export const DEFAULT_LOAD: LoadProfileInput = { profile: "steady", base: 1, peak: 4, periodMinutes: 10 };

/** The load factor at `now`. */
export function loadFactor(l: LoadProfile, now: number): number {
  const period = l.periodMinutes * 60_000;
  const t = Math.max(0, now - l.since);
  switch (l.profile) {
    case "steady":
      return l.base;
    case "ramp":
      return l.base + (l.peak - l.base) * Math.min(1, t / period);
    case "spikes":
      // A spike lasts a fifth of the period (at least a minute), at the start of each period.
      return t % period < Math.max(60_000, period / 5) ? l.peak : l.base;
    case "daily":
      return l.base + ((l.peak - l.base) * (1 - Math.cos((2 * Math.PI * t) / period))) / 2;
  }
}

/** Replicas a HorizontalPodAutoscaler keeps for an elastic deployment under `load`. */
export function elasticReplicas(d: Deployment, load: number): number {
  if (!d.elastic) return d.replicas;
  return Math.min(d.elastic.max, Math.max(d.elastic.min, Math.ceil(d.elastic.base * load)));
}

export interface Resources {
  cpuMilli: number;
  memoryMi: number;
}

/** What a node offers pods: capacity less what the kubelet and system reserve (100m, 512 MiB). */
export function allocatable(n: NodeView): Resources {
  return {
    cpuMilli: Math.max(0, (n.flavor?.vcpus ?? 0) * 1000 - 100),
    memoryMi: Math.max(0, (n.flavor?.ram ?? 0) - 512),
  };
}

export const deploymentOf = (k: KubeClusterState, p: Pod) =>
  k.deployments.find((d) => d.namespace === p.namespace && d.name === p.app);

export function requestsOf(k: KubeClusterState, p: Pod): Resources {
  const d = deploymentOf(k, p);
  return { cpuMilli: d?.cpuMilli ?? 100, memoryMi: d?.memoryMi ?? 128 };
}

/** Control-plane nodes and nodes with NoSchedule/NoExecute taints take no workload pods (none tolerate them). */
export function takesPods(n: NodeView): boolean {
  return (
    n.config.role === "worker" &&
    n.ready &&
    !n.unschedulable &&
    !n.uninitialized &&
    !n.config.taints.some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute")
  );
}

/** Requests of the pods bound to each node. */
export function requestedByNode(k: KubeClusterState): Map<string, Resources> {
  const out = new Map<string, Resources>();
  for (const p of k.pods) {
    if (!p.node) continue;
    const r = requestsOf(k, p);
    const u = out.get(p.node) ?? { cpuMilli: 0, memoryMi: 0 };
    out.set(p.node, { cpuMilli: u.cpuMilli + r.cpuMilli, memoryMi: u.memoryMi + r.memoryMi });
  }
  return out;
}

/**
 * Place Pending pods, oldest first, on the ready schedulable node where
 * they fit with the most CPU left (the scheduler's LeastAllocated score).
 * A pod that fits nowhere stays Pending with a FailedScheduling event in
 * the scheduler's words, at most once a minute per pod.
 */
export function schedulePods(
  engine: Engine,
  k: KubeClusterState,
  nodes: NodeView[],
  record: (e: Omit<KubeEvent, "id" | "at">) => void,
  /** Where a pod's volumes let it run: "wait" until its claims are bound, a node name, or anywhere (null). */
  volumePlacement: (p: Pod) => "wait" | string | null = () => null,
): void {
  const now = engine.now();
  const candidates = nodes.filter(takesPods);
  const masters = nodes.filter((n) => n.config.role === "master" && n.ready && !n.unschedulable);
  const used = requestedByNode(k);
  const pending = k.pods.filter((p) => !p.node).sort((a, b) => a.createdAt - b.createdAt);
  for (const p of pending) {
    const need = requestsOf(k, p);
    let best: NodeView | null = null;
    let bestFree = -1;
    let noCpu = 0;
    let noMem = 0;
    const onMasters = deploymentOf(k, p)?.onMasters === true;
    const pinned = volumePlacement(p);
    if (pinned === "wait") continue; // its claims are being provisioned (their events say so)
    for (const n of onMasters ? [...candidates, ...masters] : candidates) {
      if (pinned !== null && n.name !== pinned) continue;
      const cap = allocatable(n);
      const u = used.get(n.name) ?? { cpuMilli: 0, memoryMi: 0 };
      const cpuOk = u.cpuMilli + need.cpuMilli <= cap.cpuMilli;
      const memOk = u.memoryMi + need.memoryMi <= cap.memoryMi;
      if (!cpuOk) noCpu++;
      if (!memOk) noMem++;
      if (!cpuOk || !memOk) continue;
      const free = cap.cpuMilli - u.cpuMilli - need.cpuMilli;
      if (free > bestFree || (free === bestFree && best && n.name < best.name)) {
        best = n;
        bestFree = free;
      }
    }
    if (best) {
      p.node = best.name;
      p.scheduledAt = now;
      p.unschedulableAt = undefined;
      const u = used.get(best.name) ?? { cpuMilli: 0, memoryMi: 0 };
      used.set(best.name, { cpuMilli: u.cpuMilli + need.cpuMilli, memoryMi: u.memoryMi + need.memoryMi });
      record({
        namespace: p.namespace,
        kind: "Pod",
        name: p.name,
        reason: "Scheduled",
        message: `Successfully assigned ${p.namespace}/${p.name} to ${best.name}`,
        type: "Normal",
        component: "default-scheduler",
      });
      continue;
    }
    const first = p.unschedulableAt === undefined;
    if (first) p.unschedulableAt = now;
    if (first || now - (p.lastFailedSchedulingAt ?? 0) >= 60_000) {
      p.lastFailedSchedulingAt = now;
      const other = nodes.length - candidates.length;
      const parts = [
        ...(noCpu ? [`${noCpu} Insufficient cpu`] : []),
        ...(noMem ? [`${noMem} Insufficient memory`] : []),
        ...(other ? [`${other} node(s) were unschedulable, not ready or had untolerated taints`] : []),
      ];
      record({
        namespace: p.namespace,
        kind: "Pod",
        name: p.name,
        reason: "FailedScheduling",
        message: `0/${nodes.length} nodes are available: ${parts.join(", ") || "no nodes"}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} No preemption victims found for incoming pod.`,
        type: "Warning",
        component: "default-scheduler",
      });
    }
  }
}

/**
 * What each node's pods use now, as metrics-server reports it. Elastic
 * pods share their deployment's demand (60% of its base requests times
 * the load), up to 1.5× their request each; others idle at 30% CPU. Memory
 * is 60% of requests. The system takes 100m and 300 MiB per node.
 */
export function nodeUsage(engine: Engine, k: KubeClusterState, nodes: NodeView[]): Map<string, Resources> {
  const now = engine.now();
  const load = loadFactor(k.load, now);
  const running = new Map<string, number>();
  for (const p of k.pods)
    if (p.node) running.set(`${p.namespace}/${p.app}`, (running.get(`${p.namespace}/${p.app}`) ?? 0) + 1);
  const out = new Map<string, Resources>();
  for (const n of nodes) if (n.ready) out.set(n.name, { cpuMilli: 100, memoryMi: 300 });
  for (const p of k.pods) {
    const u = p.node ? out.get(p.node) : undefined;
    if (!u) continue;
    const d = deploymentOf(k, p);
    const req = requestsOf(k, p);
    let cpu = req.cpuMilli * 0.3;
    if (d?.elastic) {
      const demand = d.elastic.base * load * req.cpuMilli * 0.6;
      cpu = Math.min(req.cpuMilli * 1.5, demand / Math.max(1, running.get(`${p.namespace}/${p.app}`) ?? 1));
    }
    u.cpuMilli += cpu;
    u.memoryMi += req.memoryMi * 0.6;
  }
  for (const u of out.values()) {
    u.cpuMilli = Math.round(u.cpuMilli);
    u.memoryMi = Math.round(u.memoryMi);
  }
  return out;
}
