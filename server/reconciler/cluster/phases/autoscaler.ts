import type { AutoscalerStatus, HealthStatus } from "@/db/schema";
import { AUTOSCALE_DEFAULTS, type ClusterSpec } from "@/server/contracts/cluster";
import {
  decide,
  requestedOn,
  sumResources,
  type AsGroup,
  type AsNode,
  type AsQuota,
  type Resources,
} from "@/server/domain/autoscaler";
import type { KubeClient, KubeNode } from "@/server/kube/client";
import type { OpenStackCloud } from "@/server/openstack";
import type { Server } from "@/server/openstack/compute";
import { apiOf, NOTHING, type ClusterEvent, type ClusterScope, type PhaseResult } from "../scope";
import { drainNode } from "../drain";
import { groupFromTags } from "../../names";
import type { Observed } from "../observe";
import type { Catalog } from "../steps";
import { UNINITIALIZED_TAINT } from "./cloud-credential";

/**
 * The control plane's cluster autoscaler and auto-healing, one look per
 * reconcile pass (on a running cluster, while nothing else moves its
 * nodes). Decisions come from server/domain/autoscaler.ts; this module
 * reads the cluster and the quota, turns decisions into targets (sizes
 * the planner builds to) and actions (drain and delete one node), and
 * remembers timers in the cluster's status, in cluster time.
 */

/** A node NotReady this long is replaced (OVHcloud's and VK's auto-healing). */
export const AUTO_HEAL_MS = 10 * 60_000;
/** A scale-down whose drain a budget holds back this long is given up (the node is uncordoned). */
export const SCALE_DOWN_DRAIN_MS = 3 * 60_000;

export type AutoscalerEvent = ClusterEvent;
export interface AutoscalerAction {
  label: string;
  run: () => Promise<unknown>;
}

async function quotaLeft(cloud: OpenStackCloud): Promise<AsQuota | null> {
  try {
    const [limits, volumes] = await Promise.all([
      cloud.compute.limits(),
      cloud.session.auth().then((a) => cloud.blockStorage.quotaUsage(a.projectId)),
    ]);
    const left = (limit: number, used: number) => (limit < 0 ? Number.POSITIVE_INFINITY : limit - used);
    return {
      instances: left(limits.maxTotalInstances, limits.totalInstancesUsed),
      cores: left(limits.maxTotalCores, limits.totalCoresUsed),
      ramMb: left(limits.maxTotalRAMSize, limits.totalRAMUsed),
      gigabytes: left(volumes.gigabytes.limit, volumes.gigabytes.in_use),
    };
  } catch {
    return null; // the quota check is advisory: Nova refuses what does not fit anyway
  }
}

export async function autoscalerPass(ctx: {
  cloud: OpenStackCloud;
  spec: ClusterSpec;
  observed: Observed;
  catalog: Catalog;
  kube: KubeClient;
  kubeNodes: Map<string, KubeNode>;
  prev: AutoscalerStatus | undefined;
  prevHealth: HealthStatus | undefined;
  /** Node states the console showed last pass (a node never Ready is still installing, not broken). */
  before: Map<string, string>;
  now: number;
}): Promise<{
  actions: AutoscalerAction[];
  events: AutoscalerEvent[];
  targets: Map<string, number>;
  status: AutoscalerStatus;
  health: HealthStatus;
} | null> {
  const { cloud, spec, observed, kube, kubeNodes, now } = ctx;
  const nowIso = new Date(now).toISOString();
  let pods;
  let usage: Map<string, Resources> | null = null;
  try {
    [pods, usage] = await Promise.all([kube.listPods(), kube.nodeMetrics().catch(() => null)]);
  } catch {
    return null; // the API does not answer: decide nothing on a stale view
  }
  const actions: AutoscalerAction[] = [];
  const events: AutoscalerEvent[] = [];
  const workers = [...observed.servers.values()].filter(
    (s) => s.tags.includes("kc-role=worker") && s.taskState !== "deleting",
  );
  const sizes: Record<string, number> = {};
  for (const w of workers) {
    const g = groupFromTags(w.tags);
    if (g) sizes[g] = (sizes[g] ?? 0) + 1;
  }
  const specGroups = new Map(spec.nodeGroups.map((g) => [g.name, g]));
  const taintedGroup = (name: string | null) =>
    Boolean(
      name && specGroups.get(name)?.taints.some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute"),
    );
  const nodes: AsNode[] = [...kubeNodes.values()].map((n) => {
    const group = n.controlPlane
      ? null
      : (n.group ?? groupFromTags(observed.servers.get(n.name)?.tags ?? []));
    return {
      name: n.name,
      group,
      // As the cluster autoscaler counts readiness: a node the cloud controller has not initialized yet is
      // still upcoming (its uninitialized taint keeps pods off it for now).
      ready: n.ready && !n.taints.some((t) => t.key === UNINITIALIZED_TAINT),
      unschedulable: n.unschedulable,
      tainted: n.controlPlane || taintedGroup(group),
      allocatable: n.allocatable,
    };
  });

  const { groups, targets } = autoscalingGroups(ctx, nodes, sizes, taintedGroup);

  // ── a scale-down in progress: drain, then delete; give up when a budget holds it too long ──
  const removing = continueRemoval(ctx, groups, targets, sizes, actions, events);
  const memoryIn = ctx.prev?.memory ?? { unneededSince: {} };

  // ── decide ────────────────────────────────────────────────────────────────
  const pendingUnschedulable = pods.some((p) => !p.node && p.unschedulable);
  const decision = decide({
    groups,
    nodes,
    pods: pods,
    sizes: Object.fromEntries(
      groups.map((g) => [g.name, Math.max(sizes[g.name] ?? 0, targets.get(g.name)!)]),
    ),
    quota: pendingUnschedulable && groups.length ? await quotaLeft(cloud) : null,
    now,
    memory: memoryIn,
    removing: removing?.node ?? null,
  });
  if (decision.scaleUp) {
    targets.set(decision.scaleUp.group, decision.scaleUp.to);
    events.push({
      type: "Normal",
      reason: "ScaleUp",
      kind: "NodeGroup",
      name: decision.scaleUp.group,
      message: decision.scaleUp.message,
    });
  }
  if (decision.notTriggered)
    events.push({
      type: "Warning",
      reason: "NotTriggerScaleUp",
      kind: "Cluster",
      name: spec.name,
      message: decision.notTriggered,
    });
  let removingNow = removing;
  if (decision.scaleDown) {
    const d = decision.scaleDown;
    const server = observed.servers.get(d.node);
    if (server) {
      removingNow = { node: d.node, group: d.group, since: nowIso };
      events.push({ type: "Normal", reason: "ScaleDown", kind: "Node", name: d.node, message: d.message });
      actions.push(drainThenDelete(cloud, kube, kubeNodes, removingNow, server.id));
      delete decision.memory.unneededSince[d.node];
    }
  }

  const notReadySince = autoHeal({ ...ctx, workers, removing: removingNow?.node ?? null, actions, events });
  const figures = groupFigures(spec, nodes, pods, usage, targets);
  return {
    actions,
    events,
    targets,
    status: {
      at: nowIso,
      memory: decision.memory,
      targets: Object.fromEntries(targets),
      removing: removingNow,
      pending: decision.pending,
      groups: figures,
    },
    health: { notReadySince },
  };
}

/** A scale-down in progress: drain, then delete; give up when a budget holds it too long. */
function continueRemoval(
  ctx: {
    cloud: OpenStackCloud;
    kube: KubeClient;
    kubeNodes: Map<string, KubeNode>;
    observed: Observed;
    prev: AutoscalerStatus | undefined;
    now: number;
  },
  groups: AsGroup[],
  targets: Map<string, number>,
  sizes: Record<string, number>,
  actions: AutoscalerAction[],
  events: AutoscalerEvent[],
): AutoscalerStatus["removing"] {
  const { cloud, kube, kubeNodes, observed, now } = ctx;
  const r = ctx.prev?.removing ?? null;
  if (!r) return null;
  const server = observed.servers.get(r.node);
  if (!server || server.taskState === "deleting") {
    targets.set(r.group, Math.min(targets.get(r.group) ?? 0, sizes[r.group] ?? 0));
    return null;
  }
  if (!groups.some((g) => g.name === r.group)) {
    actions.push({ label: `Uncordon ${r.node}`, run: () => kube.setUnschedulable(r.node, false) });
    return null;
  }
  if (now - Date.parse(r.since) > SCALE_DOWN_DRAIN_MS) {
    actions.push({ label: `Uncordon ${r.node}`, run: () => kube.setUnschedulable(r.node, false) });
    events.push({
      type: "Warning",
      reason: "ScaleDownFailed",
      kind: "Node",
      name: r.node,
      message: `Gave up removing ${r.node} after ${SCALE_DOWN_DRAIN_MS / 60_000} min: ${r.blocked ?? "its pods could not be evicted"}; uncordoned`,
    });
    // Its unneeded timer starts again once it is schedulable (a cordoned node is never a candidate).
    return null;
  }
  actions.push(drainThenDelete(cloud, kube, kubeNodes, r, server.id));
  return r;
}

/** The autoscaling groups as the decision sees them, and each one's target so far (the last one, within min..max). */
function autoscalingGroups(
  ctx: { spec: ClusterSpec; catalog: Catalog; prev: AutoscalerStatus | undefined },
  nodes: AsNode[],
  sizes: Record<string, number>,
  taintedGroup: (name: string | null) => boolean,
): { groups: AsGroup[]; targets: Map<string, number> } {
  const { spec } = ctx;
  const groups: AsGroup[] = [];
  const targets = new Map<string, number>();
  for (const g of spec.nodeGroups) {
    if (g.scaling.mode !== "autoscale") continue;
    const flavor = ctx.catalog.flavors.find((f) => f.name === g.flavor || f.id === g.flavor);
    // A Ready node of the group is the template (cluster-autoscaler's way); else the flavor less system reserve.
    const template = nodes.find((n) => n.group === g.name && n.ready);
    groups.push({
      name: g.name,
      min: g.scaling.min,
      max: g.scaling.max,
      threshold: g.scaling.scaleDownUtilization ?? AUTOSCALE_DEFAULTS.scaleDownUtilization,
      unneededMs:
        (g.scaling.scaleDownUnneededMinutes ?? AUTOSCALE_DEFAULTS.scaleDownUnneededMinutes) * 60_000,
      tainted: taintedGroup(g.name),
      newNode: template?.allocatable ?? {
        cpuMilli: Math.max(0, (flavor?.vcpus ?? 0) * 1000 - 100),
        memoryMi: Math.max(0, (flavor?.ramMb ?? 0) - 512),
      },
      cost: { cores: flavor?.vcpus ?? 0, ramMb: flavor?.ramMb ?? 0, gigabytes: g.diskGb },
    });
    const prevTarget = ctx.prev?.targets[g.name] ?? sizes[g.name] ?? 0;
    targets.set(g.name, Math.min(g.scaling.max, Math.max(g.scaling.min, prevTarget)));
  }

  return { groups, targets };
}

/** Auto-healing: a worker NotReady for AUTO_HEAL_MS is deleted; the planner boots it again. */
function autoHeal(ctx: {
  cloud: OpenStackCloud;
  kubeNodes: Map<string, KubeNode>;
  workers: Server[];
  removing: string | null;
  before: Map<string, string>;
  prevHealth: HealthStatus | undefined;
  now: number;
  actions: AutoscalerAction[];
  events: AutoscalerEvent[];
}): Record<string, string> {
  const { cloud, kubeNodes, workers, removing, now, actions, events } = ctx;
  const nowIso = new Date(now).toISOString();
  const notReadySince: Record<string, string> = {};
  for (const w of workers) {
    const k = kubeNodes.get(w.name);
    const was = ctx.before.get(w.name);
    if (w.status !== "ACTIVE" || !k || k.ready || was === undefined || was === "Installing") continue;
    if (w.name === removing) continue;
    const since = ctx.prevHealth?.notReadySince[w.name] ?? nowIso;
    notReadySince[w.name] = since;
    const minutes = Math.round((now - Date.parse(since)) / 60_000);
    if (now - Date.parse(since) >= AUTO_HEAL_MS) {
      events.push({
        type: "Warning",
        reason: "AutoHealing",
        kind: "Node",
        name: w.name,
        message: `${w.name} has been NotReady for ${minutes} min (since ${since}): replacing it in node group ${groupFromTags(w.tags) ?? "?"} (${w.availabilityZone})`,
      });
      actions.push({ label: `Replace NotReady node ${w.name}`, run: () => cloud.compute.deleteServer(w.id) });
      delete notReadySince[w.name];
    }
  }

  return notReadySince;
}

/** Per-group figures for the dashboards: requested, allocatable and used CPU and memory of Ready nodes. */
function groupFigures(
  spec: ClusterSpec,
  nodes: AsNode[],
  pods: Parameters<typeof requestedOn>[0],
  usage: Map<string, Resources> | null,
  targets: Map<string, number>,
): AutoscalerStatus["groups"] {
  const requested = requestedOn(pods);
  const figures: AutoscalerStatus["groups"] = {};
  for (const g of spec.nodeGroups) {
    const mine = nodes.filter((n) => n.group === g.name && n.ready);
    const req = sumResources(mine.map((n) => requested.get(n.name) ?? { cpuMilli: 0, memoryMi: 0 }));
    const alloc = sumResources(mine.map((n) => n.allocatable));
    const used = usage
      ? sumResources(mine.map((n) => usage!.get(n.name) ?? { cpuMilli: 0, memoryMi: 0 }))
      : null;
    figures[g.name] = {
      target: targets.get(g.name) ?? (g.scaling.mode === "fixed" ? g.scaling.size : 0),
      ready: mine.length,
      cpuRequested: req.cpuMilli,
      cpuAllocatable: alloc.cpuMilli,
      memRequested: req.memoryMi,
      memAllocatable: alloc.memoryMi,
      cpuUsed: used?.cpuMilli ?? null,
      memUsed: used?.memoryMi ?? null,
      pods: pods.filter(
        (p) => p.node !== null && p.ownerKind !== "DaemonSet" && mine.some((n) => n.name === p.node),
      ).length,
    };
  }
  return figures;
}

function drainThenDelete(
  cloud: OpenStackCloud,
  kube: KubeClient,
  kubeNodes: Map<string, KubeNode>,
  r: NonNullable<AutoscalerStatus["removing"]>,
  serverId: string,
): AutoscalerAction {
  return {
    label: `Drain and remove ${r.node} (scale-down)`,
    run: async () => {
      const d = await drainNode(kube, kubeNodes, r.node, false);
      // `r` is the status the pass stores after its actions ran: the blocker is kept for ScaleDownFailed.
      if (d.blocked) r.blocked = d.blocked;
      if (d.empty) await cloud.compute.deleteServer(serverId);
    },
  };
}

/** A running cluster with workers is looked at this often (the autoscaler's scan interval). */
export const AUTOSCALE_SCAN_MS = 10_000;

/** The cluster autoscaler and auto-healing, on a running cluster while nothing else moves its nodes. */
export async function autoscalerPhase(scope: ClusterScope): Promise<PhaseResult> {
  const api = apiOf(scope);
  if (!api || api.pki.rotationStartedAt) return NOTHING;
  const prev = scope.cluster.status;
  const a = await autoscalerPass({
    cloud: scope.cloud,
    spec: scope.spec,
    observed: scope.observed,
    catalog: scope.catalog,
    kube: api.kube,
    kubeNodes: api.kubeNodes,
    prev: prev.autoscaler,
    prevHealth: prev.health,
    before: new Map(prev.nodes.map((x) => [x.name, x.state])),
    now: scope.clusterNow,
  });
  if (!a) return NOTHING;
  const hasWorkers = scope.liveServers.some((s) => s.tags.includes("kc-role=worker"));
  return {
    actions: a.actions,
    done: a.actions.length === 0,
    events: a.events,
    groupTargets: a.targets,
    status: () => ({ autoscaler: a.status, health: a.health }),
    ...(hasWorkers ? { requeueAfterMs: AUTOSCALE_SCAN_MS } : {}),
  };
}
