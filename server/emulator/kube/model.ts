import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { NODE_CONFIG_PATH, NodeConfig } from "@/server/contracts/node-config";
import type { Engine } from "../engine";
import type { Server } from "../state";
import { admissionDenials, recordDenied, syncReleases } from "./gatekeeper";
import { DEFAULT_LOAD, elasticReplicas, loadFactor, schedulePods, type LoadProfile } from "./workload";

/**
 * The emulated Kubernetes side of a cluster. A cluster exists here because
 * its servers booted with a cluster's cloud-config (user data), exactly as
 * a real node joins: masters carry the API server's PKI, every node a
 * node.json with its cluster, role, group, labels and taints. Nodes are
 * derived from the Nova servers on every look (a stopped server is a
 * NotReady node, a rebuilt one rejoins with its new image's kubelet);
 * only what Kubernetes itself stores (cordons, pods, events) is kept.
 */

const CloudConfig = z.object({
  write_files: z.array(z.object({ path: z.string(), content: z.string() })).default([]),
});

export interface ContainerSpec {
  name: string;
  image: string;
  securityContext?: Record<string, unknown>;
  ports?: Array<{ containerPort: number; hostPort?: number; protocol?: string }>;
  limits?: { cpu?: string; memory?: string };
}
/** The parts of a pod template the policies look at. */
export interface PodTemplate {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: Record<string, unknown>;
  volumes?: Array<{ name: string; hostPath?: { path: string } }>;
  containers: ContainerSpec[];
}
export interface Deployment {
  namespace: string;
  name: string;
  replicas: number;
  cpuMilli: number;
  memoryMi: number;
  template: PodTemplate;
  /** The release (addon) this deployment belongs to, when an addon installed it. */
  release?: string;
  /** Scaled with the load like a HorizontalPodAutoscaler: `base` replicas at load 1, within min..max. */
  elastic?: { base: number; min: number; max: number };
}
export interface Service {
  namespace: string;
  name: string;
  type: "ClusterIP" | "NodePort" | "LoadBalancer";
  ports: Array<{ port: number; nodePort?: number }>;
  release?: string;
}
/** A stored object the emulated API keeps as it was written (ConfigMaps, Gatekeeper resources). */
export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid: string;
    resourceVersion: string;
    generation: number;
    creationTimestamp: string;
  };
  [key: string]: unknown;
}
export interface Pdb {
  namespace: string;
  name: string;
  /** Pods of this deployment (label app=<name>). */
  app: string;
  minAvailable?: number;
  maxUnavailable?: number;
}
export interface Pod {
  namespace: string;
  name: string;
  app: string;
  uid: string;
  node: string | null;
  createdAt: number;
  scheduledAt: number | null;
  /** When the scheduler first found no node for it, and last said so (FailedScheduling). */
  unschedulableAt?: number;
  lastFailedSchedulingAt?: number;
}
export interface KubeEvent {
  id: number;
  namespace: string;
  kind: string;
  name: string;
  reason: string;
  message: string;
  type: "Normal" | "Warning";
  component: string;
  at: number;
}
/** A client still calling an API version that a later release removes (apiserver_requested_deprecated_apis). */
export interface DeprecatedApiUse {
  group: string;
  version: string;
  resource: string;
  removedRelease: string;
  requests: number;
}

export interface KubeClusterState {
  id: string;
  name: string;
  createdAt: number;
  cordoned: Record<string, true>;
  deployments: Deployment[];
  services: Service[];
  /** ConfigMaps by `namespace/name` (addon releases live in kube-system). */
  configMaps: Record<string, StoredObject>;
  /** Gatekeeper ConstraintTemplates by name, and constraints by `kind/name`. */
  templates: Record<string, StoredObject>;
  constraints: Record<string, StoredObject>;
  /** When admission last refused a deployment's pod (one FailedCreate event a minute). */
  admissionDenied: Record<string, number>;
  pdbs: Pdb[];
  deprecatedApis: DeprecatedApiUse[];
  pods: Pod[];
  events: KubeEvent[];
  eventSeq: number;
  podSeq: number;
  resourceVersion: number;
  /** Last seen readiness per node (and since when), to turn changes into events. */
  seen: Record<string, { ready: boolean; createdAt: number; since?: number }>;
  /** The customer's load (see workload.ts). */
  load: LoadProfile;
  /** Nodes whose kubelet was made to fail (admin API), by name: when. */
  failed: Record<string, number>;
  /** Serving certificate and client-CA bundle pushed through the kube-system/kc-apiserver-pki Secret. */
  pki: { caBundle: string; cert: string; key: string } | null;
}

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
}

/** Base delays of a real cluster, divided by the emulator's speed. */
const KUBELET_READY_MS = 20_000;
const POD_START_MS = 5_000;
/** Pods on a node NotReady this long are evicted (the default unreachable toleration, 300 s). */
const NOT_READY_EVICTION_MS = 300_000;
const MAX_EVENTS = 1_000;

const parsed = new Map<string, { raw: string | null; files: Map<string, string> }>();

/** The files a server's cloud-config writes (cached per user-data value). */
export function filesOf(srv: Server): Map<string, string> {
  const hit = parsed.get(srv.id);
  if (hit && hit.raw === srv.userData) return hit.files;
  const files = new Map<string, string>();
  try {
    const text = srv.userData ? Buffer.from(srv.userData, "base64").toString("utf8") : "";
    if (text.startsWith("#cloud-config")) {
      const cc = CloudConfig.safeParse(parseYaml(text));
      if (cc.success) for (const f of cc.data.write_files) files.set(f.path, f.content);
    }
  } catch {
    // Not YAML: not a Kubernetes node.
  }
  parsed.set(srv.id, { raw: srv.userData, files });
  return files;
}

export function nodeConfigOf(srv: Server): NodeConfig | null {
  const raw = filesOf(srv).get(NODE_CONFIG_PATH);
  if (!raw) return null;
  try {
    const r = NodeConfig.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

const scaled = (engine: Engine, ms: number) =>
  engine.speed === Number.POSITIVE_INFINITY ? 0 : Math.round(ms / engine.speed);

function ipOf(engine: Engine, srv: Server): string | null {
  for (const pid of srv.portIds) {
    const ip = engine.state.ports[pid]?.fixedIps[0]?.ipAddress;
    if (ip) return ip;
  }
  return null;
}

/** Every node of every emulated cluster, from the servers that booted with a node config. */
export function allNodes(engine: Engine): Map<string, NodeView[]> {
  const out = new Map<string, NodeView[]>();
  const now = engine.now();
  for (const srv of Object.values(engine.state.servers)) {
    if (srv.launchedAt === null) continue; // never booted: kubelet never registered
    const config = nodeConfigOf(srv);
    if (!config) continue;
    const k = engine.state.kube[config.clusterId];
    const image = engine.state.images.find((i) => i.id === srv.imageId);
    const flavor = engine.state.flavors.find((f) => f.id === srv.flavorId) ?? null;
    const ready =
      !k?.failed?.[srv.name] &&
      srv.status === "ACTIVE" &&
      srv.taskState !== "deleting" &&
      now >= srv.launchedAt + scaled(engine, KUBELET_READY_MS);
    const list = out.get(config.clusterId) ?? [];
    list.push({
      name: srv.name,
      server: srv,
      config,
      ready,
      kubeletVersion: `v${image?.properties.kubernetes_version ?? "0.0.0"}`,
      flavor: flavor ? { name: flavor.name, vcpus: flavor.vcpus, ram: flavor.ram } : null,
      ip: ipOf(engine, srv),
      unschedulable: Boolean(k?.cordoned[srv.name]),
      createdAt: k?.seen[srv.name]?.createdAt ?? srv.launchedAt,
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

/** A container set up the way pod security asks (non-root, no escalation, RuntimeDefault seccomp). */
export function hardened(
  name: string,
  image: string,
  extra: Partial<ContainerSpec> = {},
  readOnly = true,
): ContainerSpec {
  return {
    name,
    image,
    securityContext: {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      readOnlyRootFilesystem: readOnly,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    limits: { cpu: "500m", memory: "512Mi" },
    ...extra,
  };
}

/**
 * The sample workload every emulated cluster starts with: what a customer
 * has deployed. The dashboards, upgrade checks and policy audit read it.
 * Some of it breaks the pre-configured policies on purpose: ops/node-agent
 * is privileged on the host network with host paths, default/debug-shell
 * escalates privileges with SYS_ADMIN, shop/checkout pulls from a private
 * registry without limits or a team label, and a NodePort service exists.
 */
export function sampleWorkload(): Pick<
  KubeClusterState,
  "deployments" | "pdbs" | "deprecatedApis" | "services"
> {
  return {
    deployments: [
      {
        namespace: "kube-system",
        name: "coredns",
        replicas: 2,
        cpuMilli: 100,
        memoryMi: 70,
        template: {
          labels: { app: "coredns", "k8s-app": "kube-dns" },
          containers: [
            hardened("coredns", "registry.k8s.io/coredns/coredns:v1.12.0", {
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
              },
            }),
          ],
        },
      },
      {
        namespace: "default",
        name: "web",
        replicas: 3,
        cpuMilli: 100,
        memoryMi: 128,
        elastic: { base: 3, min: 2, max: 60 },
        // nginx writes its cache to the root filesystem.
        template: {
          labels: { app: "web", team: "storefront" },
          containers: [hardened("nginx", "docker.io/library/nginx:1.27.3", {}, false)],
        },
      },
      {
        namespace: "default",
        name: "api",
        replicas: 2,
        cpuMilli: 200,
        memoryMi: 256,
        elastic: { base: 2, min: 2, max: 30 },
        template: {
          labels: { app: "api", team: "backend" },
          containers: [hardened("api", "ghcr.io/acme/api:2.4.1")],
        },
      },
      {
        namespace: "shop",
        name: "checkout",
        replicas: 2,
        cpuMilli: 100,
        memoryMi: 128,
        template: {
          labels: { app: "checkout" },
          containers: [
            { ...hardened("checkout", "registry.acme.example/shop/checkout:1.9.0"), limits: undefined },
          ],
        },
      },
      {
        namespace: "ops",
        name: "node-agent",
        replicas: 2,
        cpuMilli: 50,
        memoryMi: 64,
        template: {
          labels: { app: "node-agent", team: "sre" },
          hostNetwork: true,
          hostPID: true,
          volumes: [
            { name: "logs", hostPath: { path: "/var/log" } },
            { name: "proc", hostPath: { path: "/proc" } },
          ],
          containers: [
            {
              name: "agent",
              image: "docker.io/acme/node-agent:0.9.2",
              securityContext: { privileged: true },
              limits: { cpu: "200m", memory: "256Mi" },
            },
          ],
        },
      },
      {
        namespace: "default",
        name: "debug-shell",
        replicas: 1,
        cpuMilli: 10,
        memoryMi: 32,
        template: {
          labels: { app: "debug-shell" },
          containers: [
            {
              name: "shell",
              image: "docker.io/library/busybox:1.36",
              securityContext: {
                allowPrivilegeEscalation: true,
                capabilities: { add: ["SYS_ADMIN"] },
                seccompProfile: { type: "RuntimeDefault" },
              },
            },
          ],
        },
      },
    ],
    services: [
      { namespace: "default", name: "web", type: "ClusterIP", ports: [{ port: 80 }] },
      { namespace: "default", name: "api", type: "ClusterIP", ports: [{ port: 8080 }] },
      {
        namespace: "shop",
        name: "checkout-nodeport",
        type: "NodePort",
        ports: [{ port: 80, nodePort: 31080 }],
      },
    ],
    pdbs: [
      { namespace: "kube-system", name: "coredns", app: "coredns", minAvailable: 1 },
      { namespace: "default", name: "web", app: "web", maxUnavailable: 1 },
      // Blocks every voluntary eviction: as many pods required as there are replicas.
      { namespace: "shop", name: "checkout", app: "checkout", minAvailable: 2 },
    ],
    deprecatedApis: [
      {
        group: "resource.k8s.io",
        version: "v1beta1",
        resource: "resourceclaimtemplates",
        removedRelease: "1.36",
        requests: 42,
      },
      {
        group: "storage.k8s.io",
        version: "v1beta1",
        resource: "volumeattributesclasses",
        removedRelease: "1.37",
        requests: 7,
      },
    ],
  };
}

export function newCluster(config: NodeConfig, now: number): KubeClusterState {
  return {
    id: config.clusterId,
    name: config.clusterName,
    createdAt: now,
    cordoned: {},
    ...sampleWorkload(),
    configMaps: {},
    templates: {},
    constraints: {},
    admissionDenied: {},
    pods: [],
    load: { ...DEFAULT_LOAD, since: now },
    failed: {},
    events: [],
    eventSeq: 0,
    podSeq: 0,
    resourceVersion: 1,
    seen: {},
    pki: null,
  };
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

/**
 * Bring every emulated cluster up to date with the cloud: register nodes,
 * record readiness changes as events, forget removed nodes, and let the
 * deployments' controllers and the scheduler place pods. Idempotent; called
 * before every request. Returns the nodes it saw, by cluster.
 */
export function syncKube(engine: Engine): Map<string, NodeView[]> {
  const now = engine.now();
  const byCluster = allNodes(engine);
  const state = engine.state.kube;
  for (const [clusterId, nodes] of byCluster) {
    const first = nodes[0]!;
    const k = (state[clusterId] ??= newCluster(first.config, now));
    // State saved by an older emulator lacks what later versions added.
    k.configMaps ??= {};
    k.templates ??= {};
    k.constraints ??= {};
    k.admissionDenied ??= {};
    k.services ??= sampleWorkload().services;
    k.load ??= { ...DEFAULT_LOAD, since: now };
    k.failed ??= {};
    const byName = new Map(nodes.map((n) => [n.name, n]));
    for (const n of nodes) {
      const was = k.seen[n.name];
      if (!was) {
        k.seen[n.name] = { ready: n.ready, createdAt: now, since: now };
        recordEvent(k, now, {
          namespace: "default",
          kind: "Node",
          name: n.name,
          reason: "RegisteredNode",
          message: `Node ${n.name} event: Registered Node ${n.name} in Controller`,
          type: "Normal",
          component: "node-controller",
        });
        if (n.ready)
          recordEvent(k, now, {
            namespace: "default",
            kind: "Node",
            name: n.name,
            reason: "NodeReady",
            message: `Node ${n.name} status is now: NodeReady`,
            type: "Normal",
            component: "kubelet",
          });
      } else if (was.ready !== n.ready) {
        was.ready = n.ready;
        was.since = now;
        recordEvent(k, now, {
          namespace: "default",
          kind: "Node",
          name: n.name,
          reason: n.ready ? "NodeReady" : "NodeNotReady",
          message: `Node ${n.name} status is now: ${n.ready ? "NodeReady" : "NodeNotReady"}`,
          type: n.ready ? "Normal" : "Warning",
          component: n.ready ? "kubelet" : "node-controller",
        });
      }
    }
    for (const name of Object.keys(k.seen)) {
      if (byName.has(name)) continue;
      delete k.seen[name];
      delete k.cordoned[name];
      delete k.failed[name];
      recordEvent(k, now, {
        namespace: "default",
        kind: "Node",
        name,
        reason: "RemovingNode",
        message: `Node ${name} event: Removing Node ${name} from Controller`,
        type: "Normal",
        component: "node-controller",
      });
    }
    // Controllers and the scheduler run on the masters: nothing moves while no API server is up.
    if (apiServers(nodes).length === 0) continue;
    // Pods of removed nodes are gone; their deployments replace them.
    for (const p of [...k.pods]) if (p.node && !byName.has(p.node)) removePod(engine, k, p, "node removed");
    // Taint-based eviction: pods of a node NotReady for 5 minutes are deleted (their deployments replace them).
    for (const n of nodes) {
      const since = k.seen[n.name]?.since ?? now;
      if (n.ready || n.server.status !== "ACTIVE" || now - since < scaled(engine, NOT_READY_EVICTION_MS))
        continue;
      for (const p of k.pods.filter((x) => x.node === n.name)) {
        removePod(engine, k, p, `node ${n.name} NotReady: evicted by the taint manager`);
        recordEvent(k, now, {
          namespace: p.namespace,
          kind: "Pod",
          name: p.name,
          reason: "TaintManagerEviction",
          message: `Marking for deletion Pod ${p.namespace}/${p.name}`,
          type: "Normal",
          component: "taint-eviction-controller",
        });
      }
    }
    syncReleases(engine, k);
    const load = loadFactor(k.load, now);
    for (const d of k.deployments) {
      if (d.elastic) {
        const want = elasticReplicas(d, load);
        if (want !== d.replicas) {
          recordEvent(k, now, {
            namespace: d.namespace,
            kind: "HorizontalPodAutoscaler",
            name: d.name,
            reason: "SuccessfulRescale",
            message: `New size: ${want}; reason: cpu resource utilization (percentage of request) ${want > d.replicas ? "above" : "below"} target`,
            type: "Normal",
            component: "horizontal-pod-autoscaler",
          });
          d.replicas = want;
        }
      }
      const have = k.pods.filter((p) => p.namespace === d.namespace && p.app === d.name);
      // Scaled down: unscheduled pods go first, then the newest.
      if (have.length > d.replicas) {
        const doomed = [...have]
          .sort((a, b) => Number(a.node !== null) - Number(b.node !== null) || b.createdAt - a.createdAt)
          .slice(0, have.length - d.replicas);
        for (const p of doomed) removePod(engine, k, p, "scaled down");
        continue;
      }
      for (let i = have.length; i < d.replicas; i++) {
        const suffix = (k.podSeq + 1).toString(36).padStart(5, "0").slice(-5);
        const pod: Pod = {
          namespace: d.namespace,
          name: `${d.name}-${suffix}`,
          app: d.name,
          uid: `${clusterId.slice(0, 8)}-${k.podSeq + 1}`,
          node: null,
          createdAt: now,
          scheduledAt: null,
        };
        // Gatekeeper's admission webhook: a deny constraint refuses the pod.
        const denied = admissionDenials(engine, k, pod, byName);
        if (denied.length > 0) {
          recordDenied(engine, k, d, denied);
          break;
        }
        k.podSeq++;
        k.pods.push(pod);
        k.resourceVersion++;
      }
    }
    schedulePods(engine, k, nodes, (e) => recordEvent(k, now, e));
  }
  // Clusters whose servers are all gone are gone.
  for (const id of Object.keys(state)) if (!byCluster.has(id)) delete state[id];
  return byCluster;
}
