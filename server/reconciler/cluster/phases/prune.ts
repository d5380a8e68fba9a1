import type { ClusterSpec } from "@/server/contracts/cluster";
import type { KubeClient, KubeNode } from "@/server/kube/client";
import type { OpenStackCloud } from "@/server/openstack";
import { groupFromTags, groupTag, resourceNames, workerIndex } from "../../names";
import { addonPruneActions } from "../addon-resources";
import { DRAIN_TIMEOUT_MS, DrainBlocked, drainNode } from "../drain";
import type { Observed } from "../observe";
import { NOTHING, type Action, type ClusterScope, type PhaseResult } from "../scope";

/** Actions that remove what intent no longer wants: extra workers (newest first), removed groups, failed servers. */
function pruneActions(
  cloud: OpenStackCloud,
  cluster: { name: string; spec: ClusterSpec },
  o: Observed,
  targets: Map<string, number>,
  drains: ScaleDown,
): Action[] {
  const n = resourceNames(cluster.name);
  const actions: Action[] = [];
  const groups = new Map(cluster.spec.nodeGroups.map((g) => [g.name, g]));
  const workers = [...o.servers.values()].filter((s) => s.tags.includes("kc-role=worker"));
  const byGroup = new Map<string, typeof workers>();
  for (const w of workers) {
    const g = groupFromTags(w.tags) ?? "";
    byGroup.set(g, [...(byGroup.get(g) ?? []), w]);
  }
  const doomed = new Set<string>();
  for (const [gname, servers] of byGroup) {
    const g = groups.get(gname);
    const live = servers.filter((s) => s.taskState !== "deleting");
    const keep = g ? (targets.get(g.name) ?? 0) : 0;
    // Newest first: the last created go first when scaling down.
    const extra = [...live]
      .sort(
        (a, b) =>
          b.createdAt.localeCompare(a.createdAt) ||
          b.name.localeCompare(a.name, undefined, { numeric: true }),
      )
      .slice(0, Math.max(0, live.length - keep));
    for (const s of extra) doomed.add(s.name);
  }
  for (const s of o.servers.values()) {
    if (s.status === "ERROR" && s.taskState !== "deleting" && !doomed.has(s.name)) {
      actions.push({
        label: `Replace failed server ${s.name}: ${s.fault?.message ?? "ERROR"}`,
        run: () => cloud.compute.deleteServer(s.id),
        event: { type: "Warning", reason: "ServerFailed", kind: "Server", name: s.name },
      });
    }
  }
  for (const name of doomed) {
    const s = o.servers.get(name)!;
    const { kube, kubeNodes } = drains;
    if (kube && kubeNodes?.has(name)) {
      // Cordon, evict (PodDisruptionBudgets respected until the drain timeout), delete the Node, then the server.
      const since = drains.before[name] ?? drains.clusterNow;
      drains.next[name] = since;
      const force = drains.clusterNow - since > DRAIN_TIMEOUT_MS;
      actions.push({
        label: `Drain and remove worker ${name}`,
        run: async () => {
          const d = await drainNode(kube, kubeNodes, name, force);
          if (!d.empty) {
            if (d.blocked) throw new DrainBlocked(name, d.blocked);
            return; // evictions under way: the next pass looks again
          }
          await kube.deleteNode(name);
          await cloud.compute.deleteServer(s.id);
        },
        event: { type: "Warning", reason: "ScaledDown", kind: "Server", name },
      });
      continue;
    }
    // No API to drain through (stopped, private, not answering): the server goes; its Node, if any, below.
    actions.push({
      label: `Remove worker ${name}`,
      run: () => cloud.compute.deleteServer(s.id),
      event: { type: "Warning", reason: "ScaledDown", kind: "Server", name },
    });
  }
  // Node objects whose server is gone (removed while the API did not answer): nothing the cluster made is left behind.
  if (drains.kube && drains.kubeNodes)
    for (const name of drains.kubeNodes.keys())
      if (!o.servers.has(name)) {
        const kube = drains.kube;
        actions.push({ label: `Delete Node ${name} (its server is gone)`, run: () => kube.deleteNode(name) });
      }
  // Ports of workers no longer wanted, once their server is gone.
  for (const p of o.ports.values()) {
    if (!p.tags.includes("kc-role=worker") || o.servers.has(p.name)) continue;
    const gname = groupFromTags(p.tags) ?? "";
    const g = groups.get(gname);
    const idx = workerIndex(cluster.name, gname, p.name);
    const wanted = g && idx !== null && idx < (targets.get(gname) ?? 0);
    if (!wanted) actions.push({ label: `Delete port ${p.name}`, run: () => cloud.network.deletePort(p.id) });
  }
  // Server groups of removed anti-affinity groups, once empty.
  for (const [name, sg] of o.serverGroups) {
    if (name === n.masterServerGroup) continue;
    const gname = name.slice(cluster.name.length + 1);
    const still = groups.get(gname)?.antiAffinity;
    if (!still && !workers.some((w) => w.tags.includes(groupTag(gname))))
      actions.push({
        label: `Delete server group ${name}`,
        run: () => cloud.compute.deleteServerGroup(sg.id),
      });
  }
  return actions;
}

/** What intent no longer wants goes; after a failed upgrade nothing is removed until the user retries. */
export function prunePhase(scope: ClusterScope): PhaseResult {
  if (scope.plan.failure) return NOTHING;
  const drains: ScaleDown = {
    kube: scope.api?.kube ?? null,
    kubeNodes: scope.api?.kubeNodes ?? null,
    before: scope.cluster.status.scaleDownDrains ?? {},
    next: {},
    clusterNow: scope.clusterNow,
  };
  const actions = [
    ...pruneActions(scope.cloud, scope.cluster, scope.observed, scope.plan.groupTargets, drains),
    ...addonPruneActions(scope.cloud, scope.cluster, scope.observed),
  ];
  return {
    actions,
    done: actions.length === 0,
    waiting: actions[0]?.label ?? null,
    status: () => ({ scaleDownDrains: drains.next }),
  };
}

/** What a scale-down drains through, and when each drain began (cluster clock, ms). */
interface ScaleDown {
  kube: KubeClient | null;
  kubeNodes: Map<string, KubeNode> | null;
  before: Record<string, number>;
  next: Record<string, number>;
  clusterNow: number;
}
