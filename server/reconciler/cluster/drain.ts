import type { KubeClient, KubeNode } from "@/server/kube/client";

/**
 * How long a drain respects PodDisruptionBudgets that allow no disruption
 * before it deletes the pods they protect (as managed Kubernetes services
 * do), when the user did not acknowledge that up front.
 */
export const DRAIN_TIMEOUT_MS = 30 * 60_000;

/** Drain one node: cordon, evict (or, when forced, delete) its pods; true once it is empty. */
export async function drainNode(
  kube: KubeClient,
  kubeNodes: Map<string, KubeNode> | null,
  node: string,
  force: boolean,
): Promise<{ empty: boolean; blocked: string | null }> {
  const n = kubeNodes?.get(node);
  if (n && !n.unschedulable) await kube.setUnschedulable(node, true);
  const pods = await kube.podsOn(node);
  if (pods.length === 0) return { empty: true, blocked: null };
  let blocked: string | null = null;
  for (const p of pods) {
    if (p.ownerKind === "DaemonSet") continue;
    const r = await kube.evict(p.namespace, p.name);
    if (r.result === "blocked") {
      if (force) await kube.deletePod(p.namespace, p.name);
      else blocked ??= `${p.namespace}/${p.name}: ${r.message}`;
    }
  }
  return { empty: false, blocked };
}

/** A drain that a PodDisruptionBudget holds back: retried next pass, shown to the user. */
export class DrainBlocked extends Error {
  override name = "DrainBlocked";
  constructor(
    readonly node: string,
    detail: string,
  ) {
    super(
      `Draining ${node} is blocked by a PodDisruptionBudget (${detail}); retried until the budget allows it, forced after ${DRAIN_TIMEOUT_MS / 60_000} minutes`,
    );
  }
}
