import { crdGroups } from "./crds";
import { gatekeeperInstalled } from "../gatekeeper";
import { HELMCHART_CRD } from "../helm";
import { apiServers } from "../model";
import { noSuchResource, type KubeCall, type KubeResponse, type KubeRouter } from "./common";
import { templateKind } from "./gatekeeper";

/** Health, version and discovery: what kubectl and client libraries ask first. */

const RESOURCES = {
  v1: [
    {
      name: "nodes",
      singularName: "node",
      namespaced: false,
      kind: "Node",
      verbs: ["get", "list", "patch"],
      shortNames: ["no"],
    },
    {
      name: "pods",
      singularName: "pod",
      namespaced: true,
      kind: "Pod",
      verbs: ["delete", "get", "list"],
      shortNames: ["po"],
    },
    {
      name: "pods/eviction",
      singularName: "",
      namespaced: true,
      kind: "Eviction",
      group: "policy",
      version: "v1",
      verbs: ["create"],
    },
    {
      name: "events",
      singularName: "event",
      namespaced: true,
      kind: "Event",
      verbs: ["get", "list"],
      shortNames: ["ev"],
    },
    {
      name: "namespaces",
      singularName: "namespace",
      namespaced: false,
      kind: "Namespace",
      verbs: ["get", "list"],
      shortNames: ["ns"],
    },
    {
      name: "secrets",
      singularName: "secret",
      namespaced: true,
      kind: "Secret",
      verbs: ["create", "get", "update"],
    },
    {
      name: "configmaps",
      singularName: "configmap",
      namespaced: true,
      kind: "ConfigMap",
      verbs: ["create", "delete", "get", "list", "update"],
      shortNames: ["cm"],
    },
    {
      name: "services",
      singularName: "service",
      namespaced: true,
      kind: "Service",
      verbs: ["create", "delete", "get", "list"],
      shortNames: ["svc"],
    },
    {
      name: "persistentvolumeclaims",
      singularName: "persistentvolumeclaim",
      namespaced: true,
      kind: "PersistentVolumeClaim",
      verbs: ["create", "delete", "get", "list"],
      shortNames: ["pvc"],
    },
    {
      name: "persistentvolumes",
      singularName: "persistentvolume",
      namespaced: false,
      kind: "PersistentVolume",
      verbs: ["delete", "get", "list"],
      shortNames: ["pv"],
    },
  ],
  "policy/v1": [
    {
      name: "poddisruptionbudgets",
      singularName: "poddisruptionbudget",
      namespaced: true,
      kind: "PodDisruptionBudget",
      verbs: ["get", "list"],
      shortNames: ["pdb"],
    },
  ],
  "metrics.k8s.io/v1beta1": [
    { name: "nodes", singularName: "", namespaced: false, kind: "NodeMetrics", verbs: ["get", "list"] },
  ],
  "apps/v1": [
    {
      name: "deployments",
      singularName: "deployment",
      namespaced: true,
      kind: "Deployment",
      verbs: ["get", "list", "patch"],
      shortNames: ["deploy"],
    },
    {
      name: "daemonsets",
      singularName: "daemonset",
      namespaced: true,
      kind: "DaemonSet",
      verbs: ["list"],
      shortNames: ["ds"],
    },
  ],
  "storage.k8s.io/v1": [
    {
      name: "storageclasses",
      singularName: "storageclass",
      namespaced: false,
      kind: "StorageClass",
      verbs: ["delete", "get", "list", "patch"],
      shortNames: ["sc"],
    },
  ],
  "batch/v1": [{ name: "jobs", singularName: "job", namespaced: true, kind: "Job", verbs: ["get", "list"] }],
  "helm.cattle.io/v1": [
    {
      name: "helmcharts",
      singularName: "helmchart",
      namespaced: true,
      kind: "HelmChart",
      verbs: ["delete", "get", "list", "patch"],
      shortNames: ["hc"],
    },
  ],
} as const;

const GROUPS = [
  { name: "apps", version: "v1" },
  { name: "policy", version: "v1" },
  { name: "metrics.k8s.io", version: "v1beta1" },
  { name: "batch", version: "v1" },
  { name: "storage.k8s.io", version: "v1" },
  { name: "apiextensions.k8s.io", version: "v1" },
];

/** Endpoints any client may call, before authorization. */
export function publicRoutes(router: KubeRouter): void {
  const ok = (): KubeResponse => ({ status: 200, body: "ok", contentType: "text/plain" });
  for (const path of ["/healthz", "/livez", "/readyz"]) router.on("GET", path, ok);
  router.on("GET", "/version", ({ ctx }) => {
    // The oldest API server still serving answers (during an upgrade, the LB may reach either).
    const versions = apiServers(ctx.nodes)
      .map((n) => n.kubeletVersion)
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const v = versions[0] ?? "v0.0.0";
    const [maj, min] = v.slice(1).split(".");
    return {
      status: 200,
      body: {
        major: maj,
        minor: min,
        gitVersion: v,
        gitCommit: "emulated",
        gitTreeState: "clean",
        buildDate: "2026-01-01T00:00:00Z",
        goVersion: "go1.24.4",
        compiler: "gc",
        platform: "linux/amd64",
      },
    };
  });
}

const resourceList = (gv: keyof typeof RESOURCES): KubeResponse => ({
  status: 200,
  body: { kind: "APIResourceList", apiVersion: "v1", groupVersion: gv, resources: RESOURCES[gv] },
});

/** A discovery document served only while Gatekeeper is installed. */
const whileGatekeeper =
  (answer: (call: KubeCall) => KubeResponse) =>
  (call: KubeCall): KubeResponse =>
    gatekeeperInstalled(call.ctx.k) ? answer(call) : noSuchResource();

export function discoveryRoutes(router: KubeRouter): void {
  router.on("GET", "/api", ({ ctx }) => ({
    status: 200,
    body: {
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: ctx.serverAddress }],
    },
  }));
  router.on("GET", "/apis", ({ ctx: { k } }) => ({
    status: 200,
    body: {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: [
        ...GROUPS,
        ...crdGroups(k),
        ...(k.crds?.[HELMCHART_CRD] ? [{ name: "helm.cattle.io", version: "v1" }] : []),
        ...(gatekeeperInstalled(k)
          ? [
              { name: "templates.gatekeeper.sh", version: "v1" },
              ...(Object.keys(k.templates).length
                ? [{ name: "constraints.gatekeeper.sh", version: "v1beta1" }]
                : []),
            ]
          : []),
      ].map((g) => ({
        name: g.name,
        versions: [{ groupVersion: `${g.name}/${g.version}`, version: g.version }],
        preferredVersion: { groupVersion: `${g.name}/${g.version}`, version: g.version },
      })),
    },
  }));
  router.on("GET", "/api/v1", () => resourceList("v1"));
  router.on("GET", "/apis/policy/v1", () => resourceList("policy/v1"));
  router.on("GET", "/apis/apps/v1", () => resourceList("apps/v1"));
  router.on("GET", "/apis/batch/v1", () => resourceList("batch/v1"));
  router.on("GET", "/apis/storage.k8s.io/v1", () => resourceList("storage.k8s.io/v1"));
  router.on("GET", "/apis/helm.cattle.io/v1", ({ ctx: { k } }) =>
    k.crds?.[HELMCHART_CRD] ? resourceList("helm.cattle.io/v1") : noSuchResource(),
  );
  router.on("GET", "/apis/metrics.k8s.io/v1beta1", () => resourceList("metrics.k8s.io/v1beta1"));
  router.on(
    "GET",
    "/apis/templates.gatekeeper.sh/v1",
    whileGatekeeper(() => ({
      status: 200,
      body: {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: "templates.gatekeeper.sh/v1",
        resources: [
          {
            name: "constrainttemplates",
            singularName: "constrainttemplate",
            namespaced: false,
            kind: "ConstraintTemplate",
            verbs: ["create", "delete", "get", "list", "update"],
            shortNames: ["ct"],
          },
        ],
      },
    })),
  );
  router.on(
    "GET",
    "/apis/constraints.gatekeeper.sh/v1beta1",
    whileGatekeeper(({ ctx: { k } }) => ({
      status: 200,
      body: {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: "constraints.gatekeeper.sh/v1beta1",
        resources: Object.values(k.templates).map((t) => {
          const kind = templateKind(t);
          return {
            name: kind.toLowerCase(),
            singularName: kind.toLowerCase(),
            namespaced: false,
            kind,
            verbs: ["create", "delete", "get", "list", "update"],
            categories: ["constraint", "constraints"],
          };
        }),
      },
    })),
  );
  router.on("GET", "/metrics", ({ ctx: { k } }) => {
    const lines = [
      "# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.",
      "# TYPE apiserver_requested_deprecated_apis gauge",
      ...k.deprecatedApis.map(
        (d) =>
          `apiserver_requested_deprecated_apis{group="${d.group}",removed_release="${d.removedRelease}",resource="${d.resource}",subresource="",version="${d.version}"} 1`,
      ),
    ];
    return { status: 200, body: `${lines.join("\n")}\n`, contentType: "text/plain; version=0.0.4" };
  });
}
