import type { Engine, InClusterCall } from "../engine";
import type { LoadBalancer } from "../state";
import { bytesOf, objectKey, objectsOf } from "./api/objects";
import { appliedKey, installedRelease } from "./helm";
import { podReady, recordEvent, type NodeView } from "./model";
import type { KubeClusterState, Pod, StoredObject } from "./types";

/**
 * What the cluster's own OpenStack integrations do, modelled on the
 * objects a real cluster has: the OpenStack cloud controller (chart
 * openstack-cloud-controller-manager) gives a Service of type LoadBalancer
 * an Octavia load balancer named `kube_service_<cluster.name>_<ns>_<svc>`
 * (listeners, pools, a member per worker, a floating IP on its VIP) and
 * deletes it with the Service; Cinder CSI (chart openstack-cinder-csi)
 * makes a volume `pvc-<claim uid>` for a claim of one of its
 * StorageClasses, labelled with its `clusterID` and the claim, binds a
 * PersistentVolume, attaches it where the claim's pod runs and deletes it
 * with the claim. Both act only once their release is installed, and call
 * the emulator's OpenStack APIs (in process, same routes and refusals)
 * with the application credential of the `cloud.conf` Secret their values
 * name: a wrong, missing or deleted credential fails as it would for real,
 * with the controller's event on the object.
 */

const OCCM_CHART = "openstack-cloud-controller-manager";
const CSI_CHART = "openstack-cinder-csi";
const CSI_CONTROLLER = "openstack-cinder-csi-controllerplugin";
export const CSI_DRIVER = "cinder.csi.openstack.org";
const LB_FINALIZER = "service.kubernetes.io/load-balancer-cleanup";
export const PVC_PROTECTION = "kubernetes.io/pvc-protection";
const SELECTED_NODE = "volume.kubernetes.io/selected-node";
const PROXY_PROTOCOL = "loadbalancer.openstack.org/proxy-protocol";
const INTERNAL_LB = "service.beta.kubernetes.io/openstack-internal-load-balancer";
const GIB = 2 ** 30;

interface CloudConf {
  credentialId: string;
  credentialSecret: string;
  floatingNetworkId: string | null;
  subnetId: string | null;
  /** [LoadBalancer] create-monitor: a TCP health monitor per pool (OCCM's default is false). */
  createMonitor: boolean;
}
interface Session {
  token: string;
  projectId: string;
}

/** Tokens the clusters' controllers hold, by credential (not saved: after a restart they authenticate again). */
const sessions = new Map<string, Session>();

export function syncCloudProvider(engine: Engine, k: KubeClusterState, nodes: NodeView[]): void {
  if (!engine.inClusterCloud) return;
  releaseUnusedClaims(engine, k);
  initializeNodes(engine, k, nodes);
  selectNodesForClaims(engine, k, nodes);
  syncLoadBalancers(engine, k, nodes);
  syncVolumes(engine, k, nodes);
}

/** Where a pod's claims let it run (the scheduler's volume binding): wait for them, on their node, or anywhere. */
export function volumePlacement(k: KubeClusterState, p: Pod): "wait" | string | null {
  const d = k.deployments.find((x) => x.namespace === p.namespace && x.name === p.app);
  if (!d?.claims?.length) return null;
  let node: string | null = null;
  for (const c of d.claims) {
    const pvc = k.objects?.[objectKey("PersistentVolumeClaim", d.namespace, c)];
    if (!pvc || pvc.metadata.deletionTimestamp || phaseOf(pvc) !== "Bound") return "wait";
    node ??= pvc.metadata.annotations?.[SELECTED_NODE] ?? null;
  }
  return node;
}

// ── OpenStack calls, as the controllers make them ────────────────────────────

function call(engine: Engine, c: InClusterCall) {
  return engine.inClusterCloud!(c);
}

/** The error text of an OpenStack answer, whatever the service's format. */
function errorText(body: unknown): string {
  if (!body || typeof body !== "object") return String(body ?? "");
  const b = body as Record<string, unknown>;
  for (const v of Object.values(b)) {
    if (v && typeof v === "object" && typeof (v as { message?: unknown }).message === "string")
      return (v as { message: string }).message;
  }
  if (typeof b.faultstring === "string") return b.faultstring;
  if (typeof b.description === "string") return b.description;
  return JSON.stringify(body).slice(0, 200);
}

function mutate(engine: Engine, c: InClusterCall, what: string): string | null {
  const r = call(engine, c);
  return r.status < 300 ? null : `${what}: ${r.status} ${errorText(r.body)}`;
}

/** cloud.conf from the Secret the chart's values name, read the way the controllers read it. */
function cloudConfOf(k: KubeClusterState, namespace: string, secretName: string): CloudConf | string {
  const o = k.applied?.[appliedKey("v1", "Secret", namespace, secretName)];
  const where = `${namespace}/${secretName}`;
  if (!o) return `failed to read the cloud config: Secret ${where} not found`;
  const raw = ((o.data ?? {}) as Record<string, unknown>)["cloud.conf"];
  if (typeof raw !== "string" || !raw)
    return `failed to read the cloud config: Secret ${where} has no cloud.conf`;
  const sections = new Map<string, Map<string, string>>();
  let section = "";
  for (const line of Buffer.from(raw, "base64").toString("utf8").split("\n")) {
    const t = line.trim();
    if (!t || t.startsWith("#") || t.startsWith(";")) continue;
    const head = /^\[(.+)\]$/.exec(t);
    if (head) {
      section = head[1]!;
      continue;
    }
    const eq = t.indexOf("=");
    if (eq < 0) continue;
    if (!sections.has(section)) sections.set(section, new Map());
    sections.get(section)!.set(
      t.slice(0, eq).trim(),
      t
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1"),
    );
  }
  const g = sections.get("Global");
  const lb = sections.get("LoadBalancer");
  const id = g?.get("application-credential-id");
  const secret = g?.get("application-credential-secret");
  if (!id || !secret)
    return "failed to authenticate: cloud.conf [Global] has no application-credential-id and -secret";
  return {
    credentialId: id,
    credentialSecret: secret,
    floatingNetworkId: lb?.get("floating-network-id") ?? null,
    subnetId: lb?.get("subnet-id") ?? null,
    createMonitor: lb?.get("create-monitor") === "true",
  };
}

function sessionFor(engine: Engine, conf: CloudConf): Session | string {
  const key = `${conf.credentialId}:${conf.credentialSecret}`;
  const cached = sessions.get(key);
  const t = cached ? engine.state.tokens[cached.token] : undefined;
  if (cached && t && t.expiresAt > engine.now() + 60_000) return cached;
  sessions.delete(key);
  const r = call(engine, {
    method: "POST",
    path: "/identity/v3/auth/tokens",
    body: {
      auth: {
        identity: {
          methods: ["application_credential"],
          application_credential: { id: conf.credentialId, secret: conf.credentialSecret },
        },
      },
    },
  });
  const token = r.headers?.["X-Subject-Token"];
  const issued = token ? engine.state.tokens[token] : undefined;
  if (r.status !== 201 || !token || !issued)
    return `failed to authenticate with the application credential ${conf.credentialId}: ${r.status} ${errorText(r.body)}`;
  const s = { token, projectId: issued.projectId };
  sessions.set(key, s);
  return s;
}

/** A controller's Warning event on an object, repeated at most once a minute while it lasts. */
function problem(
  engine: Engine,
  k: KubeClusterState,
  o: StoredObject,
  reason: string,
  message: string,
  component: string,
): void {
  const key = objectKey(o.kind, o.metadata.namespace, o.metadata.name);
  const now = engine.now();
  const was = (k.cloudErrors ??= {})[key];
  if (was && was.message === message && now - was.at < 60_000) return;
  k.cloudErrors[key] = { message, at: now };
  recordEvent(k, now, {
    namespace: o.metadata.namespace ?? "default",
    kind: o.kind,
    name: o.metadata.name,
    reason,
    message,
    type: "Warning",
    component,
  });
  engine.markDirty();
}

function normal(
  engine: Engine,
  k: KubeClusterState,
  o: StoredObject,
  reason: string,
  message: string,
  component: string,
): void {
  delete k.cloudErrors?.[objectKey(o.kind, o.metadata.namespace, o.metadata.name)];
  recordEvent(k, engine.now(), {
    namespace: o.metadata.namespace ?? "default",
    kind: o.kind,
    name: o.metadata.name,
    reason,
    message,
    type: "Normal",
    component,
  });
  engine.markDirty();
}

function touch(engine: Engine, k: KubeClusterState, o: StoredObject): void {
  k.resourceVersion++;
  o.metadata.resourceVersion = String(k.resourceVersion);
  engine.markDirty();
}

function dropFinalizer(engine: Engine, k: KubeClusterState, o: StoredObject, finalizer: string): void {
  o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  if (o.metadata.finalizers.length === 0) delete o.metadata.finalizers;
  if (o.metadata.deletionTimestamp && !o.metadata.finalizers)
    delete k.objects![objectKey(o.kind, o.metadata.namespace, o.metadata.name)];
  touch(engine, k, o);
}

function stringAt(values: Record<string, unknown>, path: string[], fallback: string): string {
  let v: unknown = values;
  for (const p of path) v = v && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
  return typeof v === "string" && v ? v : fallback;
}

// ── the cloud controller's node controller ──────────────────────────────────

/**
 * Nodes whose kubelet runs with `--cloud-provider=external` carry the
 * uninitialized taint (nothing that does not tolerate it runs there) until
 * the cloud controller finds their server in Nova with its credential: then
 * they get their provider id, zone and instance type, and lose the taint.
 */
function initializeNodes(engine: Engine, k: KubeClusterState, nodes: NodeView[]): void {
  const waiting = nodes.filter((n) => n.config.externalCloudProvider && k.initialized?.[n.name] !== "cloud");
  if (waiting.length === 0) return;
  const release = installedRelease(k, OCCM_CHART);
  if (!release) return;
  const conf = cloudConfOf(
    k,
    release.namespace,
    stringAt(release.values, ["secret", "name"], "cloud-config"),
  );
  const session = typeof conf === "string" ? conf : sessionFor(engine, conf);
  if (typeof session === "string") return; // the controller crash-loops; the nodes stay tainted
  for (const n of waiting) {
    const server = Object.values(engine.state.servers).find(
      (s) => s.projectId === session.projectId && s.name === n.name && s.status !== "DELETED",
    );
    if (!server) continue; // "failed to find the instance": not this cloud's server
    (k.initialized ??= {})[n.name] = "cloud";
    n.uninitialized = false;
    n.cloudInitialized = true;
    k.resourceVersion++;
    engine.markDirty();
  }
}

// ── the cloud controller's service controller ───────────────────────────────

interface ServiceSpec {
  type?: string;
  ports?: Array<{ port: number; nodePort?: number; protocol?: string }>;
}
const specOf = (o: StoredObject) => (o.spec ?? {}) as ServiceSpec;
const wantsLb = (o: StoredObject) => specOf(o).type === "LoadBalancer" && !o.metadata.deletionTimestamp;

function syncLoadBalancers(engine: Engine, k: KubeClusterState, nodes: NodeView[]): void {
  const services = objectsOf(k, "Service").filter(
    (o) => wantsLb(o) || o.metadata.finalizers?.includes(LB_FINALIZER),
  );
  if (services.length === 0) return;
  const release = installedRelease(k, OCCM_CHART);
  if (!release) return; // no cloud controller: the Service's external address stays <pending>
  const clusterName = stringAt(release.values, ["cluster", "name"], "kubernetes");
  const conf = cloudConfOf(
    k,
    release.namespace,
    stringAt(release.values, ["secret", "name"], "cloud-config"),
  );
  const session = typeof conf === "string" ? conf : sessionFor(engine, conf);
  for (const svc of services) {
    const err =
      typeof conf === "string" || typeof session === "string"
        ? (session as string)
        : wantsLb(svc)
          ? ensureLoadBalancer(engine, k, svc, clusterName, conf, session, nodes)
          : deleteLoadBalancer(engine, k, svc, clusterName, session);
    if (err)
      problem(
        engine,
        k,
        svc,
        wantsLb(svc) ? "SyncLoadBalancerFailed" : "DeleteLoadBalancerFailed",
        `Error syncing load balancer: ${err}`,
        "service-controller",
      );
  }
}

function lbName(clusterName: string, svc: StoredObject): string {
  return `kube_service_${clusterName}_${svc.metadata.namespace}_${svc.metadata.name}`.slice(0, 255);
}

function findLb(engine: Engine, projectId: string, name: string): LoadBalancer | undefined {
  return Object.values(engine.state.loadBalancers).find(
    (l) => l.projectId === projectId && l.name === name && l.provisioningStatus !== "DELETED",
  );
}

const LB = "/load-balancer/v2/lbaas";

/** One step towards the Service's load balancer per pass (Octavia refuses a change while one is pending). */
function ensureLoadBalancer(
  engine: Engine,
  k: KubeClusterState,
  svc: StoredObject,
  clusterName: string,
  conf: CloudConf,
  session: Session,
  nodes: NodeView[],
): string | null {
  const s = engine.state;
  const name = lbName(clusterName, svc);
  const ns = svc.metadata.namespace ?? "default";
  const token = session.token;
  if (!svc.metadata.finalizers?.includes(LB_FINALIZER)) {
    svc.metadata.finalizers = [...(svc.metadata.finalizers ?? []), LB_FINALIZER];
    touch(engine, k, svc);
  }
  const lb = findLb(engine, session.projectId, name);
  if (!lb) {
    if (!conf.subnetId) return "failed to ensure load balancer: cloud.conf [LoadBalancer] has no subnet-id";
    normal(engine, k, svc, "EnsuringLoadBalancer", "Ensuring load balancer", "service-controller");
    return mutate(
      engine,
      {
        method: "POST",
        path: `${LB}/loadbalancers`,
        token,
        body: {
          loadbalancer: {
            name,
            vip_subnet_id: conf.subnetId,
            description: `Kubernetes external service ${ns}/${svc.metadata.name} from cluster ${clusterName}`,
            tags: [name],
          },
        },
      },
      `failed to create load balancer ${name}`,
    );
  }
  if (lb.provisioningStatus === "ERROR") return `load balancer ${lb.id} is in provisioning status ERROR`;
  if (lb.provisioningStatus !== "ACTIVE") return null;
  const proxy = svc.metadata.annotations?.[PROXY_PROTOCOL] === "true";
  const workers = nodes.filter((n) => n.ready && n.ip && n.config.role === "worker");
  for (const [i, port] of (specOf(svc).ports ?? []).entries()) {
    const listener = Object.values(s.listeners).find(
      (l) => l.loadBalancerId === lb.id && l.name === `listener_${i}_${name}`,
    );
    if (!listener)
      return mutate(
        engine,
        {
          method: "POST",
          path: `${LB}/listeners`,
          token,
          body: {
            listener: {
              name: `listener_${i}_${name}`,
              loadbalancer_id: lb.id,
              protocol: "TCP",
              protocol_port: port.port,
              tags: [name],
            },
          },
        },
        `failed to create listener for port ${port.port}`,
      );
    const pool = Object.values(s.pools).find(
      (p) => p.loadBalancerId === lb.id && p.name === `pool_${i}_${name}`,
    );
    if (!pool)
      return mutate(
        engine,
        {
          method: "POST",
          path: `${LB}/pools`,
          token,
          body: {
            pool: {
              name: `pool_${i}_${name}`,
              listener_id: listener.id,
              protocol: proxy ? "PROXY" : "TCP",
              lb_algorithm: "ROUND_ROBIN",
            },
          },
        },
        `failed to create pool for port ${port.port}`,
      );
    if (conf.createMonitor && !pool.healthMonitorId)
      return mutate(
        engine,
        {
          method: "POST",
          path: `${LB}/healthmonitors`,
          token,
          body: {
            healthmonitor: {
              name: `monitor_${i}_${name}`,
              pool_id: pool.id,
              type: "TCP",
              delay: 5,
              timeout: 3,
              max_retries: 1,
              max_retries_down: 3,
            },
          },
        },
        `failed to create health monitor for pool ${pool.name}`,
      );
    const members = Object.values(s.members).filter((m) => m.poolId === pool.id);
    const missing = workers.find((n) => !members.some((m) => m.address === n.ip));
    if (missing && port.nodePort)
      return mutate(
        engine,
        {
          method: "POST",
          path: `${LB}/pools/${pool.id}/members`,
          token,
          body: {
            member: {
              name: missing.name,
              address: missing.ip,
              protocol_port: port.nodePort,
              subnet_id: conf.subnetId,
            },
          },
        },
        `failed to add node ${missing.name} to pool ${pool.name}`,
      );
    const extra = members.find((m) => !workers.some((n) => n.ip === m.address));
    if (extra)
      return mutate(
        engine,
        { method: "DELETE", path: `${LB}/pools/${pool.id}/members/${extra.id}`, token },
        `failed to remove member ${extra.address} from pool ${pool.name}`,
      );
  }
  let address = lb.vipAddress;
  if (conf.floatingNetworkId && svc.metadata.annotations?.[INTERNAL_LB] !== "true") {
    const fip = Object.values(s.floatingIps).find(
      (f) => f.projectId === session.projectId && f.portId === lb.vipPortId,
    );
    if (!fip)
      return mutate(
        engine,
        {
          method: "POST",
          path: "/network/v2.0/floatingips",
          token,
          body: {
            floatingip: {
              floating_network_id: conf.floatingNetworkId,
              port_id: lb.vipPortId,
              description: `Floating IP for Kubernetes external service ${ns}/${svc.metadata.name} from cluster ${clusterName}`,
            },
          },
        },
        "failed to create a floating IP for the load balancer",
      );
    address = fip.address;
  }
  const st = (svc.status ??= {}) as { loadBalancer?: { ingress?: Array<{ ip: string }> } };
  if (st.loadBalancer?.ingress?.[0]?.ip !== address) {
    st.loadBalancer = { ingress: [{ ip: address }] };
    touch(engine, k, svc);
    normal(engine, k, svc, "EnsuredLoadBalancer", "Ensured load balancer", "service-controller");
  }
  return null;
}

/** The Service went (or stopped being a LoadBalancer): its address, then its load balancer, then the finalizer. */
function deleteLoadBalancer(
  engine: Engine,
  k: KubeClusterState,
  svc: StoredObject,
  clusterName: string,
  session: Session,
): string | null {
  const lb = findLb(engine, session.projectId, lbName(clusterName, svc));
  if (lb) {
    const fip = Object.values(engine.state.floatingIps).find(
      (f) => f.projectId === session.projectId && f.portId === lb.vipPortId,
    );
    if (fip)
      return mutate(
        engine,
        { method: "DELETE", path: `/network/v2.0/floatingips/${fip.id}`, token: session.token },
        "failed to release the load balancer's floating IP",
      );
    if (lb.provisioningStatus === "ACTIVE" || lb.provisioningStatus === "ERROR")
      return mutate(
        engine,
        { method: "DELETE", path: `${LB}/loadbalancers/${lb.id}?cascade=true`, token: session.token },
        `failed to delete load balancer ${lb.name}`,
      );
    return null; // PENDING_*: come back
  }
  normal(engine, k, svc, "DeletedLoadBalancer", "Deleted load balancer", "service-controller");
  dropFinalizer(engine, k, svc, LB_FINALIZER);
  return null;
}

// ── claims: protection, the scheduler's node choice, Cinder CSI ─────────────

const phaseOf = (o: StoredObject) => ((o.status ?? {}) as { phase?: string }).phase ?? "Pending";

function consumers(k: KubeClusterState, pvc: StoredObject) {
  return k.deployments.filter(
    (d) => d.namespace === pvc.metadata.namespace && d.claims?.includes(pvc.metadata.name),
  );
}

/** kube-controller-manager's pvc-protection: a deleted claim goes once no pod uses it; its volume is released. */
function releaseUnusedClaims(engine: Engine, k: KubeClusterState): void {
  for (const pvc of objectsOf(k, "PersistentVolumeClaim")) {
    if (!pvc.metadata.deletionTimestamp || consumers(k, pvc).length) continue;
    const pvName = (pvc.spec as { volumeName?: string }).volumeName;
    dropFinalizer(engine, k, pvc, PVC_PROTECTION);
    const pv = pvName ? k.objects?.[objectKey("PersistentVolume", undefined, pvName)] : undefined;
    if (pv && phaseOf(pv) === "Bound") {
      pv.status = { phase: "Released" };
      touch(engine, k, pv);
    }
  }
}

/** The scheduler's volume binding for WaitForFirstConsumer: a pending pod's claims get the node it will run on. */
function selectNodesForClaims(engine: Engine, k: KubeClusterState, nodes: NodeView[]): void {
  const workers = nodes
    .filter((n) => n.ready && !n.unschedulable && n.config.role === "worker")
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const d of k.deployments) {
    if (!d.claims?.length || d.replicas === 0) continue;
    const claims = d.claims.map((c) => k.objects?.[objectKey("PersistentVolumeClaim", d.namespace, c)]);
    if (claims.some((c) => !c)) continue; // a pod whose claim does not exist stays Pending
    const chosen =
      claims.map((c) => c!.metadata.annotations?.[SELECTED_NODE]).find(Boolean) ?? workers[0]?.name;
    if (!chosen) continue;
    for (const c of claims) {
      if (phaseOf(c!) !== "Pending" || c!.metadata.annotations?.[SELECTED_NODE]) continue;
      c!.metadata.annotations = { ...c!.metadata.annotations, [SELECTED_NODE]: chosen };
      touch(engine, k, c!);
    }
  }
}

interface ClassOf {
  name: string;
  provisioner: string;
  volumeType: string | null;
  waitForConsumer: boolean;
  reclaimPolicy: string;
}
function storageClass(k: KubeClusterState, name: string): ClassOf | null {
  const o = k.applied?.[appliedKey("storage.k8s.io/v1", "StorageClass", undefined, name)];
  if (!o) return null;
  const sc = o as StoredObject & {
    provisioner?: string;
    parameters?: Record<string, string>;
    volumeBindingMode?: string;
    reclaimPolicy?: string;
  };
  return {
    name,
    provisioner: sc.provisioner ?? "",
    volumeType: sc.parameters?.type ?? null,
    waitForConsumer: sc.volumeBindingMode === "WaitForFirstConsumer",
    reclaimPolicy: sc.reclaimPolicy ?? "Delete",
  };
}

function syncVolumes(engine: Engine, k: KubeClusterState, nodes: NodeView[]): void {
  const claims = objectsOf(k, "PersistentVolumeClaim");
  const volumes = objectsOf(k, "PersistentVolume");
  if (claims.length === 0 && volumes.length === 0) return;
  const release = installedRelease(k, CSI_CHART);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const running =
    release !== null &&
    k.pods.some(
      (p) => p.namespace === release.namespace && p.app === CSI_CONTROLLER && podReady(engine, p, byName),
    );
  const pending = claims.filter((c) => !c.metadata.deletionTimestamp && phaseOf(c) === "Pending");
  const released = volumes.filter((v) => phaseOf(v) === "Released");
  const bound = volumes.filter((v) => phaseOf(v) === "Bound");
  if (!running || !release) {
    for (const c of pending) {
      const sc = storageClass(k, String((c.spec as { storageClassName?: string }).storageClassName ?? ""));
      if (sc?.provisioner === CSI_DRIVER)
        problem(
          engine,
          k,
          c,
          "ExternalProvisioning",
          `Waiting for a volume to be created either by the external provisioner '${CSI_DRIVER}' or manually by the system administrator`,
          "persistentvolume-controller",
        );
    }
    return;
  }
  const secretOn = (release.values.secret as { enabled?: unknown } | undefined)?.enabled === true;
  const conf = secretOn
    ? cloudConfOf(k, release.namespace, stringAt(release.values, ["secret", "name"], "cloud-config"))
    : "failed to read the cloud config /etc/config/cloud.conf: open /etc/config/cloud.conf: no such file or directory";
  const session = typeof conf === "string" ? conf : sessionFor(engine, conf);
  const clusterId = stringAt(release.values, ["clusterID"], "kubernetes");
  for (const c of pending) {
    const err = typeof session === "string" ? session : provision(engine, k, c, session, clusterId, byName);
    if (err) problem(engine, k, c, "ProvisioningFailed", err, `${CSI_DRIVER}_csi-provisioner`);
  }
  if (typeof session === "string") return;
  for (const pv of bound) {
    const err = attachWhereUsed(engine, k, pv, session);
    if (err) problem(engine, k, pv, "FailedAttachVolume", err, "attachdetach-controller");
  }
  for (const pv of released) {
    const err = reclaim(engine, k, pv, session);
    if (err) problem(engine, k, pv, "VolumeFailedDelete", err, `${CSI_DRIVER}_csi-provisioner`);
  }
}

/** A pending claim of a Cinder StorageClass: its volume (once), then its PersistentVolume and the binding. */
function provision(
  engine: Engine,
  k: KubeClusterState,
  pvc: StoredObject,
  session: Session,
  clusterId: string,
  nodes: Map<string, NodeView>,
): string | null {
  const spec = pvc.spec as {
    storageClassName?: string;
    accessModes?: string[];
    resources?: { requests?: { storage?: string } };
  };
  const sc = spec.storageClassName ? storageClass(k, spec.storageClassName) : null;
  if (!sc)
    return spec.storageClassName ? `storageclass.storage.k8s.io "${spec.storageClassName}" not found` : null;
  if (sc.provisioner !== CSI_DRIVER) return null; // another provisioner's claim
  const selected = pvc.metadata.annotations?.[SELECTED_NODE];
  if (sc.waitForConsumer && !selected) {
    const key = objectKey(pvc.kind, pvc.metadata.namespace, pvc.metadata.name);
    if (!k.cloudErrors?.[key])
      problem(
        engine,
        k,
        pvc,
        "WaitForFirstConsumer",
        "waiting for first consumer to be created before binding",
        "persistentvolume-controller",
      );
    return null;
  }
  const name = `pvc-${pvc.metadata.uid}`;
  const volume = Object.values(engine.state.volumes).find(
    (v) => v.projectId === session.projectId && v.name === name && v.status !== "deleting",
  );
  if (!volume) {
    // Cinder sizes are whole GiB: the request rounds up.
    const gb = Math.max(1, Math.ceil(bytesOf(spec.resources?.requests?.storage) / GIB));
    const zone = selected ? nodes.get(selected)?.server.az : undefined;
    return mutate(
      engine,
      {
        method: "POST",
        path: `/volume/v3/${session.projectId}/volumes`,
        token: session.token,
        body: {
          volume: {
            name,
            size: gb,
            ...(sc.volumeType ? { volume_type: sc.volumeType } : {}),
            ...(zone ? { availability_zone: zone } : {}),
            metadata: {
              "cinder.csi.openstack.org/cluster": clusterId,
              "csi.storage.k8s.io/pvc/name": pvc.metadata.name,
              "csi.storage.k8s.io/pvc/namespace": pvc.metadata.namespace ?? "default",
              "csi.storage.k8s.io/pv/name": name,
            },
          },
        },
      },
      `rpc error: code = Internal desc = CreateVolume failed with error`,
    );
  }
  if (volume.status === "error") return `rpc error: code = Internal desc = volume ${volume.id} is in error`;
  if (volume.status !== "available") return null;
  k.objects ??= {};
  const pvKey = objectKey("PersistentVolume", undefined, name);
  if (!k.objects[pvKey]) {
    k.resourceVersion++;
    k.objects[pvKey] = {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: {
        name,
        uid: `${k.id.slice(0, 8)}-pv-${k.resourceVersion.toString(16).padStart(8, "0")}`,
        resourceVersion: String(k.resourceVersion),
        generation: 1,
        creationTimestamp: new Date(engine.now()).toISOString().replace(/\.\d+Z$/, "Z"),
        annotations: { "pv.kubernetes.io/provisioned-by": CSI_DRIVER },
        finalizers: ["external-provisioner.volume.kubernetes.io/finalizer"],
      },
      spec: {
        capacity: { storage: `${volume.size}Gi` },
        accessModes: spec.accessModes ?? ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: sc.reclaimPolicy,
        storageClassName: sc.name,
        volumeMode: "Filesystem",
        claimRef: {
          kind: "PersistentVolumeClaim",
          namespace: pvc.metadata.namespace,
          name: pvc.metadata.name,
          uid: pvc.metadata.uid,
        },
        csi: { driver: CSI_DRIVER, volumeHandle: volume.id, fsType: "ext4" },
      },
      status: { phase: "Bound" },
    };
  }
  (pvc.spec as { volumeName?: string }).volumeName = name;
  pvc.status = {
    phase: "Bound",
    accessModes: spec.accessModes ?? ["ReadWriteOnce"],
    capacity: { storage: `${volume.size}Gi` },
  };
  pvc.metadata.annotations = {
    ...pvc.metadata.annotations,
    "pv.kubernetes.io/bind-completed": "yes",
    "volume.kubernetes.io/storage-provisioner": CSI_DRIVER,
  };
  touch(engine, k, pvc);
  normal(
    engine,
    k,
    pvc,
    "ProvisioningSucceeded",
    `Successfully provisioned volume ${name}`,
    `${CSI_DRIVER}_csi-provisioner`,
  );
  return null;
}

const handleOf = (pv: StoredObject) =>
  (pv.spec as { csi?: { volumeHandle?: string } }).csi?.volumeHandle ?? "";

/** The attach/detach controller: a bound volume is attached to the node its claim's pod runs on, and only there. */
function attachWhereUsed(
  engine: Engine,
  k: KubeClusterState,
  pv: StoredObject,
  session: Session,
): string | null {
  const volume = engine.state.volumes[handleOf(pv)];
  if (!volume || volume.projectId !== session.projectId) return null;
  const ref = (pv.spec as { claimRef?: { namespace?: string; name?: string } }).claimRef;
  const users = k.deployments.filter(
    (d) => d.namespace === ref?.namespace && d.claims?.includes(ref?.name ?? ""),
  );
  const node = k.pods.find(
    (p) => p.node && users.some((d) => d.namespace === p.namespace && d.name === p.app),
  )?.node;
  const server = node
    ? Object.values(engine.state.servers).find((s) => s.name === node && s.projectId === session.projectId)
    : undefined;
  const at = volume.attachment?.serverId;
  if (at && at !== server?.id && volume.status === "in-use")
    return mutate(
      engine,
      {
        method: "DELETE",
        path: `/compute/v2.1/servers/${at}/os-volume_attachments/${volume.id}`,
        token: session.token,
      },
      `rpc error: code = Internal desc = ControllerUnpublishVolume failed for ${volume.id}`,
    );
  if (server && !at && volume.status === "available")
    return mutate(
      engine,
      {
        method: "POST",
        path: `/compute/v2.1/servers/${server.id}/os-volume_attachments`,
        token: session.token,
        body: { volumeAttachment: { volumeId: volume.id } },
      },
      `AttachVolume.Attach failed for volume "${pv.metadata.name}"`,
    );
  return null;
}

/** A released volume of reclaim policy Delete: detached, deleted in Cinder, then its PersistentVolume goes. */
function reclaim(engine: Engine, k: KubeClusterState, pv: StoredObject, session: Session): string | null {
  if ((pv.spec as { persistentVolumeReclaimPolicy?: string }).persistentVolumeReclaimPolicy !== "Delete")
    return null;
  const volume = engine.state.volumes[handleOf(pv)];
  if (volume && volume.projectId === session.projectId) {
    if (volume.status === "in-use" && volume.attachment)
      return mutate(
        engine,
        {
          method: "DELETE",
          path: `/compute/v2.1/servers/${volume.attachment.serverId}/os-volume_attachments/${volume.id}`,
          token: session.token,
        },
        `rpc error: code = Internal desc = ControllerUnpublishVolume failed for ${volume.id}`,
      );
    if (volume.status === "available" || volume.status === "error")
      return mutate(
        engine,
        {
          method: "DELETE",
          path: `/volume/v3/${session.projectId}/volumes/${volume.id}`,
          token: session.token,
        },
        `rpc error: code = Internal desc = DeleteVolume failed with error`,
      );
    return null; // deleting, detaching: come back
  }
  pv.metadata.deletionTimestamp ??= new Date(engine.now()).toISOString().replace(/\.\d+Z$/, "Z");
  dropFinalizer(engine, k, pv, "external-provisioner.volume.kubernetes.io/finalizer");
  return null;
}
