import type { UpgradeStatus } from "@/db/schema";
import type { ClusterSpec, NodeGroupSpec } from "@/server/contracts/cluster";
import type { KubeClient, KubeNode } from "@/server/kube/client";
import type { OpenStackCloud } from "@/server/openstack";
import type { Server } from "@/server/openstack/compute";
import { masterIndex, workerIndex } from "../../names";
import { DRAIN_TIMEOUT_MS, DrainBlocked, drainNode } from "../drain";
import type { Observed } from "../observe";
import type { Action, ClusterScope, PhaseResult } from "../scope";
import { byName, groupOf, isMaster, live, notReadyWhy, versionOf } from "../servers";
import { imageFor } from "../steps";

/**
 * Upgrade, as a level-triggered plan: control plane first, one master at a
 * time and only while every other master is Ready (etcd keeps quorum); then
 * node groups one after another with their strategy (rolling: surge, drain,
 * delete; in-place: drain, rebuild, uncordon). Per-node progress is stored
 * in the status, so a pass killed at any point is simply repeated.
 */
export interface UpgradeContext {
  cloud: OpenStackCloud;
  spec: ClusterSpec;
  observed: Observed;
  kube: KubeClient | null;
  kubeNodes: Map<string, KubeNode> | null;
  status: UpgradeStatus;
  /** Delete pods that a PodDisruptionBudget protects when it blocks a drain (the user acknowledged it). */
  forceDrain: boolean;
  /** The target image id. */
  imageId: string;
  now: Date;
  /** Each node group's size before the upgrade (the scope's targets). */
  groupTargets: Map<string, number>;
  masterUserData: (server: Server) => string;
  workerUserData: (group: NodeGroupSpec, nodeName: string) => string;
  /** How long a rebuilt or new node may take to be Ready on the new version before the upgrade stops on it. */
  readyWaitMs?: number;
}

/** A rebuilt or new node's patience (the start's too): past it the upgrade stops, naming the node. */
export const UPGRADE_NODE_READY_MS = 10 * 60_000;

export interface UpgradePlan {
  actions: Action[];
  done: boolean;
  waiting: string | null;
  status: UpgradeStatus;
  /** Rolling groups: the size the plan may temporarily grow to (surge). */
  sizeOverride: Map<string, number>;
  failure: { node: string; message: string } | null;
}

function nodeReadyOn(ctx: UpgradeContext, s: Server): boolean {
  const n = ctx.kubeNodes?.get(s.name);
  return Boolean(n?.ready) && n!.kubeletVersion === `v${ctx.spec.version}` && s.status === "ACTIVE";
}

/** One pass's working state: the progress being written and the actions decided. */
class Rollout {
  readonly status: UpgradeStatus;
  readonly actions: Action[] = [];
  readonly sizeOverride = new Map<string, number>();
  readonly servers: Server[];
  constructor(readonly ctx: UpgradeContext) {
    this.status = { ...ctx.status, nodes: { ...ctx.status.nodes }, sizes: { ...ctx.status.sizes } };
    this.servers = [...ctx.observed.servers.values()].filter(live).sort(byName);
  }
  mark(name: string, state: UpgradeStatus["nodes"][string]["state"], message?: string) {
    const prev = this.status.nodes[name];
    // Keep when the drain began, so a drain held back by a budget is forced after DRAIN_TIMEOUT_MS; and
    // when the rebuild or replacement began, so a node that never becomes Ready stops the upgrade in time.
    const since =
      state === "draining" || state === "replacing"
        ? prev?.state === state
          ? prev.since
          : this.ctx.now.toISOString()
        : undefined;
    this.status.nodes[name] = { state, ...(message ? { message } : {}), ...(since ? { since } : {}) };
  }
  wait(waiting: string | null, done = false): UpgradePlan {
    return {
      actions: this.actions,
      done,
      waiting,
      status: this.status,
      sizeOverride: this.sizeOverride,
      failure: null,
    };
  }
}

/** A server that failed during the rollout stops it (the cluster keeps serving); a retry repairs it. */
function failedServer(r: Rollout): UpgradePlan | null {
  const { ctx, status } = r;
  const { cloud, spec } = ctx;
  const late = ctx.status.failed ? r.servers.find((s) => s.name === ctx.status.failed!.node) : undefined;
  // A server in ERROR, or the node an earlier pass gave up on (running but never Ready on the new version).
  const failed =
    r.servers.find((s) => s.status === "ERROR") ?? (late && !nodeReadyOn(ctx, late) ? late : undefined);
  // The node given up on became Ready after all (a slow boot): the failure is over.
  if (late && !failed && ctx.status.failed?.node === late.name) status.failed = null;
  if (!failed) return lateNode(r);
  if (ctx.status.failed?.node === failed.name && ctx.status.failed.retried) {
    r.mark(failed.name, "replacing", "Retrying");
    const group = spec.nodeGroups.find((g) => g.name === groupOf(failed));
    if (isMaster(failed) || group!.upgrade.mode === "in-place") {
      return {
        actions: [
          {
            label: `Rebuild ${failed.name} again`,
            run: async () =>
              cloud.compute.rebuildServer(failed.id, ctx.imageId, {
                metadata: { ...failed.metadata, "kc-version": spec.version },
                userData: isMaster(failed)
                  ? ctx.masterUserData(failed)
                  : ctx.workerUserData(group!, failed.name),
              }),
          },
        ],
        done: false,
        waiting: `Retrying ${failed.name}`,
        status: { ...status, failed: null },
        sizeOverride: r.sizeOverride,
        failure: null,
      };
    }
    // A rolling group's new node: the prune replaces servers in ERROR; one that runs but never became
    // Ready is deleted here, and the infrastructure builds it again.
    status.failed = null;
    if (failed.status !== "ERROR") {
      r.actions.push({
        label: `Replace ${failed.name} (never Ready on ${spec.version})`,
        run: () => cloud.compute.deleteServer(failed.id),
      });
      return r.wait(`Replacing ${failed.name}`);
    }
    return null;
  }
  if (failed.status !== "ERROR") {
    // Still given up on (not retried yet): the failure stands.
    const message = ctx.status.failed!.message;
    return {
      actions: [],
      done: false,
      waiting: message,
      status: { ...status, failed: { ...ctx.status.failed! } },
      sizeOverride: r.sizeOverride,
      failure: { node: failed.name, message },
    };
  }
  const message = `${failed.name} failed during the upgrade: ${failed.fault?.message ?? "server in ERROR"}`;
  r.mark(failed.name, "failed", failed.fault?.message ?? "ERROR");
  return {
    actions: [],
    done: false,
    waiting: message,
    status: { ...status, failed: { node: failed.name, message, retried: false } },
    sizeOverride: r.sizeOverride,
    failure: { node: failed.name, message },
  };
}

/**
 * A node rebuilt (or built) for the new version that is still not Ready past
 * the deadline: the upgrade stops on it, named with the kubelet's reason,
 * and the cluster keeps serving on the others; Retry rebuilds it again (a
 * rolling group's new node: replaces it).
 */
function lateNode(r: Rollout): UpgradePlan | null {
  const { ctx, status } = r;
  // Only while the Kubernetes API answers: without it, nothing says whether a node is Ready.
  if (!ctx.kubeNodes) return null;
  const deadline = ctx.readyWaitMs ?? UPGRADE_NODE_READY_MS;
  for (const s of r.servers) {
    const n = status.nodes[s.name];
    if (n?.state !== "replacing" || !n.since || versionOf(s) !== ctx.spec.version || nodeReadyOn(ctx, s))
      continue;
    const waited = ctx.now.getTime() - Date.parse(n.since);
    if (!(waited >= deadline)) continue;
    const k = ctx.kubeNodes?.get(s.name);
    const why =
      k && !k.readyCondition && k.kubeletVersion !== `v${ctx.spec.version}`
        ? `its kubelet reports ${k.kubeletVersion}`
        : notReadyWhy(k);
    const message = `${s.name} is not Ready on ${ctx.spec.version} ${Math.round(waited / 60_000)} min after its ${
      isMaster(s) ? "rebuild" : "rebuild or replacement"
    } began (${why}). The upgrade stops here and the cluster keeps serving on the other nodes; look at the server's console log, then Retry to ${isMaster(s) ? "rebuild it again" : "rebuild or replace it again"}.`;
    r.mark(s.name, "failed", why);
    return {
      actions: [],
      done: false,
      waiting: message,
      status: { ...status, failed: { node: s.name, message, retried: false } },
      sizeOverride: r.sizeOverride,
      failure: { node: s.name, message },
    };
  }
  return null;
}

/** The control plane: one master at a time, and only while every master is Ready (quorum kept). */
function controlPlane(r: Rollout): UpgradePlan | null {
  const { ctx } = r;
  const { cloud, spec } = ctx;
  const masters = r.servers.filter(isMaster);
  const oldMasters = masters.filter((m) => versionOf(m) !== spec.version);
  if (oldMasters.length === 0 && masters.every((m) => nodeReadyOn(ctx, m))) return null;
  const busy = masters.find(
    (m) =>
      m.status !== "ACTIVE" ||
      !ctx.kubeNodes!.get(m.name)?.ready ||
      (versionOf(m) === spec.version && !nodeReadyOn(ctx, m)),
  );
  if (busy) {
    if (versionOf(busy) === spec.version) r.mark(busy.name, "replacing");
    return r.wait(
      `Waiting for master ${busy.name} to be Ready${versionOf(busy) === spec.version ? ` on ${spec.version}` : ""}`,
    );
  }
  const next = oldMasters[0]!;
  r.mark(next.name, "replacing");
  r.actions.push({
    label: `Upgrade master ${next.name} to ${spec.version} (rebuild)`,
    run: async () =>
      cloud.compute.rebuildServer(next.id, ctx.imageId, {
        metadata: { ...next.metadata, "kc-version": spec.version },
        userData: ctx.masterUserData(next),
      }),
    event: { type: "Normal", reason: "Upgrading", kind: "Node", name: next.name },
  });
  return r.wait(`Upgrading master ${next.name}`);
}

/** One node group with its strategy; null when the group is done. */
function nodeGroup(r: Rollout, g: NodeGroupSpec): UpgradePlan | null {
  const { ctx, status } = r;
  const { cloud, spec } = ctx;
  const kubeNodes = ctx.kubeNodes!;
  const strategy = g.upgrade;
  const members = r.servers.filter(
    (s) => groupOf(s) === g.name && workerIndex(spec.name, g.name, s.name) !== null,
  );
  const old = members.filter((s) => versionOf(s) !== spec.version);
  const size = (status.sizes[g.name] ??= ctx.groupTargets.get(g.name) ?? members.length);
  const ready = members.filter((s) => kubeNodes.get(s.name)?.ready && s.status === "ACTIVE").length;
  const floor = size - strategy.maxUnavailable;
  // In-place: a rebuilt node rejoins cordoned; uncordon it once Ready on the new version.
  const rejoining = members.filter(
    (s) =>
      versionOf(s) === spec.version &&
      status.nodes[s.name]?.state !== "done" &&
      status.nodes[s.name]?.state !== "pending",
  );
  for (const s of rejoining) {
    const n = kubeNodes.get(s.name);
    if (n?.ready && n.kubeletVersion === `v${spec.version}` && n.unschedulable)
      r.actions.push({ label: `Uncordon ${s.name}`, run: () => ctx.kube!.setUnschedulable(s.name, false) });
  }
  const groupDone =
    old.length === 0 &&
    members.length >= size &&
    members.every((s) => nodeReadyOn(ctx, s) && !kubeNodes.get(s.name)?.unschedulable);
  if (groupDone) return null;
  if (strategy.mode === "rolling") r.sizeOverride.set(g.name, size + Math.min(strategy.maxSurge, old.length));
  if (old.length === 0 || r.actions.length > 0)
    return r.wait(`Waiting for ${g.name} nodes on ${spec.version} to be Ready`);
  // One node of the group changes at a time; others wait until it is back.
  const inFlight = old.find((s) => status.nodes[s.name]?.state === "draining");
  const rebuilding = members.find(
    (s) => s.status === "REBUILD" || (versionOf(s) === spec.version && !nodeReadyOn(ctx, s)),
  );
  if (!inFlight && rebuilding) {
    r.mark(rebuilding.name, "replacing");
    return r.wait(`Waiting for ${rebuilding.name} to rejoin on ${spec.version}`);
  }
  const candidate = inFlight ?? old[0]!;
  // Taking the candidate out must keep at least size − maxUnavailable Ready nodes.
  const candidateReady = Boolean(kubeNodes.get(candidate.name)?.ready);
  if (!inFlight && ready - (candidateReady ? 1 : 0) < floor)
    return r.wait(
      strategy.mode === "rolling"
        ? `Waiting for a surge node of ${g.name} to be Ready`
        : `Waiting for ${g.name} to have more than ${floor} Ready nodes`,
    );
  r.mark(candidate.name, "draining");
  const since = status.nodes[candidate.name]?.since;
  const force =
    ctx.forceDrain ||
    (since !== undefined && ctx.now.getTime() - new Date(since).getTime() > DRAIN_TIMEOUT_MS);
  r.actions.push({
    label: `Drain ${candidate.name}`,
    run: async () => {
      const d = await drainNode(ctx.kube!, kubeNodes, candidate.name, force);
      if (!d.empty) {
        if (d.blocked) throw new DrainBlocked(candidate.name, d.blocked);
        return;
      }
      if (strategy.mode === "rolling") {
        await ctx.kube!.deleteNode(candidate.name);
        await cloud.compute.deleteServer(candidate.id);
      } else
        await cloud.compute.rebuildServer(candidate.id, ctx.imageId, {
          metadata: { ...candidate.metadata, "kc-version": spec.version },
          userData: ctx.workerUserData(g, candidate.name),
        });
    },
    event: { type: "Normal", reason: "Upgrading", kind: "Node", name: candidate.name },
  });
  return r.wait(`${strategy.mode === "rolling" ? "Replacing" : "Rebuilding"} ${candidate.name}`);
}

/** One pass of an upgrade: the next safe actions plus the per-node progress to store. */
export function upgradePlan(ctx: UpgradeContext): UpgradePlan {
  const r = new Rollout(ctx);
  const { spec } = ctx;
  // Nodes a rolling group replaced are gone: their part is done.
  for (const name of Object.keys(r.status.nodes))
    if (!r.servers.some((s) => s.name === name) && r.status.nodes[name]!.state !== "done")
      r.mark(name, "done", "replaced by a new node");
  for (const s of r.servers) {
    if (versionOf(s) === spec.version && nodeReadyOn(ctx, s) && !ctx.kubeNodes?.get(s.name)?.unschedulable)
      r.mark(s.name, "done");
    else if (!r.status.nodes[s.name]) r.mark(s.name, "pending");
  }
  const halted = failedServer(r);
  if (halted) return halted;
  if (!ctx.kube || !ctx.kubeNodes) return r.wait("Waiting for the Kubernetes API");
  const cp = controlPlane(r);
  if (cp) return cp;
  for (const g of spec.nodeGroups) {
    const step = nodeGroup(r, g);
    if (step) return step;
  }
  const done = r.servers.every((s) => versionOf(s) === spec.version && nodeReadyOn(ctx, s));
  return r.wait(done ? null : "Waiting for every node to be Ready", done);
}

export function emptyUpgradeStatus(from: string, to: string): UpgradeStatus {
  return { from, to, nodes: {}, sizes: {}, failed: null };
}

/** The upgrade flow's first phase: the rollout, and the surge sizes for the infrastructure after it. */
export function upgradePhase(scope: ClusterScope): PhaseResult {
  const { spec, api, cluster } = scope;
  const imageId = imageFor(scope.catalog, spec.version);
  const prev = scope.cluster.status.upgrade ?? null;
  const base =
    prev && prev.to === spec.version
      ? prev
      : emptyUpgradeStatus(
          scope.liveServers.map((s) => versionOf(s) ?? "").find((x) => x && x !== spec.version) ??
            spec.version,
          spec.version,
        );
  const p = upgradePlan({
    cloud: scope.cloud,
    spec,
    observed: scope.observed,
    kube: api?.kube ?? null,
    kubeNodes: api?.kubeNodes ?? null,
    status: base,
    forceDrain: base.forceDrain ?? false,
    imageId,
    now: scope.now,
    groupTargets: scope.plan.groupTargets,
    masterUserData: (s) => {
      const index = masterIndex(cluster.name, s.name);
      if (index === null) throw new Error(`${s.name} is not named as a master of ${cluster.name}`);
      return api!.userData.master(index, s.fixedIps[0]);
    },
    workerUserData: (g, nodeName) => api!.userData.worker(g, nodeName),
    readyWaitMs: scope.deps.nodeReadyWaitMs ?? UPGRADE_NODE_READY_MS,
  });
  const upgrade = p.done ? { ...p.status, completedAt: scope.now.toISOString() } : p.status;
  return {
    actions: p.actions,
    done: p.done && p.actions.length === 0,
    waiting: p.waiting,
    failure: p.failure ? { step: `Upgrade ${p.failure.node}`, message: p.failure.message } : null,
    status: () => ({ upgrade }),
    groupTargets: p.sizeOverride,
    progress: {
      done: Object.values(upgrade.nodes).filter((n) => n.state === "done").length,
      total: Math.max(1, scope.liveServers.length),
    },
  };
}
