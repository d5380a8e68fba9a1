import { bootOf, decideJoin, joinedBefore, joinedThisBoot, type NodeConfig } from "./join";
import type { Engine } from "../engine";
import type { Server } from "../state";
import type { KubeClusterState, KubeEvent, Pdb, Pod } from "./types";

/**
 * The emulated Kubernetes side of a cluster. A cluster exists here because
 * its servers booted with a cluster's cloud-config (user data), exactly as
 * a real node joins: masters carry the API server's PKI, every node a
 * node.json with its cluster, role, group, labels and taints. Nodes are
 * derived from the Nova servers on every look (a stopped server is a
 * NotReady node, a rebuilt one rejoins with its new image's kubelet);
 * only what Kubernetes itself stores (cordons, pods, events) is kept.
 */

export interface NodeView {
  name: string;
  server: Server;
  config: NodeConfig;
  ready: boolean;
  kubeletVersion: string;
  flavor: { name: string; vcpus: number; ram: number } | null;
  ip: string | null;
  unschedulable: boolean;
  createdAt: number;
  /** Carries node.cloudprovider.kubernetes.io/uninitialized: only pods that tolerate it run there. */
  uninitialized: boolean;
  /** The cloud controller initialized it (provider id, zone and instance type). */
  cloudInitialized: boolean;
}

/** Base delays of a real cluster, divided by the emulator's speed. */
const KUBELET_READY_MS = 20_000;
const POD_START_MS = 5_000;
/** Pods on a node NotReady this long are evicted (the default unreachable toleration, 300 s). */
export const NOT_READY_EVICTION_MS = 300_000;
const MAX_EVENTS = 1_000;

/** The node identity a server's user data gives its kubelet, when it is a Kubernetes node at all. */
export function nodeConfigOf(srv: Server): NodeConfig | null {
  return bootOf(srv).config;
}

/** A real cluster's delay `ms` at the emulator's speed. */
export const scaled = (engine: Engine, ms: number) =>
  engine.speed === Number.POSITIVE_INFINITY ? 0 : Math.round(ms / engine.speed);

function ipOf(engine: Engine, srv: Server): string | null {
  for (const pid of srv.portIds) {
    const ip = engine.state.ports[pid]?.fixedIps[0]?.ipAddress;
    if (ip) return ip;
  }
  return null;
}

/**
 * Every node of every emulated cluster: the servers whose user data joined
 * (kube/join.ts decides, once per boot). Masters first, so a worker's
 * discovery sees the API its cluster's masters serve.
 */
export function allNodes(engine: Engine): Map<string, NodeView[]> {
  const out = new Map<string, NodeView[]>();
  const now = engine.now();
  const joins = (engine.state.nodeJoins ??= {});
  for (const id of Object.keys(joins)) if (!engine.state.servers[id]) delete joins[id];
  // Nodes that joined before first (their masters serve the API a joining node discovers), then masters.
  const rank = (srv: Server) =>
    (joinedThisBoot(engine, srv) ? 2 : 0) + (bootOf(srv).config?.role === "master" ? 1 : 0);
  const candidates = Object.values(engine.state.servers)
    .filter((srv) => srv.launchedAt !== null && bootOf(srv).mode !== null)
    .sort((a, b) => rank(b) - rank(a));
  const apiUp = (clusterId: string) => apiServers(out.get(clusterId) ?? []).length > 0;
  for (const srv of candidates) {
    const boot = bootOf(srv);
    const image = engine.state.images.find((i) => i.id === srv.imageId);
    const readyAt = srv.launchedAt! + scaled(engine, KUBELET_READY_MS);
    const verdict = decideJoin({
      engine,
      srv,
      boot,
      readyAt,
      imageVersion: image?.properties.kubernetes_version ?? null,
      apiUp,
    });
    // Never registered; or a rebuilt node still rejoining, whose Node object stays (NotReady) meanwhile.
    const rejoining = verdict.state === "waiting" && joinedBefore(engine, srv);
    if ((verdict.state !== "joined" && !rejoining) || !boot.config) continue;
    const config = boot.config;
    const k = engine.state.kube[config.clusterId];
    const clusterName = k?.name ?? config.clusterName;
    const flavor = engine.state.flavors.find((f) => f.id === srv.flavorId) ?? null;
    const ready =
      !rejoining &&
      !k?.failed?.[srv.name] &&
      srv.status === "ACTIVE" &&
      srv.taskState !== "deleting" &&
      now >= readyAt;
    const list = out.get(config.clusterId) ?? [];
    list.push({
      name: srv.name,
      server: srv,
      config: { ...config, clusterName },
      ready,
      kubeletVersion: `v${image?.properties.kubernetes_version ?? "0.0.0"}`,
      flavor: flavor ? { name: flavor.name, vcpus: flavor.vcpus, ram: flavor.ram } : null,
      ip: ipOf(engine, srv),
      unschedulable: Boolean(k?.cordoned[srv.name]),
      createdAt: k?.seen[srv.name]?.createdAt ?? srv.launchedAt!,
      uninitialized: config.externalCloudProvider && !k?.initialized?.[srv.name],
      cloudInitialized: !config.externalCloudProvider || k?.initialized?.[srv.name] === "cloud",
    });
    out.set(config.clusterId, list);
  }
  for (const list of out.values())
    list.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  return out;
}

/** Masters whose API server answers (ready kubelet on an ACTIVE server). */
export function apiServers(nodes: NodeView[]): NodeView[] {
  return nodes.filter((n) => n.config.role === "master" && n.ready);
}

export function recordEvent(k: KubeClusterState, now: number, e: Omit<KubeEvent, "id" | "at">): void {
  k.events.push({ ...e, id: ++k.eventSeq, at: now });
  if (k.events.length > MAX_EVENTS) k.events.splice(0, k.events.length - MAX_EVENTS);
  k.resourceVersion++;
}

export function podReady(engine: Engine, p: Pod, nodes: Map<string, NodeView>): boolean {
  if (!p.node || p.scheduledAt === null) return false;
  const n = nodes.get(p.node);
  return Boolean(n?.ready) && engine.now() >= p.scheduledAt + scaled(engine, POD_START_MS);
}

/** A budget's status as the disruption controller computes it (expected, healthy, desired, allowed). */
export function pdbStatus(engine: Engine, k: KubeClusterState, pdb: Pdb, nodes: Map<string, NodeView>) {
  const expected =
    k.deployments.find((d) => d.namespace === pdb.namespace && d.name === pdb.app)?.replicas ?? 0;
  const healthy = k.pods.filter(
    (p) => p.app === pdb.app && p.namespace === pdb.namespace && podReady(engine, p, nodes),
  ).length;
  const desired = pdb.minAvailable ?? Math.max(0, expected - (pdb.maxUnavailable ?? 0));
  return { expected, healthy, desired, allowed: Math.max(0, healthy - desired) };
}

/** The budget that forbids evicting `pod` now, with its status; null when the eviction is allowed. */
export function evictionBlockedBy(
  engine: Engine,
  k: KubeClusterState,
  pod: Pod,
  nodes: Map<string, NodeView>,
): { pdb: Pdb; status: ReturnType<typeof pdbStatus> } | null {
  for (const pdb of k.pdbs) {
    if (pdb.namespace !== pod.namespace || pdb.app !== pod.app) continue;
    const status = pdbStatus(engine, k, pdb, nodes);
    if (status.allowed <= 0) return { pdb, status };
  }
  return null;
}

export function removePod(engine: Engine, k: KubeClusterState, pod: Pod, reason: string): void {
  k.pods = k.pods.filter((p) => p.uid !== pod.uid);
  recordEvent(k, engine.now(), {
    namespace: pod.namespace,
    kind: "Pod",
    name: pod.name,
    reason: "Killing",
    message: `Stopping container ${pod.app} (${reason})`,
    type: "Normal",
    component: "kubelet",
  });
}
