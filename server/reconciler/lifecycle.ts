import type { UpgradeStatus } from "@/db/schema";
import type { ClusterSpec, NodeGroupSpec, UpgradeStrategy } from "@/server/contracts/cluster";
import { desiredGroupSize } from "@/server/domain/placement";
import type { KubeClient, KubeNode } from "@/server/kube/client";
import type { OpenStackCloud } from "@/server/openstack";
import type { Server } from "@/server/openstack/compute";
import { groupFromTags, workerIndex } from "./names";
import type { Observed } from "./observe";

/**
 * Stop, start and upgrade as level-triggered plans: each pass looks at the
 * servers (Nova) and the nodes (Kubernetes API) and returns the next safe
 * actions. Nothing here remembers what it did last time except what it
 * wrote into the cluster's status, so a pass killed at any point is simply
 * repeated.
 */

export interface LifecycleAction {
  label: string;
  run: () => Promise<unknown>;
  event?: { reason: string; kind: string; name: string; type?: "Normal" | "Warning" };
}

export interface LifecyclePlan {
  actions: LifecycleAction[];
  /** Nothing left to do for this flow. */
  done: boolean;
  /** What the flow waits for (shown as the operation's current step). */
  waiting: string | null;
}

const DEFAULT_STRATEGY: UpgradeStrategy = { mode: "rolling", maxSurge: 1, maxUnavailable: 0 };
export const strategyOf = (g: NodeGroupSpec): UpgradeStrategy => g.upgrade ?? DEFAULT_STRATEGY;

const isMaster = (s: Server) => s.tags.includes("kc-role=master");
const groupOf = (s: Server) => groupFromTags(s.tags);
const live = (s: Server) => s.taskState !== "deleting";
const byName = (a: Server, b: Server) => a.name.localeCompare(b.name, undefined, { numeric: true });

// ── stop ──────────────────────────────────────────────────────────────────────

/** Cordon workers, stop workers, then masters (disks, network, LB and addresses stay). */
export function stopPlan(args: {
  cloud: OpenStackCloud;
  observed: Observed;
  kube: KubeClient | null;
  kubeNodes: Map<string, KubeNode> | null;
  cordonedByStop: string[];
}): LifecyclePlan & { cordoned: string[] } {
  const { cloud, observed: o, kube, kubeNodes } = args;
  const servers = [...o.servers.values()].filter(live).sort(byName);
  const workers = servers.filter((s) => !isMaster(s));
  const masters = servers.filter(isMaster);
  const actions: LifecycleAction[] = [];
  const cordoned = [...args.cordonedByStop];
  // Cordon first (while the API still answers), so nothing is scheduled onto a node about to stop.
  if (kube && kubeNodes) {
    for (const w of workers) {
      const n = kubeNodes.get(w.name);
      if (n && !n.unschedulable && w.status === "ACTIVE") {
        cordoned.push(w.name);
        actions.push({ label: `Cordon ${w.name}`, run: () => kube.setUnschedulable(w.name, true) });
      }
    }
  }
  const toStop = (list: Server[]) =>
    list
      .filter((s) => s.status === "ACTIVE" && !s.taskState)
      .map((s) => ({
        label: `Stop ${s.name}`,
        run: () => cloud.compute.stopServer(s.id),
        event: { reason: "Stopping", kind: "Node", name: s.name },
      }));
  const workersDown = workers.every((s) => s.status === "SHUTOFF" || s.status === "ERROR");
  if (actions.length === 0) actions.push(...toStop(workers));
  if (workersDown) actions.push(...toStop(masters));
  const done = servers.every((s) => s.status === "SHUTOFF" || s.status === "ERROR");
  const busy = servers.find((s) => s.taskState === "powering-off");
  return {
    actions,
    done,
    waiting: done
      ? null
      : busy
        ? `Waiting for ${busy.name} to power off`
        : workersDown
          ? "Stopping masters"
          : "Stopping workers",
    cordoned: [...new Set(cordoned)],
  };
}

// ── start ─────────────────────────────────────────────────────────────────────

/** Masters first; workers once the API answers; then uncordon what the stop cordoned once Ready. */
export function startPlan(args: {
  cloud: OpenStackCloud;
  observed: Observed;
  kube: KubeClient | null;
  kubeNodes: Map<string, KubeNode> | null;
  apiHealthy: boolean;
  /** False for a private API the console cannot reach: then servers are only checked through Nova. */
  apiReachable: boolean;
  cordonedByStop: string[];
}): LifecyclePlan & { cordoned: string[] } {
  const { cloud, observed: o, kube, kubeNodes } = args;
  const apiHealthy = args.apiHealthy || !args.apiReachable;
  const servers = [...o.servers.values()].filter(live).sort(byName);
  const masters = servers.filter(isMaster);
  const workers = servers.filter((s) => !isMaster(s));
  const actions: LifecycleAction[] = [];
  const start = (s: Server) => ({
    label: `Start ${s.name}`,
    run: () => cloud.compute.startServer(s.id),
    event: { reason: "Starting", kind: "Node", name: s.name },
  });
  for (const m of masters) if (m.status === "SHUTOFF" && !m.taskState) actions.push(start(m));
  const mastersUp = masters.every((m) => m.status === "ACTIVE" && !m.taskState);
  if (mastersUp && apiHealthy)
    for (const w of workers) if (w.status === "SHUTOFF" && !w.taskState) actions.push(start(w));
  let cordoned = [...args.cordonedByStop];
  let allReady = !args.apiReachable;
  if (kube && kubeNodes && apiHealthy) {
    allReady = servers.every((s) => kubeNodes.get(s.name)?.ready === true);
    for (const name of args.cordonedByStop) {
      const n = kubeNodes.get(name);
      if (!n) {
        cordoned = cordoned.filter((x) => x !== name);
        continue;
      }
      if (n.ready && n.unschedulable)
        actions.push({ label: `Uncordon ${name}`, run: () => kube.setUnschedulable(name, false) });
      if (n.ready && !n.unschedulable) cordoned = cordoned.filter((x) => x !== name);
    }
  }
  const serversUp = servers.every((s) => s.status === "ACTIVE" && !s.taskState);
  const done = serversUp && allReady && cordoned.length === 0;
  return {
    actions,
    done,
    waiting: done
      ? null
      : !mastersUp
        ? "Starting masters"
        : !apiHealthy
          ? "Waiting for the Kubernetes API to answer"
          : !serversUp
            ? "Starting workers"
            : "Waiting for every node to be Ready",
    cordoned,
  };
}

// ── upgrade ───────────────────────────────────────────────────────────────────

export const versionOf = (s: Server) => s.metadata["kc-version"] ?? null;

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
  masterUserData: (server: Server) => Promise<string>;
  workerUserData: (group: NodeGroupSpec) => string;
}

/** Servers still on another version than the spec's. */
export function outdated(spec: ClusterSpec, o: Observed): Server[] {
  return [...o.servers.values()].filter((s) => live(s) && versionOf(s) !== spec.version).sort(byName);
}

function nodeReadyOn(ctx: UpgradeContext, s: Server): boolean {
  const n = ctx.kubeNodes?.get(s.name);
  return Boolean(n?.ready) && n!.kubeletVersion === `v${ctx.spec.version}` && s.status === "ACTIVE";
}

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

/**
 * One pass of an upgrade: control plane first, one master at a time and
 * only while every other master is Ready (etcd keeps quorum); then node
 * groups one after another with their strategy. Returns actions plus the
 * per-node progress to store.
 */
export function upgradePlan(ctx: UpgradeContext): LifecyclePlan & {
  status: UpgradeStatus;
  /** Rolling groups: the size the plan may temporarily grow to (surge). */
  sizeOverride: Map<string, number>;
  failure: { node: string; message: string } | null;
} {
  const { cloud, spec, observed: o } = ctx;
  const status: UpgradeStatus = {
    ...ctx.status,
    nodes: { ...ctx.status.nodes },
    sizes: { ...ctx.status.sizes },
  };
  const actions: LifecycleAction[] = [];
  const sizeOverride = new Map<string, number>();
  const servers = [...o.servers.values()].filter(live).sort(byName);
  const mark = (name: string, state: UpgradeStatus["nodes"][string]["state"], message?: string) => {
    const prev = status.nodes[name];
    // Keep when the drain began, so a drain held back by a budget is forced after DRAIN_TIMEOUT_MS.
    const since =
      state === "draining" ? (prev?.state === "draining" ? prev.since : ctx.now.toISOString()) : undefined;
    status.nodes[name] = { state, ...(message ? { message } : {}), ...(since ? { since } : {}) };
  };
  // Nodes a rolling group replaced are gone: their part is done.
  for (const name of Object.keys(status.nodes))
    if (!servers.some((s) => s.name === name) && status.nodes[name]!.state !== "done")
      mark(name, "done", "replaced by a new node");
  for (const s of servers) {
    const prev = status.nodes[s.name];
    if (versionOf(s) === spec.version && nodeReadyOn(ctx, s) && !ctx.kubeNodes?.get(s.name)?.unschedulable)
      mark(s.name, "done");
    else if (!prev) mark(s.name, "pending");
  }
  // A server that failed during the rollout stops it (the cluster keeps serving); retry repairs it.
  const failed = servers.find((s) => s.status === "ERROR");
  if (failed) {
    if (ctx.status.failed?.node === failed.name && ctx.status.failed.retried) {
      mark(failed.name, "replacing", "Retrying");
      if (
        isMaster(failed) ||
        strategyOf(spec.nodeGroups.find((g) => g.name === groupOf(failed))!).mode === "in-place"
      ) {
        return {
          actions: [
            {
              label: `Rebuild ${failed.name} again`,
              run: async () =>
                cloud.compute.rebuildServer(failed.id, ctx.imageId, {
                  metadata: { ...failed.metadata, "kc-version": spec.version },
                  userData: isMaster(failed)
                    ? await ctx.masterUserData(failed)
                    : ctx.workerUserData(spec.nodeGroups.find((g) => g.name === groupOf(failed))!),
                }),
            },
          ],
          done: false,
          waiting: `Retrying ${failed.name}`,
          status: { ...status, failed: null },
          sizeOverride,
          failure: null,
        };
      }
      // A rolling group's new node: the prune replaces failed servers; carry on.
      status.failed = null;
    } else {
      const message = `${failed.name} failed during the upgrade: ${failed.fault?.message ?? "server in ERROR"}`;
      mark(failed.name, "failed", failed.fault?.message ?? "ERROR");
      return {
        actions: [],
        done: false,
        waiting: message,
        status: { ...status, failed: { node: failed.name, message, retried: false } },
        sizeOverride,
        failure: { node: failed.name, message },
      };
    }
  }
  if (!ctx.kube || !ctx.kubeNodes)
    return {
      actions,
      done: false,
      waiting: "Waiting for the Kubernetes API",
      status,
      sizeOverride,
      failure: null,
    };

  // ── control plane: one master at a time, quorum kept ───────────────────────
  const masters = servers.filter(isMaster);
  const oldMasters = masters.filter((m) => versionOf(m) !== spec.version);
  if (oldMasters.length > 0 || !masters.every((m) => nodeReadyOn(ctx, m))) {
    // Only while every master is Ready: with 3 (or 5) masters, etcd keeps its quorum.
    const busy = masters.find(
      (m) =>
        m.status !== "ACTIVE" ||
        !ctx.kubeNodes!.get(m.name)?.ready ||
        (versionOf(m) === spec.version && !nodeReadyOn(ctx, m)),
    );
    if (busy) {
      if (versionOf(busy) === spec.version) mark(busy.name, "replacing");
      return {
        actions,
        done: false,
        waiting: `Waiting for master ${busy.name} to be Ready${versionOf(busy) === spec.version ? ` on ${spec.version}` : ""}`,
        status,
        sizeOverride,
        failure: null,
      };
    }
    const next = oldMasters[0]!;
    mark(next.name, "replacing");
    actions.push({
      label: `Upgrade master ${next.name} to ${spec.version} (rebuild)`,
      run: async () =>
        cloud.compute.rebuildServer(next.id, ctx.imageId, {
          metadata: { ...next.metadata, "kc-version": spec.version },
          userData: await ctx.masterUserData(next),
        }),
      event: { reason: "Upgrading", kind: "Node", name: next.name },
    });
    return {
      actions,
      done: false,
      waiting: `Upgrading master ${next.name}`,
      status,
      sizeOverride,
      failure: null,
    };
  }

  // ── node groups, one at a time ─────────────────────────────────────────────
  for (const g of spec.nodeGroups) {
    const strategy = strategyOf(g);
    const members = servers.filter(
      (s) => groupOf(s) === g.name && workerIndex(spec.name, g.name, s.name) !== null,
    );
    const old = members.filter((s) => versionOf(s) !== spec.version);
    const size = (status.sizes[g.name] ??= desiredGroupSize(g, members.length));
    const ready = members.filter((s) => ctx.kubeNodes!.get(s.name)?.ready && s.status === "ACTIVE").length;
    const floor = size - strategy.maxUnavailable;
    // In-place: a rebuilt node rejoins cordoned; uncordon it once Ready on the new version.
    const rejoining = members.filter(
      (s) =>
        versionOf(s) === spec.version &&
        status.nodes[s.name]?.state !== "done" &&
        status.nodes[s.name]?.state !== "pending",
    );
    for (const s of rejoining) {
      const n = ctx.kubeNodes.get(s.name);
      if (n?.ready && n.kubeletVersion === `v${spec.version}` && n.unschedulable)
        actions.push({ label: `Uncordon ${s.name}`, run: () => ctx.kube!.setUnschedulable(s.name, false) });
    }
    const groupDone =
      old.length === 0 &&
      members.length >= size &&
      members.every((s) => nodeReadyOn(ctx, s) && !ctx.kubeNodes!.get(s.name)?.unschedulable);
    if (groupDone) continue;
    if (strategy.mode === "rolling") sizeOverride.set(g.name, size + Math.min(strategy.maxSurge, old.length));
    if (old.length === 0 || actions.length > 0)
      return {
        actions,
        done: false,
        waiting: `Waiting for ${g.name} nodes on ${spec.version} to be Ready`,
        status,
        sizeOverride,
        failure: null,
      };
    // One node of the group changes at a time; others wait until it is back.
    const inFlight = old.find((s) => status.nodes[s.name]?.state === "draining");
    const rebuilding = members.find(
      (s) => s.status === "REBUILD" || (versionOf(s) === spec.version && !nodeReadyOn(ctx, s)),
    );
    if (!inFlight && rebuilding) {
      mark(rebuilding.name, "replacing");
      return {
        actions,
        done: false,
        waiting: `Waiting for ${rebuilding.name} to rejoin on ${spec.version}`,
        status,
        sizeOverride,
        failure: null,
      };
    }
    const candidate = inFlight ?? old[0]!;
    // Taking the candidate out must keep at least size − maxUnavailable Ready nodes.
    const candidateReady = Boolean(ctx.kubeNodes.get(candidate.name)?.ready);
    if (!inFlight && ready - (candidateReady ? 1 : 0) < floor) {
      return {
        actions,
        done: false,
        waiting:
          strategy.mode === "rolling"
            ? `Waiting for a surge node of ${g.name} to be Ready`
            : `Waiting for ${g.name} to have more than ${floor} Ready nodes`,
        status,
        sizeOverride,
        failure: null,
      };
    }
    mark(candidate.name, "draining");
    const since = status.nodes[candidate.name]?.since;
    const force =
      ctx.forceDrain ||
      (since !== undefined && ctx.now.getTime() - new Date(since).getTime() > DRAIN_TIMEOUT_MS);
    actions.push({
      label: `Drain ${candidate.name}`,
      run: async () => {
        const r = await drainNode(ctx.kube!, ctx.kubeNodes, candidate.name, force);
        if (!r.empty) {
          if (r.blocked) throw new DrainBlocked(candidate.name, r.blocked);
          return;
        }
        if (strategy.mode === "rolling") {
          await cloud.compute.deleteServer(candidate.id);
        } else {
          await cloud.compute.rebuildServer(candidate.id, ctx.imageId, {
            metadata: { ...candidate.metadata, "kc-version": spec.version },
            userData: ctx.workerUserData(g),
          });
        }
      },
      event: { reason: "Upgrading", kind: "Node", name: candidate.name },
    });
    return {
      actions,
      done: false,
      waiting: `${strategy.mode === "rolling" ? "Replacing" : "Rebuilding"} ${candidate.name}`,
      status,
      sizeOverride,
      failure: null,
    };
  }
  const done = servers.every((s) => versionOf(s) === spec.version && nodeReadyOn(ctx, s));
  return {
    actions,
    done,
    waiting: done ? null : "Waiting for every node to be Ready",
    status,
    sizeOverride,
    failure: null,
  };
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

export function emptyUpgradeStatus(from: string, to: string): UpgradeStatus {
  return { from, to, nodes: {}, sizes: {}, failed: null };
}
