import type { ComponentStatus } from "@/server/contracts/cluster-status";

/**
 * The order the cluster page lists system components in: what everything
 * else needs first (the Helm controller installs the rest, then the pod
 * network), then the cloud integration, then Gatekeeper; anything else
 * after them by name.
 */
const ORDER = [
  "helm-controller",
  "calico",
  "cilium",
  "openstack-cloud-controller-manager",
  "openstack-cinder-csi",
  "gatekeeper",
];

/** The components in display order, or null when the worker has not read them from the cluster yet. */
export function orderedComponents(
  components: Record<string, ComponentStatus> | undefined,
): Array<[string, ComponentStatus]> | null {
  if (!components) return null;
  const rank = (k: string) => {
    const i = ORDER.indexOf(k);
    return i === -1 ? ORDER.length : i;
  };
  return Object.entries(components).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * A status message split into what happened and the install job's log, when
 * it quotes one ("Install job kube-system/helm-install-x failed: Error: …",
 * "Helm is retrying x 1.2.3 (job …); last attempt: Error: …"). The log's
 * lines arrive joined by " · ". Anything else is all summary.
 */
export function splitJobLog(message: string): { summary: string; log: string[] | null } {
  const m = /^([\s\S]*?\bjob\b[\s\S]*?(?:\bfailed|; last attempt)): ([\s\S]+)$/.exec(message);
  if (!m) return { summary: message, log: null };
  return {
    summary: m[1]!,
    log: m[2]!
      .split(" · ")
      .map((l) => l.trim())
      .filter(Boolean),
  };
}
