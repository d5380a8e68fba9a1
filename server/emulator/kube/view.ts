import type { WorkloadView } from "@/server/contracts/workload";
import type { Engine } from "../engine";
import { podReady, type NodeView } from "./model";
import type { KubeClusterState } from "./types";
import { allocatable, loadFactor, nodeUsage, requestedByNode } from "./workload";

/** The emulator admin API view of a cluster workload (its schema: server/contracts/workload.ts). */
export function workloadView(engine: Engine, k: KubeClusterState, nodes: NodeView[]): WorkloadView {
  const now = engine.now();
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const requested = requestedByNode(k);
  const usage = nodeUsage(engine, k, nodes);
  return {
    load: {
      profile: k.load.profile,
      base: k.load.base,
      peak: k.load.peak,
      periodMinutes: k.load.periodMinutes,
      since: new Date(k.load.since).toISOString(),
      factor: Math.round(loadFactor(k.load, now) * 100) / 100,
    },
    deployments: k.deployments.map((d) => {
      const pods = k.pods.filter((p) => p.namespace === d.namespace && p.app === d.name);
      return {
        namespace: d.namespace,
        name: d.name,
        replicas: d.replicas,
        running: pods.filter((p) => podReady(engine, p, byName)).length,
        pending: pods.filter((p) => !p.node).length,
        cpuMilli: d.cpuMilli,
        memoryMi: d.memoryMi,
        elastic: Boolean(d.elastic),
      };
    }),
    pendingPods: k.pods.filter((p) => !p.node).length,
    nodes: nodes.map((n) => ({
      name: n.name,
      ready: n.ready,
      failedAt: k.failed[n.name] ? new Date(k.failed[n.name]!).toISOString() : null,
      allocatable: allocatable(n),
      requested: requested.get(n.name) ?? { cpuMilli: 0, memoryMi: 0 },
      usage: usage.get(n.name) ?? null,
    })),
  };
}
