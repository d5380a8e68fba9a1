/**
 * The one place that names and tags cloud resources. Every resource a
 * cluster owns is named `<cluster>-<role>[-<n>]` and tagged (or, for Cinder
 * volumes, metadata-labelled) with the cluster id, so it is found again by
 * a server-side filter after a crash, and nothing leaks on delete.
 */
export const clusterTag = (clusterId: string) => `kc-cluster=${clusterId}`;
export const roleTag = (role: string) => `kc-role=${role}`;
export const groupTag = (group: string) => `kc-group=${group}`;
/** The node group a resource's tags name (groupTag's inverse), null for none. */
export const groupFromTags = (tags: readonly string[]) =>
  tags.find((t) => t.startsWith("kc-group="))?.slice("kc-group=".length) ?? null;
export const META_CLUSTER = "kc-cluster";
/** The Keystone application credential of a cluster's cloud controller and CSI (found again by this exact name). */
export const cloudCredentialName = (clusterId: string) => `kube-console-cluster-${clusterId}`;

export function resourceNames(cluster: string) {
  return {
    network: `${cluster}-net`,
    subnet: `${cluster}-subnet`,
    router: `${cluster}-router`,
    secGroup: (role: "base" | "master" | "minion") => `${cluster}-${role}`,
    masterServerGroup: `${cluster}-master`,
    workerServerGroup: (group: string) => `${cluster}-${group}`,
    etcdVolume: (i: number) => `${cluster}-etcd-${i}`,
    master: (i: number) => `${cluster}-master-${i}`,
    worker: (group: string, i: number) => `${cluster}-${group}-${i}`,
    lb: `${cluster}-api`,
    listener: `${cluster}-api-6443`,
    pool: `${cluster}-api-masters`,
    healthMonitor: `${cluster}-api-hm`,
    apiFloatingIp: `${cluster}-api`,
  };
}

/** The index after `prefix` in `serverName`, null when the name is not `<prefix><n>`. */
function indexAfter(prefix: string, serverName: string): number | null {
  if (!serverName.startsWith(prefix)) return null;
  const n = Number(serverName.slice(prefix.length));
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/** `c1-workers-12` → 12 for group `workers` of cluster `c1`. */
export const workerIndex = (cluster: string, group: string, serverName: string) =>
  indexAfter(`${cluster}-${group}-`, serverName);

/** `c1-master-2` → 2 for cluster `c1` (resourceNames' `master(i)` inverse). */
export const masterIndex = (cluster: string, serverName: string) =>
  indexAfter(`${cluster}-master-`, serverName);

/**
 * What the cluster's own cloud controller and CSI name (the console passes
 * the cluster id as OCCM's `cluster.name` and Cinder CSI's `clusterID`):
 * OCCM names a Service's load balancer `kube_service_<cluster>_<ns>_<svc>`
 * and Cinder CSI labels each volume it makes with its cluster id.
 */
export const serviceLbPrefix = (clusterId: string) => `kube_service_${clusterId}_`;
export const CSI_META_CLUSTER = "cinder.csi.openstack.org/cluster";
export const CSI_META_PVC_NAME = "csi.storage.k8s.io/pvc/name";
export const CSI_META_PVC_NAMESPACE = "csi.storage.k8s.io/pvc/namespace";

/** `kube_service_<cluster>_<ns>_<svc>` → the Service, null when the name is not one the prefix makes. */
export function serviceOfLb(clusterId: string, lbName: string): { namespace: string; name: string } | null {
  const prefix = serviceLbPrefix(clusterId);
  if (!lbName.startsWith(prefix)) return null;
  // Namespaces and Service names are DNS labels: no `_`, so the first one after the prefix splits them.
  const rest = lbName.slice(prefix.length);
  const i = rest.indexOf("_");
  return i > 0 && i < rest.length - 1 ? { namespace: rest.slice(0, i), name: rest.slice(i + 1) } : null;
}
