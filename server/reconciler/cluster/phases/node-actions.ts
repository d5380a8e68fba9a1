import type { NodeActionStatus, NodeRequest } from "@/server/contracts/node-actions";
import { drainNode } from "../drain";
import {
  apiOf,
  NOTHING,
  type Action,
  type ClusterEvent,
  type ClusterScope,
  type PhaseResult,
} from "../scope";

/** How often a node action is looked at again while it runs (a drain waits for pods to leave). */
export const NODE_ACTION_POLL_MS = 5_000;

const PAST: Record<NodeRequest["action"], string> = {
  cordon: "Cordoned",
  uncordon: "Uncordoned",
  drain: "Drained",
  replace: "Replaced",
};

/**
 * The users' cordon, uncordon, drain and replace requests, one per node, on
 * a running cluster: each looked at until it is done (or cannot be), with
 * its progress in status.nodeActions and an event when it ends.
 */
export function nodeActionsPhase(scope: ClusterScope): PhaseResult {
  const requests = Object.entries(scope.cluster.nodeRequests ?? {});
  const before = scope.cluster.status.nodeActions ?? {};
  const open = requests.filter(([node, r]) => before[node]?.id !== r.id || before[node]?.state === "running");
  if (open.length === 0) return NOTHING;
  const api = apiOf(scope);
  const nowIso = scope.now.toISOString();
  const next: Record<string, NodeActionStatus> = { ...before };
  const actions: Action[] = [];
  const events: ClusterEvent[] = [];
  let waiting: string | null = null;
  const finish = (node: string, r: NodeRequest, state: "done" | "failed", message: string | null) => {
    next[node] = { id: r.id, action: r.action, state, message, at: nowIso };
    events.push({
      type: state === "done" ? "Normal" : "Warning",
      // Not the node's state (the overlay already says Cordoned, Draining…): who asked, and that it is done.
      reason: state === "done" ? `${PAST[r.action]}ByUser` : "NodeActionFailed",
      kind: "Node",
      name: node,
      message:
        state === "done"
          ? `${PAST[r.action]} as ${r.by.email} asked`
          : `${r.action} of ${node}, asked by ${r.by.email}, failed: ${message}`,
    });
  };
  for (const [node, r] of open) {
    const was = before[node]?.id === r.id ? before[node] : undefined;
    const server = scope.liveServers.find((s) => s.name === node);
    if (r.action === "replace" && was?.serverId) {
      // Deleted already: done once a successor of that name runs (the infrastructure phase builds it).
      const successor = [...scope.observed.servers.values()].find(
        (s) => s.name === node && s.id !== was.serverId && s.taskState !== "deleting",
      );
      if (successor) finish(node, r, "done", null);
      else {
        next[node] = { ...was, message: `Waiting for the new ${node} to be built`, at: nowIso };
        waiting ??= `Replacing ${node}: waiting for its new server`;
      }
      continue;
    }
    if (!api) {
      next[node] = {
        id: r.id,
        action: r.action,
        state: "running",
        message: "Waiting for the Kubernetes API to answer",
        at: was?.at ?? nowIso,
      };
      waiting ??= `Waiting for the Kubernetes API to ${r.action} ${node}`;
      continue;
    }
    const k = api.kubeNodes.get(node);
    if (!k || !server) {
      finish(node, r, "failed", `${node} is no longer part of the cluster`);
      continue;
    }
    const running = (message: string | null, extra: Partial<NodeActionStatus> = {}) => {
      next[node] = { id: r.id, action: r.action, state: "running", message, at: was?.at ?? nowIso, ...extra };
    };
    if (r.action === "cordon" || r.action === "uncordon") {
      const want = r.action === "cordon";
      if (k.unschedulable === want) finish(node, r, "done", null);
      else {
        running(null);
        actions.push({
          label: `${want ? "Cordon" : "Uncordon"} ${node}`,
          run: () => api.kube.setUnschedulable(node, want),
        });
        waiting ??= `${want ? "Cordoning" : "Uncordoning"} ${node}`;
      }
      continue;
    }
    // Drain (and replace, which drains first): evict until the node is empty; a budget that blocks is named.
    running(was?.message ?? null);
    waiting ??= `${r.action === "drain" ? "Draining" : "Replacing"} ${node}`;
    actions.push({
      label: `${r.action === "drain" ? "Drain" : "Drain, then replace"} ${node}`,
      run: async () => {
        const d = await drainNode(api.kube, api.kubeNodes, node, false);
        if (!d.empty) {
          running(d.blocked ? `Blocked by a PodDisruptionBudget: ${d.blocked}` : "Evicting pods");
          return;
        }
        if (r.action === "drain") {
          finish(node, r, "done", null);
          return;
        }
        await scope.cloud.compute.deleteServer(server.id);
        running(`Server deleted; waiting for the new ${node}`, { serverId: server.id });
      },
      event: {
        type: "Normal",
        reason: r.action === "drain" ? "Draining" : "Replacing",
        kind: "Node",
        name: node,
      },
    });
  }
  const busy = Object.values(next).some((x) => x.state === "running");
  return {
    actions,
    done: !busy && actions.length === 0,
    waiting,
    events,
    status: () => ({ nodeActions: next }),
    ...(busy ? { requeueAfterMs: NODE_ACTION_POLL_MS } : {}),
  };
}
