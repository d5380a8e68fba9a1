import type { UnregisteredNode } from "@/server/contracts/cluster-status";
import type { Action, ClusterScope, PhaseResult } from "../scope";

/**
 * Nodes that never join. On a real cloud the commonest failure is a server
 * that boots and whose kubelet never registers (a bad image, a token that
 * expired, a network that cannot reach the API). Past the deadline such a
 * node is named, the last lines of its console log (Nova's
 * os-getConsoleOutput) are kept for its detail, and the operation fails
 * with that message instead of waiting. Retry replaces the server (a new
 * one boots with fresh user data and a current token).
 */

/** How long a running server may go without a Node in the API (counted from when the console first saw it so). */
export const REGISTER_DEADLINE_MS = 20 * 60_000;
/** Console log lines kept per node. */
export const CONSOLE_LINES = 40;

export async function registrationPhase(scope: ClusterScope): Promise<PhaseResult> {
  const { api, cluster, cloud, clusterNow, liveServers, now } = scope;
  const prev = cluster.status.unregistered ?? {};
  const joiningBefore = cluster.status.joining ?? {};
  // Without an answering API (private clusters, an API still starting) registration cannot be told.
  if (!api?.kubeNodes)
    return { actions: [], done: true, status: () => ({ unregistered: prev, joining: joiningBefore }) };
  const kubeNodes = api.kubeNodes;
  const upgrading = cluster.status.upgrade?.nodes ?? {};
  const next: Record<string, UnregisteredNode> = {};
  const joining: NonNullable<typeof cluster.status.joining> = {};
  const actions: Action[] = [];
  const reads: Array<Promise<void>> = [];
  for (const s of liveServers) {
    if (s.status !== "ACTIVE" || kubeNodes.has(s.name)) continue;
    if (upgrading[s.name]?.state === "replacing") continue; // the upgrade waits for it with its own deadline
    const seen = joiningBefore[s.name];
    const since = seen?.serverId === s.id ? seen.since : clusterNow;
    joining[s.name] = { serverId: s.id, since };
    if (clusterNow - since < REGISTER_DEADLINE_MS) continue;
    const was = prev[s.name];
    const entry: UnregisteredNode =
      was?.serverId === s.id ? { ...was } : { serverId: s.id, since: now.toISOString(), console: [] };
    next[s.name] = entry;
    if (entry.retried)
      actions.push({
        label: `Replace ${s.name}: it never registered with the Kubernetes API`,
        run: () => cloud.compute.deleteServer(s.id),
        event: { type: "Warning", reason: "NodeReplaced", kind: "Node", name: s.name },
      });
    else if (entry.console.length === 0)
      // A read, like the observation: done while planning so the failure can quote it.
      reads.push(
        cloud.compute
          .consoleOutput(s.id, CONSOLE_LINES)
          .then((out) => {
            entry.console = (out ?? "")
              .split("\n")
              .filter((l) => l.trim() !== "")
              .slice(-CONSOLE_LINES);
          })
          .catch(() => undefined), // no console log now: the failure still names the node
      );
  }
  await Promise.all(reads);
  const failing = Object.entries(next).filter(([, e]) => !e.retried);
  const minutes = REGISTER_DEADLINE_MS / 60_000;
  const failure = failing.length
    ? {
        step: `Register ${failing.map(([n]) => n).join(", ")}`,
        message: failing
          .map(([name, e]) => {
            const line = tellingLine(e.console);
            return `${name} never registered with the Kubernetes API within ${minutes} minutes of boot${line ? `; its console log says: "${line.slice(0, 300)}"` : " (no console log available)"}`;
          })
          .join(". ")
          .concat(`. Retry replaces ${failing.length === 1 ? "it" : "them"}.`),
      }
    : null;
  return {
    actions,
    done: actions.length === 0 && failing.length === 0,
    waiting: actions[0]?.label ?? null,
    failure,
    events: failing
      .filter(([name]) => !prev[name])
      .map(([name]) => ({
        type: "Warning" as const,
        reason: "NeverRegistered",
        kind: "Node",
        name,
        message: `${name} never registered with the Kubernetes API within ${minutes} minutes of boot`,
      })),
    status: () => ({ unregistered: next, joining }),
  };
}

/** The console line that most likely says why: kubeadm's own error first, then any failure, else the last line. */
export function tellingLine(lines: string[]): string | undefined {
  const last = (re: RegExp) => [...lines].reverse().find((l) => re.test(l));
  return (
    last(/kubeadm|couldn't|unable to|is invalid|timed out|error execution|kc-etcd-disk/i) ??
    last(/fail|error/i) ??
    lines.at(-1)
  );
}
