import type { LoadProfileInput } from "@/server/contracts/workload";

/**
 * What an emulated Kubernetes cluster stores (part of the emulator's saved
 * state, see state.ts): the workload, the objects kept as written, pods,
 * events and the load. Types only; no imports from the rest of the
 * emulator, so the state can name them without a cycle.
 */

/** The customer's load over time (see workload.ts). */
export type LoadProfile = LoadProfileInput & { since: number };

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
  /** Tolerates the masters' taint and may run there (the Helm controller, system charts installed before workers). */
  onMasters?: boolean;
  /** PersistentVolumeClaims its pods mount (names in its namespace): they wait for them to be bound. */
  claims?: string[];
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
/** A Helm controller's install or delete job (batch/v1 Job) and its one pod. */
export interface EmulatedJob {
  namespace: string;
  name: string;
  /** The HelmChart it acts for. */
  chart: string;
  /** The HelmChart spec it runs (a changed spec makes a new job), or "delete". */
  specKey: string;
  createdAt: number;
  startedAt: number | null;
  /** Failed attempts so far (the container restarts in place). */
  attempts: number;
  state: "Pending" | "Running" | "Succeeded" | "Failed";
  /** Its pod's log (the last attempt's). */
  log: string[];
  bootstrap: boolean;
  /** The node its pod runs on, once scheduled. */
  node?: string;
  /** Its finished pod was deleted (a drain evicts it). */
  podGone?: boolean;
  lastUnschedulableAt?: number;
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
    deletionTimestamp?: string;
    finalizers?: string[];
    managedFields?: Array<{
      manager: string;
      operation: string;
      apiVersion: string;
      time: string;
      fieldsType: string;
    }>;
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

/** What kubeadm init left in the cluster: the CA, the endpoint, the API server's names and the bootstrap tokens. */
export interface ControlPlaneState {
  initServerId: string;
  caCertPem: string;
  caKeyPem: string;
  /** The CA kube-public/cluster-info publishes (what a joining node pins); the cluster CA unless changed. */
  clusterInfoCaPem?: string;
  endpoint: string;
  certSANs: string[];
  /** kube-system/bootstrap-token-<id> Secrets by token id. */
  tokens: Record<string, { secret: string; expiresAt: number }>;
}

export interface KubeClusterState {
  id: string;
  /** Set by the first master's kubeadm init; null until then. */
  control?: ControlPlaneState | null;
  name: string;
  createdAt: number;
  cordoned: Record<string, true>;
  deployments: Deployment[];
  services: Service[];
  /** ConfigMaps by `namespace/name` (addon releases live in kube-system). */
  configMaps: Record<string, StoredObject>;
  /** Objects applied with server-side apply, by `apiVersion/kind/namespace/name` (HelmCharts, RBAC, namespaces). */
  applied?: Record<string, StoredObject>;
  /**
   * Objects the customer made through the API and the cluster's controllers
   * act on (Services, PersistentVolumeClaims, PersistentVolumes), by
   * `kind/namespace/name`; see cloud-provider.ts.
   */
  objects?: Record<string, StoredObject>;
  /** The cloud controller's and CSI's last error per object (`kind/namespace/name`), to repeat its event at most once a minute. */
  cloudErrors?: Record<string, { message: string; at: number }>;
  /** CustomResourceDefinitions created through the API (served generically, api/crds.ts), by name. */
  customResourceDefinitions?: Record<string, StoredObject>;
  /** Their objects, by `group/kind/namespace/name`. */
  customObjects?: Record<string, StoredObject>;
  /** CRDs registered (by name), e.g. helmcharts.helm.cattle.io once the Helm controller ran. */
  crds?: Record<string, true>;
  /** The Helm controller's jobs by `namespace/name`. */
  jobs?: Record<string, EmulatedJob>;
  /**
   * Nodes a kubelet registered with `--cloud-provider=external` that no
   * longer carry the uninitialized taint: "cloud" when the cloud controller
   * initialized them (provider id, zone and instance-type labels), "untainted"
   * when a client removed the taint itself.
   */
  initialized?: Record<string, "cloud" | "untainted">;
  /** Labels set on Nodes through the API (merged over what the kubelet registers), by node. */
  nodeLabels?: Record<string, Record<string, string>>;
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
