import type { OpenStackCloud } from "@/server/openstack";
import type { Volume } from "@/server/openstack/blockstorage";
import type { Server, ServerGroup } from "@/server/openstack/compute";
import type { HealthMonitor, Listener, LoadBalancer, Member, Pool } from "@/server/openstack/loadbalancer";
import type { FloatingIp, Network, Port, Router, SecurityGroup, Subnet } from "@/server/openstack/network";
import type { ClusterStatus } from "@/db/schema";
import { ensureClusterPki, markInitialized, renewBootstrapToken } from "@/server/kube/store";
import type { KubeClient, KubeNode } from "@/server/kube/client";
import { freshCatalog, refreshCatalog } from "../catalog";
import {
  cloudCredentialName,
  clusterTag,
  CSI_META_CLUSTER,
  META_CLUSTER,
  resourceNames,
  serviceLbPrefix,
} from "../names";
import type { ApiView, ClusterRow, OperationRow, ReconcileDeps } from "./scope";
import type { Catalog } from "./steps";
import { nodeUserData } from "./user-data";

/** Everything that exists for one cluster, found by tag (or exact name where the API has no tags). */
export interface Observed {
  /** The catalog's external network (routers and floating IPs). */
  externalNetwork: { id: string } | null;
  network: Network | null;
  subnet: Subnet | null;
  router: Router | null;
  routerInterface: boolean;
  secGroups: Map<string, SecurityGroup>;
  serverGroups: Map<string, ServerGroup>;
  ports: Map<string, Port>;
  servers: Map<string, Server>;
  volumes: Map<string, Volume>;
  lb: LoadBalancer | null;
  listener: Listener | null;
  pool: Pool | null;
  members: Member[];
  healthMonitor: HealthMonitor | null;
  floatingIp: FloatingIp | null;
  /** Load balancers addons need (tagged kc-addon=<id>), with their listeners, pools, members and monitors. */
  addonLbs: AddonLb[];
  /** Floating IPs of addon load balancers (tagged kc-addon=<id>). */
  addonFips: FloatingIp[];
  /**
   * What the cluster made for itself: its cloud controller's load balancers
   * (OCCM's `kube_service_<cluster id>_` names) with the floating IPs on
   * their VIPs, and Cinder CSI's volumes (its cluster metadata).
   */
  serviceLbs: Array<{ lb: LoadBalancer; floatingIps: FloatingIp[] }>;
  /** The cloud controller's floating IPs on no load balancer of the cluster (its LB went without them): still billed. */
  strayServiceFips: FloatingIp[];
  csiVolumes: Volume[];
  /** The cluster's Keystone application credential (by its exact name), when it exists. */
  appCredential: { id: string } | null;
  /** Duplicates found (more than one resource for one name): an error, never silently adopted. */
  duplicates: string[];
}

export interface AddonLb {
  addon: string;
  lb: LoadBalancer;
  listeners: Listener[];
  pools: Pool[];
  members: Map<string, Member[]>;
  monitors: HealthMonitor[];
}

export const ADDON_TAG = "kc-addon=";
export const addonOf = (tags: string[]) =>
  tags.find((t) => t.startsWith(ADDON_TAG))?.slice(ADDON_TAG.length) ?? null;

async function observeAddonLb(cloud: OpenStackCloud, lb: LoadBalancer): Promise<AddonLb> {
  const base = {
    addon: addonOf(lb.tags) ?? "",
    lb,
    listeners: [],
    pools: [],
    members: new Map(),
    monitors: [],
  };
  if (lb.provisioningStatus === "PENDING_DELETE") return base;
  const [listeners, pools] = await Promise.all([
    cloud.loadBalancer.listListeners({ loadBalancerId: lb.id }),
    cloud.loadBalancer.listPools({ loadBalancerId: lb.id }),
  ]);
  const members = new Map<string, Member[]>();
  await Promise.all(pools.map(async (p) => members.set(p.id, await cloud.loadBalancer.listMembers(p.id))));
  const monitorIds = new Set(pools.map((p) => p.healthMonitorId).filter(Boolean));
  const monitors = monitorIds.size
    ? (
        await cloud.loadBalancer.listHealthMonitors({ tags: lb.tags.filter((t) => t.startsWith(ADDON_TAG)) })
      ).filter((h) => monitorIds.has(h.id))
    : [];
  return { ...base, listeners, pools, members, monitors };
}

/** OCCM describes each floating IP it makes `Floating IP for Kubernetes external service <ns>/<svc> from cluster <name>`. */
function isServiceFip(f: FloatingIp, clusterId: string): boolean {
  return (
    f.description.startsWith("Floating IP for Kubernetes external service") &&
    f.description.endsWith(`from cluster ${clusterId}`)
  );
}

function byName<T extends { name: string }>(items: T[], duplicates: string[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const it of items) {
    if (m.has(it.name)) duplicates.push(it.name);
    else m.set(it.name, it);
  }
  return m;
}

function single<T extends { name: string }>(items: T[], name: string, duplicates: string[]): T | null {
  const found = items.filter((i) => i.name === name);
  if (found.length > 1) duplicates.push(name);
  return found[0] ?? null;
}

export async function observe(
  cloud: OpenStackCloud,
  cluster: { id: string; name: string },
  catalog: Promise<Pick<Catalog, "externalNetworkId">>,
): Promise<Observed> {
  const tag = [clusterTag(cluster.id)];
  const n = resourceNames(cluster.name);
  const duplicates: string[] = [];
  const [
    networks,
    subnets,
    routers,
    secGroups,
    serverGroups,
    ports,
    servers,
    volumes,
    csiVolumes,
    projectLbs,
    projectFips,
    appCredential,
  ] = await Promise.all([
    cloud.network.listNetworks({ tags: tag }),
    cloud.network.listSubnets({ tags: tag }),
    cloud.network.listRouters({ tags: tag }),
    cloud.network.listSecurityGroups({ tags: tag }),
    // Nova server groups have no tags: exact names, which start with the cluster name.
    cloud.compute.listServerGroups(),
    cloud.network.listPorts({ tags: tag }),
    cloud.compute.listServers({ tags: tag }),
    cloud.blockStorage.listVolumes({ metadata: { [META_CLUSTER]: cluster.id } }),
    cloud.blockStorage.listVolumes({ metadata: { [CSI_META_CLUSTER]: cluster.id } }),
    // One list for both kinds: the console's (tagged with the cluster) and the cloud controller's (by name).
    cloud.loadBalancer.listLoadBalancers(),
    // One list for both kinds: the console's (tagged) and the cloud controller's (by its description).
    cloud.network.listFloatingIps(),
    cloud.identity.findApplicationCredential(cloudCredentialName(cluster.id)),
  ]);
  const lbs = projectLbs.filter((l) => l.tags.includes(tag[0]!));
  const prefix = serviceLbPrefix(cluster.id);
  const madeLbs = projectLbs.filter((l) => l.name.startsWith(prefix) && !l.tags.includes(tag[0]!));
  const fips = projectFips.filter((f) => f.tags.includes(tag[0]!));
  // OCCM's floating IPs carry no tag: found by the description it gives them, or by the VIP port they point at.
  const occmFips = projectFips.filter(
    (f) =>
      !f.tags.includes(tag[0]!) &&
      (isServiceFip(f, cluster.id) || madeLbs.some((l) => f.portId !== null && f.portId === l.vipPortId)),
  );
  const lb = single(
    lbs.filter((l) => !addonOf(l.tags)),
    n.lb,
    duplicates,
  );
  const addonLbs = await Promise.all(lbs.filter((l) => addonOf(l.tags)).map((l) => observeAddonLb(cloud, l)));
  let listener: Listener | null = null;
  let pool: Pool | null = null;
  let members: Member[] = [];
  let healthMonitor: HealthMonitor | null = null;
  if (lb && lb.provisioningStatus !== "PENDING_DELETE") {
    const [listeners, pools] = await Promise.all([
      cloud.loadBalancer.listListeners({ loadBalancerId: lb.id }),
      cloud.loadBalancer.listPools({ loadBalancerId: lb.id }),
    ]);
    listener = single(listeners, n.listener, duplicates);
    pool = single(pools, n.pool, duplicates);
    if (pool) {
      members = await cloud.loadBalancer.listMembers(pool.id);
      if (pool.healthMonitorId)
        healthMonitor =
          (await cloud.loadBalancer.listHealthMonitors({ name: n.healthMonitor })).find(
            (h) => h.id === pool!.healthMonitorId,
          ) ?? null;
    }
  }
  const network = single(networks, n.network, duplicates);
  const subnet = single(subnets, n.subnet, duplicates);
  const router = single(routers, n.router, duplicates);
  const routerInterface = await hasInterface(cloud, router, subnet);
  const ownGroups = serverGroups.filter(
    (g) => g.name === n.masterServerGroup || g.name.startsWith(`${cluster.name}-`),
  );
  return {
    externalNetwork: await catalog.then((c) => (c.externalNetworkId ? { id: c.externalNetworkId } : null)),
    network,
    subnet,
    router,
    routerInterface,
    secGroups: byName(secGroups, duplicates),
    serverGroups: byName(ownGroups, duplicates),
    ports: byName(ports, duplicates),
    servers: byName(servers, duplicates),
    volumes: byName(volumes, duplicates),
    lb,
    listener,
    pool,
    members,
    healthMonitor,
    floatingIp: fips.find((f) => !addonOf(f.tags)) ?? null,
    addonLbs,
    addonFips: fips.filter((f) => addonOf(f.tags)),
    serviceLbs: madeLbs.map((l) => ({
      lb: l,
      floatingIps: occmFips.filter((f) => f.portId !== null && f.portId === l.vipPortId),
    })),
    strayServiceFips: occmFips.filter(
      (f) => !madeLbs.some((l) => f.portId !== null && f.portId === l.vipPortId),
    ),
    csiVolumes,
    appCredential: appCredential ? { id: appCredential.id } : null,
    duplicates,
  };
}

async function hasInterface(
  cloud: OpenStackCloud,
  router: Router | null,
  subnet: Subnet | null,
): Promise<boolean> {
  if (!router || !subnet) return false;
  const ports = await cloud.network.listPorts({ deviceId: router.id });
  return ports.some(
    (p) => p.deviceOwner === "network:router_interface" && p.fixedIps.some((f) => f.subnetId === subnet.id),
  );
}

/** True when nothing tagged with the cluster remains. */
export function isEmpty(o: Observed): boolean {
  return (
    !o.network &&
    !o.subnet &&
    !o.router &&
    o.secGroups.size === 0 &&
    o.serverGroups.size === 0 &&
    o.ports.size === 0 &&
    o.servers.size === 0 &&
    o.volumes.size === 0 &&
    !o.lb &&
    !o.floatingIp &&
    o.addonLbs.length === 0 &&
    o.addonFips.length === 0 &&
    o.serviceLbs.length === 0 &&
    o.strayServiceFips.length === 0 &&
    o.csiVolumes.length === 0 &&
    !o.appCredential
  );
}

/**
 * The project's cloud catalog: the stored one while it is fresh, else read
 * from the cloud now (and stored for the services). Retry and Refresh mark
 * it stale, so a fixed cloud is seen on the next pass.
 */
export async function catalogOf(
  deps: ReconcileDeps,
  projectId: string,
  cloud: OpenStackCloud,
): Promise<Catalog> {
  const stored = await freshCatalog(deps.db, projectId);
  if (stored) return stored;
  return refreshCatalog(deps.db, projectId, cloud, await deps.catalogConfigOf(projectId));
}

/** How long an operation waits for the Kubernetes API to answer before converging without it. */
export const API_WAIT_MS = 10 * 60_000;
/** The upgrade readiness report's view of the workload is refreshed about this often. */
const WORKLOAD_MS = 60_000;

/**
 * The cluster's Kubernetes API as the console sees it: the PKI (created on
 * first use), the public address, a client once a master runs behind an
 * ACTIVE load balancer, and the nodes when the API answers.
 */
export async function observeApi(
  deps: ReconcileDeps,
  cluster: ClusterRow,
  operation: OperationRow | null,
  o: Observed,
  now: Date,
): Promise<ApiView> {
  const pki = await ensureClusterPki(deps.db, cluster, deps.encryptionKey);
  const { token, renewed } = await renewBootstrapToken(
    deps.db,
    cluster,
    pki.bootstrapToken,
    deps.encryptionKey,
    now,
  );
  const credentials = {
    controlPlane: pki.controlPlane,
    bootstrapToken: token,
    initialized: pki.initializedAt !== null,
  };
  const publicAddress =
    o.floatingIp && o.lb && o.floatingIp.portId === o.lb.vipPortId ? o.floatingIp.address : null;
  const anyMasterUp = [...o.servers.values()].some(
    (s) => s.tags.includes("kc-role=master") && s.status === "ACTIVE",
  );
  let kube: KubeClient | null = null;
  let kubeNodes: Map<string, KubeNode> | null = null;
  if (publicAddress && anyMasterUp && o.lb?.provisioningStatus === "ACTIVE") {
    // Loaded on first use: @kubernetes/client-node takes most of a second to import.
    const kubeFor = deps.kubeFor ?? (await import("@/server/kube/client")).createKubeClient;
    kube = kubeFor({
      server: `https://${publicAddress}:6443`,
      // During a CA rotation the API server may still present a certificate of the previous CA.
      caCertPem: [pki.ca.certPem, pki.previousCaCertPem].filter(Boolean).join("\n"),
      clientCertPem: pki.console.certPem,
      clientKeyPem: pki.console.keyPem,
    });
    try {
      kubeNodes = new Map((await kube.listNodes()).map((n) => [n.name, n]));
    } catch {
      kubeNodes = null; // not answering (yet): flows that need it wait
    }
    if (kubeNodes) {
      // The control plane answered: kubeadm init has run; every master from now on joins.
      if (!pki.initializedAt) await markInitialized(deps.db, cluster.id, now);
      // Nodes still to join need their token in the cluster (kubeadm init made the first; later ones are ours).
      const joining = [...o.servers.values()].some((s) => s.status === "ACTIVE" && !kubeNodes!.has(s.name));
      if (renewed || joining)
        await kube
          .ensureBootstrapToken({ ...token, description: `kube-console: nodes of ${cluster.name}` })
          .catch(() => undefined); // retried next pass; a node's join waits up to its discovery timeout
    }
  }
  const spec = cluster.spec;
  return {
    pki,
    credentials,
    userData: nodeUserData({ cluster, observed: o, credentials, now }),
    publicAddress,
    anyMasterUp,
    kube,
    kubeNodes,
    forConsole: spec.apiAccess.public && spec.apiAccess.allowedCidrs.length === 0,
    waitLeft:
      kubeNodes === null &&
      operation !== null &&
      now.getTime() - operation.startedAt.getTime() < (deps.apiWaitMs ?? API_WAIT_MS),
    workload: await workloadOf(kube, kubeNodes, cluster.status, now),
  };
}

/** What the upgrade readiness report needs from the cluster, refreshed about once a minute. */
async function workloadOf(
  kube: KubeClient | null,
  kubeNodes: Map<string, KubeNode> | null,
  prev: ClusterStatus,
  now: Date,
): Promise<ClusterStatus["workload"]> {
  const workload = prev.workload;
  if (!kube || !kubeNodes || (workload && now.getTime() - new Date(workload.at).getTime() <= WORKLOAD_MS))
    return workload;
  try {
    const [pdbs, deprecatedApis] = await Promise.all([kube.listPdbs(), kube.deprecatedApis()]);
    return { at: now.toISOString(), pdbs, deprecatedApis };
  } catch {
    return workload; // keep the previous snapshot; the report says when it is stale
  }
}
