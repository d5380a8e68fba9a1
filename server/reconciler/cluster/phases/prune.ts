import type { ClusterSpec } from "@/server/contracts/cluster";
import type { OpenStackCloud } from "@/server/openstack";
import { groupFromTags, groupTag, resourceNames, workerIndex } from "../../names";
import { addonPruneActions } from "../addon-resources";
import type { Observed } from "../observe";
import { NOTHING, type Action, type ClusterScope, type PhaseResult } from "../scope";

/** Actions that remove what intent no longer wants: extra workers (newest first), removed groups, failed servers. */
function pruneActions(
  cloud: OpenStackCloud,
  cluster: { name: string; spec: ClusterSpec },
  o: Observed,
  targets: Map<string, number>,
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
    actions.push({
      label: `Remove worker ${name}`,
      run: () => cloud.compute.deleteServer(s.id),
      event: { type: "Warning", reason: "ScaledDown", kind: "Server", name },
    });
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
  const actions = [
    ...pruneActions(scope.cloud, scope.cluster, scope.observed, scope.plan.groupTargets),
    ...addonPruneActions(scope.cloud, scope.cluster, scope.observed),
  ];
  return { actions, done: actions.length === 0, waiting: actions[0]?.label ?? null };
}
