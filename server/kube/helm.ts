import { createHash } from "node:crypto";
import { stringify } from "yaml";
import {
  HELMCHART_NAMESPACE,
  SYSTEM,
  WEBHOOK_EXEMPT_NAMESPACES,
  WEBHOOK_IGNORE_LABEL,
  type WantedChart,
} from "@/server/domain/charts";
import { CINDER_CSI, type WantedStorageClass } from "@/server/domain/storage-classes";

/**
 * The in-cluster Helm controller (k3s-io/helm-controller, the engine RKE2
 * and K3s install their charts with) and the HelmChart objects it acts on,
 * as the console applies them with server-side apply. The manifests are the
 * console's own, pinned to the upstream image version in the catalog; the
 * controller registers its CRDs itself when it starts.
 */

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
} & Record<string, unknown>;

export const MANAGED_LABEL = "kube-console.io/managed";
export const HASH_ANNOTATION = "kube-console.io/applied-hash";
export const HELM_CONTROLLER_NAMESPACE = "helm-controller";
export const HELM_CONTROLLER = "helm-controller";
/** The ClusterRole the controller gives each chart's install job (JOB_CLUSTER_ROLE). */
const JOB_CLUSTER_ROLE = "cluster-admin";

const managed = { [MANAGED_LABEL]: "true", "app.kubernetes.io/managed-by": "kube-console" };

export const hashOf = (v: unknown) =>
  createHash("sha256").update(JSON.stringify(v)).digest("hex").slice(0, 16);

/** Stamp a manifest with the hash of its content, so a pass that finds the same hash applies nothing. */
export function stamped(m: Manifest): Manifest {
  const h = hashOf(m);
  return {
    ...m,
    metadata: { ...m.metadata, annotations: { ...m.metadata.annotations, [HASH_ANNOTATION]: h } },
  };
}

/**
 * Namespace, service account, RBAC and Deployment of the controller. It runs
 * on a master with host networking and talks to the local API server, and
 * tolerates the taints of nodes without a pod network or cloud controller
 * yet, so it can install the CNI and the cloud controller themselves.
 */
export function helmControllerManifests(): Manifest[] {
  const ns = HELM_CONTROLLER_NAMESPACE;
  const labels = { ...managed, "app.kubernetes.io/name": HELM_CONTROLLER };
  const m: Manifest[] = [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: ns, labels: { ...labels, [WEBHOOK_IGNORE_LABEL]: "kube-console-platform" } },
    },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: HELM_CONTROLLER, namespace: ns, labels } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: HELM_CONTROLLER, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "ServiceAccount", name: HELM_CONTROLLER, namespace: ns }],
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: HELM_CONTROLLER, namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { "app.kubernetes.io/name": HELM_CONTROLLER } },
        strategy: { type: "Recreate" },
        template: {
          metadata: { labels: { "app.kubernetes.io/name": HELM_CONTROLLER } },
          spec: {
            serviceAccountName: HELM_CONTROLLER,
            hostNetwork: true,
            priorityClassName: "system-cluster-critical",
            nodeSelector: { "kubernetes.io/os": "linux" },
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    {
                      matchExpressions: [
                        { key: "node-role.kubernetes.io/control-plane", operator: "Exists" },
                      ],
                    },
                  ],
                },
              },
            },
            tolerations: [
              { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
              { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoSchedule" },
              { key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" },
              {
                key: "node.cloudprovider.kubernetes.io/uninitialized",
                operator: "Exists",
                effect: "NoSchedule",
              },
              { key: "CriticalAddonsOnly", operator: "Exists" },
            ],
            containers: [
              {
                name: HELM_CONTROLLER,
                image: SYSTEM.helmController.image,
                command: ["helm-controller"],
                env: [
                  { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                  { name: "JOB_CLUSTER_ROLE", value: JOB_CLUSTER_ROLE },
                  { name: "DEFAULT_JOB_IMAGE", value: SYSTEM.helmController.jobImage },
                  // Host networking on a master: the local API server, before any Service routing exists.
                  { name: "KUBERNETES_SERVICE_HOST", value: "127.0.0.1" },
                  { name: "KUBERNETES_SERVICE_PORT", value: "6443" },
                ],
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 65534,
                  seccompProfile: { type: "RuntimeDefault" },
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
              },
            ],
          },
        },
      },
    },
  ];
  return m.map(stamped);
}

/**
 * The platform's namespaces labelled for Gatekeeper's webhook to skip (it
 * fails closed): kube-system and the Helm controller's, and the pod
 * network's when that is Calico.
 */
export function webhookExemptNamespaces(cni: "calico" | "cilium"): Manifest[] {
  return WEBHOOK_EXEMPT_NAMESPACES.filter(
    (ns) => cni === "calico" || (ns !== "tigera-operator" && ns !== "calico-system"),
  ).map((name) =>
    stamped({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels: { [WEBHOOK_IGNORE_LABEL]: "kube-console-platform" } },
    }),
  );
}

/** A StorageClass on Cinder CSI for one volume type (the cloud's default marked default). */
export function storageClassManifest(c: WantedStorageClass): Manifest {
  return stamped({
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name: c.name,
      labels: managed,
      ...(c.isDefault ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } } : {}),
    },
    provisioner: CINDER_CSI,
    parameters: { type: c.volumeType },
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
  });
}

/** The HelmChart object of a wanted chart (kube-system/<release>). */
export function helmChartManifest(c: WantedChart): Manifest {
  return stamped({
    apiVersion: "helm.cattle.io/v1",
    kind: "HelmChart",
    metadata: {
      name: c.name,
      namespace: HELMCHART_NAMESPACE,
      labels: { ...managed, "kube-console.io/chart-kind": c.kind },
    },
    spec: {
      repo: c.repo,
      chart: c.chart,
      version: c.version,
      targetNamespace: c.targetNamespace,
      createNamespace: true,
      bootstrap: c.bootstrap,
      valuesContent: stringify(c.values, { indent: 2 }),
      // An install that keeps failing stops after a few tries and says why, instead of retrying forever.
      backOffLimit: 3,
      timeout: "10m0s",
    },
  });
}
