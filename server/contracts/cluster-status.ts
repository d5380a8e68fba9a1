import type { NodeActionStatus } from "./node-actions";
import type { MaintenanceWindow, StopSchedule } from "./schedule";

/**
 * What the reconciler last observed and remembered about a cluster (the
 * jsonb status and schedules columns), as the UI and services read it.
 */

/** The cluster autoscaler's memory between passes. */
export interface AutoscalerMemory {
  /** Node → when it became unneeded (ISO). */
  unneededSince: Record<string, string>;
  lastScaleUpAt?: string;
  /** The last NotTriggerScaleUp said, and when (repeated at most every 5 minutes). */
  lastNotTriggered?: { message: string; at: string };
}

/** What the reconciler last read from the cluster's Kubernetes API. */
export interface WorkloadSnapshot {
  at: string;
  pdbs: Array<{
    namespace: string;
    name: string;
    disruptionsAllowed: number;
    currentHealthy: number;
    desiredHealthy: number;
    expectedPods: number;
  }>;
  deprecatedApis: Array<{ group: string; version: string; resource: string; removedRelease: string }>;
}

export interface ClusterSchedules {
  stop?: (StopSchedule & { setBy: { userId: string; email: string } }) | null;
  maintenance?: (MaintenanceWindow & { setBy: { userId: string; email: string } }) | null;
  /** The last stop/start event and maintenance window the worker acted on (ISO times). */
  lastStopEventAt?: string;
  lastWindowAt?: string;
}

export type OperationKind =
  "create" | "update" | "scale" | "delete" | "stop" | "start" | "upgrade" | "rotate-ca";

/** An addon as the reconciler last saw it. */
export interface AddonStatus {
  phase: "Installing" | "Installed" | "Failed" | "Removing";
  version: string;
  message: string | null;
  /** When it entered this phase. */
  since: string;
  /** Its cloud resources, e.g. "Load balancer c1-ingress-nginx-ingress 203.0.113.7 → 10.0.0.9 (ACTIVE/ONLINE)". */
  resources: string[];
  /** Still Installing past its deadline (ADDON_INSTALL_MS after `since`); the message says how long. */
  overdue?: boolean;
}

/** A system component (pod network, cloud controller, CSI, Gatekeeper, the Helm controller) as last seen. */
export interface ComponentStatus {
  title: string;
  /** Chart version ("" for the Helm controller itself). */
  version: string;
  phase: "Installing" | "Installed" | "Failed" | "Removing";
  message: string | null;
  since: string;
  /** Still Installing past its deadline (ADDON_INSTALL_MS after `since`); the message says how long. */
  overdue?: boolean;
}

export interface AdmissionRefusal {
  namespace: string;
  /** The object whose pods were refused (a ReplicaSet, a DaemonSet, a Job…). */
  kind: string;
  name: string;
  /** The constraints named in the denial ([name] …); empty when the webhook itself was down. */
  constraints: string[];
  message: string;
  at: string | null;
}

/** Gatekeeper and each constraint's audit, as last read from the cluster. */
export interface PolicyStatus {
  at: string;
  gatekeeper: "Off" | "Installing" | "Ready" | "Removing" | "Unreachable";
  error?: string;
  /**
   * Pods Gatekeeper's admission webhook refused (the controllers' FailedCreate
   * events), newest first, at most 20: what made them, which constraints said
   * no, and when it last happened.
   */
  refusals?: AdmissionRefusal[];
  constraints: Record<
    string,
    {
      state: "Enforced" | "Pending" | "Disabled";
      /** null until Gatekeeper's audit has looked (or could not evaluate the template). */
      totalViolations: number | null;
      /** The first violations (Gatekeeper keeps 20). */
      violations: Array<{ kind: string; namespace: string; name: string; message: string }>;
      auditTimestamp: string | null;
      auditError: string | null;
    }
  >;
}

/** Per-node progress of an upgrade, for the cluster page. */
export interface UpgradeStatus {
  from: string;
  to: string;
  /** Node name → where it stands. */
  nodes: Record<
    string,
    {
      state: "pending" | "draining" | "replacing" | "done" | "failed";
      message?: string;
      /** When its drain began: a drain blocked by a PodDisruptionBudget is forced after DRAIN_TIMEOUT_MS. */
      since?: string;
    }
  >;
  /** Each node group's size when the upgrade began (the floor for maxUnavailable). */
  sizes: Record<string, number>;
  /** Delete pods whose PodDisruptionBudget blocks a drain (the user acknowledged it). */
  forceDrain?: boolean;
  failed: { node: string; message: string; retried: boolean } | null;
  completedAt?: string;
}

/** The cluster autoscaler's memory and figures (cluster time). */
export interface AutoscalerStatus {
  at: string;
  memory: AutoscalerMemory;
  /** Size each autoscaling group is built to. */
  targets: Record<string, number>;
  /** The node a scale-down is draining (and what holds it back). */
  removing: { node: string; group: string; since: string; blocked?: string } | null;
  /** Pods the scheduler could not place. */
  pending: number;
  /** Per node group: nodes wanted and Ready, CPU (millicores) and memory (MiB) requested, allocatable, used. */
  groups: Record<
    string,
    {
      target: number;
      ready: number;
      cpuRequested: number;
      cpuAllocatable: number;
      memRequested: number;
      memAllocatable: number;
      cpuUsed: number | null;
      memUsed: number | null;
      /** Pods on its Ready nodes that a drain would evict (DaemonSet pods excluded). */
      pods?: number;
    }
  >;
}
/** A load balancer as last looked at: statuses, members, the MASTER amphora and failovers seen. */
/**
 * Cloud resources the cluster made for itself: the load balancers its
 * cloud controller made for Services of type LoadBalancer (found by OCCM's
 * `kube_service_<cluster>_` names) and the volumes Cinder CSI made for
 * PersistentVolumeClaims (found by the `cinder.csi.openstack.org/cluster`
 * metadata). Priced in the running cost; deleted with the cluster.
 */
export interface MadeByCluster {
  at: string;
  loadBalancers: Array<{
    id: string;
    name: string;
    /** The Service it serves, read from its name. */
    service: { namespace: string; name: string } | null;
    vipAddress: string;
    /** The public address OCCM attached to its VIP, when it did. */
    floatingIp: string | null;
    provisioning: string;
    operating: string;
  }>;
  /** Floating IPs the cloud controller made that point at none of these load balancers any more (still billed). */
  strayAddresses?: Array<{ id: string; address: string }>;
  volumes: Array<{
    id: string;
    name: string;
    sizeGb: number;
    volumeType: string | null;
    status: string;
    availabilityZone: string;
    /** The claim it backs (from the metadata the CSI provisioner writes), when known. */
    claim: { namespace: string; name: string } | null;
    /** The node it is attached to, when it is. */
    attachedTo: string | null;
  }>;
}

/**
 * The load balancers and volumes the console made for the cluster (its API
 * load balancer, addons' load balancers and volumes, the masters' etcd
 * volumes), as the last pass observed them: the Overview's summary, beside
 * what the cluster made for itself (MadeByCluster). No timestamp, so a pass
 * that finds the same resources leaves the row (and the live streams) alone.
 */
export interface Inventory {
  loadBalancers: Array<{
    id: string;
    name: string;
    /** What it is for, in words: "Kubernetes API", "Addon ingress-nginx". */
    purpose: string;
    vipAddress: string;
    floatingIp: string | null;
    provisioning: string;
    operating: string;
  }>;
  volumes: Array<{
    id: string;
    name: string;
    /** "etcd of c1-master-0", "Addon docker-registry". */
    purpose: string;
    sizeGb: number;
    volumeType: string | null;
    status: string;
    availabilityZone: string;
    /** The node it is attached to, when it is. */
    attachedTo: string | null;
  }>;
}

export interface LbHealth {
  /** Octavia's id of the load balancer. */
  id: string;
  at: string;
  provisioning: string;
  operating: string;
  master: string | null;
  standby?: { id: string; status: string } | null;
  failovers: number;
  members: Array<{ pool: string; address: string; status: string }>;
  activeConnections: number;
}
/** Auto-healing: since when each worker has been NotReady (cluster time). */
export interface HealthStatus {
  notReadySince: Record<string, string>;
}

/** What the reconciler last observed, for the UI (status is separate from intent). */
export interface ClusterStatus {
  apiEndpoint: string | null;
  apiAddress: string | null;
  nodes: Array<{
    name: string;
    group: string;
    role: "master" | "worker";
    zone: string;
    flavor: string;
    ip: string | null;
    state: string;
    serverId: string;
    /** The kubelet's version, when the Kubernetes API answers. */
    version?: string;
  }>;
  lastError: { step: string; message: string; at: string; attempts: number; terminal: boolean } | null;
  /** The running (or last) upgrade's per-node progress. */
  upgrade?: UpgradeStatus | null;
  /** PodDisruptionBudgets and deprecated-API usage, as last read from the cluster (upgrade readiness). */
  workload?: WorkloadSnapshot;
  /** The CA rotation's progress: both CAs trusted, then only the new one. */
  caRotation?: { phase: "trusting" | "done"; at: string };
  /** Workers the stop cordoned (uncordoned again by the start). */
  cordonedByStop?: string[];
  /**
   * Nodes a start waits for (running, not Ready): when the start first saw each so (cluster time, ISO).
   * Past the start's deadline a worker is replaced (auto-healing's remedy) and a master fails the start.
   */
  startWait?: Record<string, string>;
  /**
   * Servers a stop waits for (stop sent, not off yet): since when (cluster time, ISO; "" = from the next
   * look, after a Retry). Past the stop's deadline the stop fails with them named.
   */
  stopWait?: Record<string, string>;
  /** The reconciler's progress on each node's newest cordon/uncordon/drain/replace request. */
  nodeActions?: Record<string, NodeActionStatus>;
  /** Kubernetes version each node's kubelet reports (node name → version), when the API answers. */
  kubeletVersions?: Record<string, string>;
  /** Last seen state of the load balancer and volumes (`kind:name` → state), to turn changes into events. */
  resources?: Record<string, string>;
  /** Addons by id (Installing / Installed / Failed / Removing). */
  addons?: Record<string, AddonStatus>;
  /** Whether the cluster's cloud controller and CSI can have credentials (a restricted binding cannot make them). */
  cloudIntegration?: { available: boolean; reason: string | null };
  /** System components inside the cluster (Helm charts and the Helm controller), by name. */
  components?: Record<string, ComponentStatus>;
  /** Gatekeeper and its constraints' audit results. */
  policies?: PolicyStatus;
  /** When the addons' releases and Gatekeeper's objects last matched this spec generation in the cluster. */
  kubeSync?: { generation: number; at: string };
  autoscaler?: AutoscalerStatus;
  health?: HealthStatus;
  /** Load balancers and volumes the cluster made for itself (its Services and claims). */
  madeByCluster?: MadeByCluster;
  /** Load balancers and volumes the console made for the cluster. */
  inventory?: Inventory;
  /** Each load balancer's health by name (status tree, amphorae, connections), when last looked at. */
  loadBalancers?: Record<string, LbHealth>;
  /**
   * Servers whose kubelet never registered with the Kubernetes API within
   * the deadline, by node name: when that was noticed, the last lines of
   * the server's console log, and whether the user asked to replace it.
   */
  unregistered?: Record<string, UnregisteredNode>;
  /** Running servers the API has no Node for yet, and since when (cluster clock, ms): the registration deadline counts from then. */
  joining?: Record<string, { serverId: string; since: number }>;
  /** Workers a scale-down is draining before it removes them (node → when the drain began, cluster clock ms). */
  scaleDownDrains?: Record<string, number>;
}

export interface UnregisteredNode {
  serverId: string;
  since: string;
  console: string[];
  retried?: boolean;
}
