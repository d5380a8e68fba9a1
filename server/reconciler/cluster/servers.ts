import type { ClusterSpec } from "@/server/contracts/cluster";
import type { KubeNode } from "@/server/kube/client";
import type { Server } from "@/server/openstack/compute";
import { desiredGroupSize } from "@/server/domain/placement";
import { groupFromTags, groupTag, workerIndex } from "../names";
import type { Observed } from "./observe";
import type { Action, ClusterScope, PhaseResult } from "./scope";

/** What the node flows (stop, start, upgrade) and the autoscaler ask of the servers they look at. */

export const isMaster = (s: Server) => s.tags.includes("kc-role=master");
export const groupOf = (s: Server) => groupFromTags(s.tags);
export const live = (s: Server) => s.taskState !== "deleting";
export const byName = (a: Server, b: Server) => a.name.localeCompare(b.name, undefined, { numeric: true });

export const versionOf = (s: Server) => s.metadata["kc-version"] ?? null;

/** Servers still on another version than the spec's. */
export function outdated(spec: ClusterSpec, o: Observed): Server[] {
  return [...o.servers.values()].filter((s) => live(s) && versionOf(s) !== spec.version).sort(byName);
}

/** The workers of one node group: tagged with it and named as its members. */
function groupMembers(clusterName: string, observed: Observed, group: string): Server[] {
  return [...observed.servers.values()].filter(
    (s) => s.tags.includes(groupTag(group)) && workerIndex(clusterName, group, s.name) !== null,
  );
}

/** Each node group's size as the spec wants it, counting the live members (autoscaling groups keep theirs). */
export function specGroupTargets(cluster: { name: string; spec: ClusterSpec }, observed: Observed) {
  return new Map(
    cluster.spec.nodeGroups.map((g) => [
      g.name,
      desiredGroupSize(
        g,
        groupMembers(cluster.name, observed, g.name).filter((s) => s.taskState !== "deleting").length,
      ),
    ]),
  );
}

/** A stop's or start's plan as a phase result: progress counts the servers `reached` already. */
export function powerResult(
  scope: ClusterScope,
  p: { actions: Action[]; done: boolean; waiting: string | null; cordoned: string[] },
  reached: (s: Server) => boolean,
): PhaseResult {
  return {
    actions: p.actions,
    done: p.done && p.actions.length === 0,
    waiting: p.waiting,
    // A stop ends whatever a start waited for.
    status: () => ({ cordonedByStop: p.cordoned, startWait: {} }),
    progress: {
      done: scope.liveServers.filter(reached).length,
      total: Math.max(1, scope.liveServers.length),
    },
  };
}

/** An ISO time as HH:MM UTC (what a wait's message names). */
export function clock(iso: string): string {
  return `${iso.slice(11, 16)} UTC`;
}

/** What the node's Ready condition says, for people. */
export function notReadyWhy(n: KubeNode | undefined): string {
  if (!n) return "its kubelet has not registered with the Kubernetes API";
  const c = n.readyCondition;
  if (!c) return "its kubelet has not reported a Ready condition";
  const said = c.message?.replace(/\.$/, "") ?? c.reason ?? "no reason given";
  return c.status === "Unknown" ? `Ready is Unknown: ${said}` : `${c.reason ?? "NotReady"}: ${said}`;
}
