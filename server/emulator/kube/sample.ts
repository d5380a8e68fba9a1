import type { NodeConfig } from "./join";
import type { ContainerSpec, KubeClusterState } from "./types";
import { DEFAULT_LOAD } from "./workload";

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

export function newCluster(
  config: Pick<NodeConfig, "clusterId" | "clusterName">,
  now: number,
): KubeClusterState {
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
