import type { AutoscalerStatus } from "@/server/contracts/cluster-status";

export interface ScaleDownImpact {
  /** Nodes removed. */
  removed: number;
  /** Pods on them, estimated from the group's share (null: the console has not read the workload). */
  pods: number | null;
  /** Their requested CPU (millicores) and memory (MiB). */
  cpuMilli: number;
  memoryMi: number;
  /** Room left on the cluster's other Ready nodes (this group's remaining ones included). */
  freeCpuMilli: number;
  freeMemoryMi: number;
  /** Whether the evicted pods' requests fit in that room (null: not known). */
  fits: boolean | null;
}

/**
 * What scaling `group` from `from` to `to` nodes does to the workload: the
 * pods its removed nodes run (their share of the group's pods and requests,
 * as the last autoscaler scan saw them) and whether the rest of the cluster
 * has room for their requests.
 */
export function scaleDownImpact(a: {
  group: string;
  from: number;
  to: number;
  figures: AutoscalerStatus["groups"] | undefined;
}): ScaleDownImpact {
  const removed = Math.max(0, a.from - a.to);
  const g = a.figures?.[a.group];
  if (!g || g.ready === 0)
    return { removed, pods: null, cpuMilli: 0, memoryMi: 0, freeCpuMilli: 0, freeMemoryMi: 0, fits: null };
  const share = Math.min(1, removed / g.ready);
  const cpuMilli = Math.round(g.cpuRequested * share);
  const memoryMi = Math.round(g.memRequested * share);
  let freeCpuMilli = (g.cpuAllocatable - g.cpuRequested) * (1 - share);
  let freeMemoryMi = (g.memAllocatable - g.memRequested) * (1 - share);
  for (const [name, other] of Object.entries(a.figures ?? {})) {
    if (name === a.group) continue;
    freeCpuMilli += Math.max(0, other.cpuAllocatable - other.cpuRequested);
    freeMemoryMi += Math.max(0, other.memAllocatable - other.memRequested);
  }
  freeCpuMilli = Math.max(0, Math.round(freeCpuMilli));
  freeMemoryMi = Math.max(0, Math.round(freeMemoryMi));
  return {
    removed,
    pods: g.pods === undefined ? null : Math.round(g.pods * share),
    cpuMilli,
    memoryMi,
    freeCpuMilli,
    freeMemoryMi,
    fits: cpuMilli <= freeCpuMilli && memoryMi <= freeMemoryMi,
  };
}
