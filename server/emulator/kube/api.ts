import { NODE_GROUP_LABEL } from "@/server/contracts/node-config";
import type { Engine } from "../engine";
import {
  constraintStatus,
  gatekeeperInstalled,
  invalidParameters,
  podManifest,
  serviceManifest,
} from "./gatekeeper";
import {
  apiServers,
  evictionBlockedBy,
  pdbStatus,
  podReady,
  recordEvent,
  removePod,
  type NodeView,
} from "./model";
import type { KubeClusterState, Pod, StoredObject } from "./types";
import { allocatable, nodeUsage } from "./workload";

/**
 * The Kubernetes REST API of one emulated cluster: discovery, nodes (get,
 * list, patch for cordon), pods (list, delete, eviction), events, PDBs,
 * deployments, the apiserver's deprecated-API metric and the Secret the
 * console pushes a rotated PKI through. JSON as a real API server answers
 * it, including server-side tables for `kubectl get`.
 */

export interface KubeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  accept: string;
  contentType: string;
  body: unknown;
  user: { name: string; groups: string[] };
}
export interface KubeResponse {
  status: number;
  body: unknown;
  contentType?: string;
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

function status(code: number, reason: string, message: string, details?: unknown): KubeResponse {
  return {
    status: code,
    body: {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: code < 400 ? "Success" : "Failure",
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    },
  };
}
const notFound = (kind: string, name: string, group = "") =>
  status(404, "NotFound", `${kind}${group ? `.${group}` : ""} "${name}" not found`, { name, group, kind });

/** kubectl's age column: 45s, 12m, 3h4m, 5d. */
export function humanAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ""}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return `${h}h${m % 60 ? `${m % 60}m` : ""}`;
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

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
      verbs: ["get", "list"],
      shortNames: ["svc"],
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
      verbs: ["get", "list"],
      shortNames: ["deploy"],
    },
  ],
} as const;

const GROUPS = [
  { name: "apps", version: "v1" },
  { name: "policy", version: "v1" },
  { name: "metrics.k8s.io", version: "v1beta1" },
];

export interface ApiContext {
  engine: Engine;
  k: KubeClusterState;
  nodes: NodeView[];
  /** host:port the client reached, for discovery. */
  serverAddress: string;
}

function nodeObject(ctx: ApiContext, n: NodeView) {
  const now = ctx.engine.now();
  const srv = n.server;
  const booting = srv.status === "ACTIVE" && !n.ready;
  const ramKi = (n.flavor?.ram ?? 0) * 1024;
  const cpu = n.flavor?.vcpus ?? 0;
  const labels: Record<string, string> = {
    "kubernetes.io/hostname": n.name,
    "kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "topology.kubernetes.io/region": "RegionOne",
    "topology.kubernetes.io/zone": srv.az,
    "node.kubernetes.io/instance-type": n.flavor?.name ?? "",
    ...(n.config.role === "master" ? { "node-role.kubernetes.io/control-plane": "" } : {}),
    ...(n.config.group ? { [NODE_GROUP_LABEL]: n.config.group } : {}),
    ...n.config.labels,
  };
  const taints = [
    ...(n.config.role === "master"
      ? [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]
      : []),
    ...n.config.taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect })),
    ...(n.unschedulable
      ? [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule", timeAdded: iso(now) }]
      : []),
    ...(!n.ready && !booting
      ? [
          { key: "node.kubernetes.io/unreachable", effect: "NoSchedule", timeAdded: iso(srv.updatedAt) },
          { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: iso(srv.updatedAt) },
        ]
      : []),
  ];
  const heartbeat = n.ready ? iso(now) : iso(srv.updatedAt);
  const cond = (type: string, ok: boolean, reason: string, message: string) => ({
    type,
    status: n.ready ? (ok ? "True" : "False") : booting ? (type === "Ready" ? "False" : "False") : "Unknown",
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: iso(srv.launchedAt ?? srv.updatedAt),
    reason: n.ready || booting ? reason : "NodeStatusUnknown",
    message: n.ready
      ? message
      : booting
        ? type === "Ready"
          ? "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady"
          : message
        : "Kubelet stopped posting node status.",
  });
  return {
    kind: "Node",
    apiVersion: "v1",
    metadata: {
      name: n.name,
      uid: srv.id,
      resourceVersion: String(ctx.k.resourceVersion),
      creationTimestamp: iso(n.createdAt),
      labels,
      annotations: {
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    },
    spec: {
      providerID: `openstack:///${srv.id}`,
      ...(n.unschedulable ? { unschedulable: true } : {}),
      ...(taints.length ? { taints } : {}),
    },
    status: {
      capacity: { cpu: String(cpu), memory: `${ramKi}Ki`, pods: "110", "ephemeral-storage": "50620216Ki" },
      allocatable: {
        cpu: `${allocatable(n).cpuMilli}m`,
        memory: `${allocatable(n).memoryMi * 1024}Ki`,
        pods: "110",
        "ephemeral-storage": "46651590989",
      },
      conditions: [
        cond(
          "MemoryPressure",
          false,
          "KubeletHasSufficientMemory",
          "kubelet has sufficient memory available",
        ),
        cond("DiskPressure", false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        cond("PIDPressure", false, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        cond("Ready", true, booting ? "KubeletNotReady" : "KubeletReady", "kubelet is posting ready status"),
      ],
      addresses: [
        ...(n.ip ? [{ type: "InternalIP", address: n.ip }] : []),
        { type: "Hostname", address: n.name },
      ],
      nodeInfo: {
        machineID: srv.id.replace(/-/g, ""),
        systemUUID: srv.id,
        bootID: `${srv.id.slice(0, 8)}-${(srv.launchedAt ?? 0).toString(16)}`,
        kernelVersion: "6.8.0-49-generic",
        osImage: "Ubuntu 24.04.1 LTS",
        containerRuntimeVersion: "containerd://2.1.4",
        kubeletVersion: n.kubeletVersion,
        kubeProxyVersion: n.kubeletVersion,
        operatingSystem: "linux",
        architecture: "amd64",
      },
    },
  };
}

function nodeTable(ctx: ApiContext, nodes: NodeView[]) {
  const now = ctx.engine.now();
  return table(
    [
      { name: "Name", type: "string", format: "name", description: "Name of the node" },
      { name: "Status", type: "string", description: "The status of the node" },
      { name: "Roles", type: "string", description: "The roles of the node" },
      { name: "Age", type: "string", description: "CreationTimestamp" },
      { name: "Version", type: "string", description: "Kubelet Version reported by the node." },
      { name: "Internal-IP", type: "string", description: "Internal IP", priority: 1 },
      { name: "Zone", type: "string", description: "Zone", priority: 1 },
    ],
    nodes.map((n) => ({
      cells: [
        n.name,
        nodeStatusText(n),
        n.config.role === "master" ? "control-plane" : "<none>",
        humanAge(now - n.createdAt),
        n.kubeletVersion,
        n.ip ?? "<none>",
        n.server.az,
      ],
      metadata: nodeObject(ctx, n).metadata,
    })),
    ctx.k.resourceVersion,
  );
}

function nodeStatusText(n: NodeView): string {
  return `${n.ready ? "Ready" : "NotReady"}${n.unschedulable ? ",SchedulingDisabled" : ""}`;
}

function podObject(ctx: ApiContext, p: Pod, nodes: Map<string, NodeView>) {
  const ready = podReady(ctx.engine, p, nodes);
  const node = p.node ? nodes.get(p.node) : undefined;
  const m = podManifest(ctx.k, p);
  return {
    kind: "Pod",
    apiVersion: "v1",
    metadata: {
      ...m.metadata,
      uid: p.uid,
      creationTimestamp: iso(p.createdAt),
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: `${p.app}-rs`,
          uid: `${ctx.k.id.slice(0, 8)}-rs-${p.app}`,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { ...(p.node ? { nodeName: p.node } : {}), ...m.spec },
    status: {
      phase: p.node ? "Running" : "Pending",
      conditions: [
        p.node || p.unschedulableAt === undefined
          ? { type: "PodScheduled", status: p.node ? "True" : "False" }
          : {
              type: "PodScheduled",
              status: "False",
              reason: "Unschedulable",
              lastTransitionTime: iso(p.unschedulableAt),
              message: "0 nodes are available to fit this pod's requests (see its FailedScheduling event)",
            },
        { type: "Ready", status: ready ? "True" : "False" },
      ],
      ...(node?.ip ? { hostIP: node.ip } : {}),
      ...(p.scheduledAt ? { startTime: iso(p.scheduledAt) } : {}),
    },
  };
}

function list(kind: string, apiVersion: string, items: unknown[], rv: number) {
  return { kind: `${kind}List`, apiVersion, metadata: { resourceVersion: String(rv) }, items };
}

function table(
  columns: Array<{ name: string; type: string; format?: string; description: string; priority?: number }>,
  rows: Array<{ cells: unknown[]; metadata: Record<string, unknown> }>,
  rv: number,
) {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion: String(rv) },
    columnDefinitions: columns.map((c) => ({ format: "", priority: 0, ...c })),
    rows: rows.map((r) => ({
      cells: r.cells,
      object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: r.metadata },
    })),
  };
}

/** `a=b,c=d` field selectors over a flattened view. */
function fieldMatch(selector: string | null, fields: Record<string, string | undefined>): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const neg = term.includes("!=");
    const [k, v] = term.split(neg ? "!=" : /==?/) as [string, string | undefined];
    const actual = fields[k.trim()] ?? "";
    return neg ? actual !== (v ?? "") : actual === (v ?? "");
  });
}

/** `app=web`, `app in (web,api)` are enough for the workload's single label. */
function labelMatch(selector: string | null, labels: Record<string, string>): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const t = term.trim();
    const m = /^(\S+)\s+in\s+\(([^)]*)\)$/.exec(t);
    if (m) return m[2]!.split(/\s*,\s*/).includes(labels[m[1]!] ?? "");
    const [k, v] = t.split(/!?==?/) as [string, string | undefined];
    if (v === undefined) return k.startsWith("!") ? !(k.slice(1) in labels) : k in labels;
    return t.includes("!=") ? labels[k] !== v : labels[k] === v;
  });
}

function wantsTable(accept: string) {
  return accept.includes("as=Table");
}

/** Merge patch (and strategic merge for the fields nodes have): only what the console and kubectl change. */
function unschedulableFromPatch(contentType: string, body: unknown): boolean | undefined | "invalid" {
  if (contentType.includes("json-patch")) {
    if (!Array.isArray(body)) return "invalid";
    let out: boolean | undefined;
    for (const op of body as Array<{ op?: string; path?: string; value?: unknown }>) {
      if (op.path !== "/spec/unschedulable") continue;
      if (op.op === "remove") out = false;
      else if ((op.op === "add" || op.op === "replace") && typeof op.value === "boolean") out = op.value;
      else return "invalid";
    }
    return out;
  }
  if (!body || typeof body !== "object") return "invalid";
  const spec = (body as { spec?: { unschedulable?: unknown } }).spec;
  if (!spec || !("unschedulable" in spec)) return undefined;
  if (spec.unschedulable === null) return false;
  return typeof spec.unschedulable === "boolean" ? spec.unschedulable : "invalid";
}

const PKI_SECRET = { namespace: "kube-system", name: "kc-apiserver-pki" };

export function handleKube(ctx: ApiContext, req: KubeRequest): KubeResponse {
  const { engine, k } = ctx;
  const now = engine.now();
  const masters = req.user.groups.includes("system:masters");
  const p = req.path.replace(/\/+$/, "") || "/";
  const nodes = new Map(ctx.nodes.map((n) => [n.name, n]));
  if (req.query.get("watch") === "true" || req.query.get("watch") === "1")
    return status(405, "MethodNotAllowed", "watch is not supported by this emulated API server");

  // ── unauthenticated-safe endpoints ─────────────────────────────────────────
  if (req.method === "GET" && ["/healthz", "/livez", "/readyz"].includes(p))
    return { status: 200, body: "ok", contentType: "text/plain" };
  if (req.method === "GET" && p === "/version") {
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
  }
  if (!masters) {
    return status(
      403,
      "Forbidden",
      `${p} is forbidden: User "${req.user.name}" cannot ${req.method.toLowerCase()} this resource`,
    );
  }

  // ── discovery ──────────────────────────────────────────────────────────────
  if (req.method === "GET") {
    if (p === "/api")
      return {
        status: 200,
        body: {
          kind: "APIVersions",
          versions: ["v1"],
          serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: ctx.serverAddress }],
        },
      };
    if (p === "/apis")
      return {
        status: 200,
        body: {
          kind: "APIGroupList",
          apiVersion: "v1",
          groups: [
            ...GROUPS,
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
      };
    const rl = (gv: keyof typeof RESOURCES) => ({
      status: 200,
      body: { kind: "APIResourceList", apiVersion: "v1", groupVersion: gv, resources: RESOURCES[gv] },
    });
    if (p === "/api/v1") return rl("v1");
    if (p === "/apis/policy/v1") return rl("policy/v1");
    if (p === "/apis/apps/v1") return rl("apps/v1");
    if (p === "/apis/metrics.k8s.io/v1beta1") return rl("metrics.k8s.io/v1beta1");
    if (p === "/apis/templates.gatekeeper.sh/v1" && gatekeeperInstalled(k))
      return {
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
      };
    if (p === "/apis/constraints.gatekeeper.sh/v1beta1" && gatekeeperInstalled(k))
      return {
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
      };
    if (p === "/metrics") {
      const lines = [
        "# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.",
        "# TYPE apiserver_requested_deprecated_apis gauge",
        ...k.deprecatedApis.map(
          (d) =>
            `apiserver_requested_deprecated_apis{group="${d.group}",removed_release="${d.removedRelease}",resource="${d.resource}",subresource="",version="${d.version}"} 1`,
        ),
      ];
      return { status: 200, body: `${lines.join("\n")}\n`, contentType: "text/plain; version=0.0.4" };
    }
  }

  // ── nodes ──────────────────────────────────────────────────────────────────
  if (p === "/api/v1/nodes" && req.method === "GET") {
    const sel = ctx.nodes.filter((n) =>
      labelMatch(req.query.get("labelSelector"), nodeObject(ctx, n).metadata.labels),
    );
    if (wantsTable(req.accept)) return { status: 200, body: nodeTable(ctx, sel) };
    return {
      status: 200,
      body: list(
        "Node",
        "v1",
        sel.map((n) => nodeObject(ctx, n)),
        k.resourceVersion,
      ),
    };
  }
  const nodeMatch = /^\/api\/v1\/nodes\/([^/]+)$/.exec(p);
  if (nodeMatch) {
    const n = nodes.get(decodeURIComponent(nodeMatch[1]!));
    if (!n) return notFound("nodes", decodeURIComponent(nodeMatch[1]!));
    if (req.method === "GET")
      return { status: 200, body: wantsTable(req.accept) ? nodeTable(ctx, [n]) : nodeObject(ctx, n) };
    if (req.method === "PATCH") {
      const want = unschedulableFromPatch(req.contentType, req.body);
      if (want === "invalid")
        return status(422, "Invalid", `Node "${n.name}" is invalid: spec.unschedulable: Invalid value`);
      if (want !== undefined && want !== n.unschedulable) {
        if (want) k.cordoned[n.name] = true;
        else delete k.cordoned[n.name];
        n.unschedulable = want;
        recordEvent(k, now, {
          namespace: "default",
          kind: "Node",
          name: n.name,
          reason: want ? "NodeNotSchedulable" : "NodeSchedulable",
          message: `Node ${n.name} status is now: ${want ? "NodeNotSchedulable" : "NodeSchedulable"}`,
          type: "Normal",
          component: "kubelet",
        });
        engine.markDirty();
      }
      return { status: 200, body: nodeObject(ctx, n) };
    }
    return status(405, "MethodNotAllowed", `${req.method} is not supported on nodes`);
  }

  // ── metrics-server: what each ready node's pods use now ────────────────────
  const nodeMetrics = /^\/apis\/metrics\.k8s\.io\/v1beta1\/nodes(?:\/([^/]+))?$/.exec(p);
  if (nodeMetrics && req.method === "GET") {
    const server = k.deployments.find((d) => d.namespace === "kube-system" && d.name === "metrics-server");
    const serving = k.pods.some((x) => x.app === "metrics-server" && podReady(engine, x, nodes));
    if (!server || !serving)
      return status(503, "ServiceUnavailable", "the server is currently unable to handle the request");
    const usage = nodeUsage(engine, k, ctx.nodes);
    const view = (name: string, u: { cpuMilli: number; memoryMi: number }) => ({
      kind: "NodeMetrics",
      apiVersion: "metrics.k8s.io/v1beta1",
      metadata: {
        name,
        creationTimestamp: iso(now),
        labels: nodes.get(name) ? { "kubernetes.io/hostname": name } : {},
      },
      timestamp: iso(now - 10_000),
      window: "20.05s",
      usage: { cpu: `${u.cpuMilli * 1_000_000}n`, memory: `${u.memoryMi * 1024}Ki` },
    });
    if (nodeMetrics[1]) {
      const name = decodeURIComponent(nodeMetrics[1]);
      const u = usage.get(name);
      return u ? { status: 200, body: view(name, u) } : notFound("nodes", name, "metrics.k8s.io");
    }
    return {
      status: 200,
      body: {
        kind: "NodeMetricsList",
        apiVersion: "metrics.k8s.io/v1beta1",
        metadata: {},
        items: [...usage].map(([name, u]) => view(name, u)),
      },
    };
  }

  // ── pods ───────────────────────────────────────────────────────────────────
  const podsList = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/pods$/.exec(p);
  if (podsList && req.method === "GET") {
    const ns = podsList[1] ? decodeURIComponent(podsList[1]) : null;
    const sel = k.pods.filter(
      (x) =>
        (!ns || x.namespace === ns) &&
        fieldMatch(req.query.get("fieldSelector"), {
          "spec.nodeName": x.node ?? "",
          "metadata.name": x.name,
          "metadata.namespace": x.namespace,
          "status.phase": x.node ? "Running" : "Pending",
        }) &&
        labelMatch(req.query.get("labelSelector"), { app: x.app }),
    );
    if (wantsTable(req.accept))
      return {
        status: 200,
        body: table(
          [
            { name: "Name", type: "string", format: "name", description: "Name" },
            { name: "Ready", type: "string", description: "The aggregate readiness state of this pod" },
            { name: "Status", type: "string", description: "The aggregate status of the containers" },
            { name: "Restarts", type: "string", description: "The number of times the containers restarted" },
            { name: "Age", type: "string", description: "CreationTimestamp" },
            { name: "Node", type: "string", description: "Node", priority: 1 },
          ],
          sel.map((x) => ({
            cells: [
              x.name,
              podReady(engine, x, nodes) ? "1/1" : "0/1",
              x.node ? (podReady(engine, x, nodes) ? "Running" : "ContainerCreating") : "Pending",
              "0",
              humanAge(now - x.createdAt),
              x.node ?? "<none>",
            ],
            metadata: { name: x.name, namespace: x.namespace, creationTimestamp: iso(x.createdAt) },
          })),
          k.resourceVersion,
        ),
      };
    return {
      status: 200,
      body: list(
        "Pod",
        "v1",
        sel.map((x) => podObject(ctx, x, nodes)),
        k.resourceVersion,
      ),
    };
  }
  const podOne = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/eviction)?$/.exec(p);
  if (podOne) {
    const ns = decodeURIComponent(podOne[1]!);
    const name = decodeURIComponent(podOne[2]!);
    const pod = k.pods.find((x) => x.namespace === ns && x.name === name);
    if (!pod) return notFound("pods", name);
    if (podOne[3]) {
      if (req.method !== "POST") return status(405, "MethodNotAllowed", "evictions are created with POST");
      const blocked = evictionBlockedBy(engine, k, pod, nodes);
      if (blocked) {
        return status(
          429,
          "TooManyRequests",
          "Cannot evict pod as it would violate the pod's disruption budget.",
          {
            causes: [
              {
                reason: "DisruptionBudget",
                message: `The disruption budget ${blocked.pdb.name} needs ${blocked.status.desired} healthy pods and has ${blocked.status.healthy} currently`,
              },
            ],
          },
        );
      }
      removePod(engine, k, pod, "evicted");
      engine.markDirty();
      return status(201, "", "");
    }
    if (req.method === "GET") return { status: 200, body: podObject(ctx, pod, nodes) };
    if (req.method === "DELETE") {
      const body = podObject(ctx, pod, nodes);
      removePod(engine, k, pod, "deleted");
      engine.markDirty();
      return { status: 200, body };
    }
    return status(405, "MethodNotAllowed", `${req.method} is not supported on pods`);
  }

  // ── events ─────────────────────────────────────────────────────────────────
  const events = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/events$/.exec(p);
  if (events && req.method === "GET") {
    const ns = events[1] ? decodeURIComponent(events[1]) : null;
    const sel = k.events.filter(
      (e) =>
        (!ns || e.namespace === ns) &&
        fieldMatch(req.query.get("fieldSelector"), {
          "involvedObject.kind": e.kind,
          "involvedObject.name": e.name,
          "involvedObject.namespace": e.kind === "Node" ? "" : e.namespace,
          reason: e.reason,
          type: e.type,
        }),
    );
    const limit = Number(req.query.get("limit") ?? "0");
    const items = (limit > 0 ? sel.slice(-limit) : sel).map((e) => ({
      kind: "Event",
      apiVersion: "v1",
      metadata: {
        name: `${e.name}.${e.id.toString(16).padStart(16, "0")}`,
        namespace: e.namespace,
        uid: `${k.id.slice(0, 8)}-ev-${e.id}`,
        resourceVersion: String(e.id),
        creationTimestamp: iso(e.at),
      },
      involvedObject: {
        kind: e.kind,
        name: e.name,
        ...(e.kind === "Node" ? { uid: e.name } : { namespace: e.namespace }),
        apiVersion: "v1",
      },
      reason: e.reason,
      message: e.message,
      source: { component: e.component },
      firstTimestamp: iso(e.at),
      lastTimestamp: iso(e.at),
      count: 1,
      type: e.type,
      eventTime: null,
      reportingComponent: e.component,
      reportingInstance: "",
    }));
    return { status: 200, body: list("Event", "v1", items, k.resourceVersion) };
  }

  // ── namespaces, PDBs, deployments ─────────────────────────────────────────
  if (p === "/api/v1/namespaces" && req.method === "GET") {
    const names = [
      ...new Set(["default", "kube-system", "kube-public", ...k.deployments.map((d) => d.namespace)]),
    ];
    return {
      status: 200,
      body: list(
        "Namespace",
        "v1",
        names.map((name) => ({
          kind: "Namespace",
          apiVersion: "v1",
          metadata: { name, creationTimestamp: iso(k.createdAt) },
          status: { phase: "Active" },
        })),
        k.resourceVersion,
      ),
    };
  }
  const pdbs = /^\/apis\/policy\/v1(?:\/namespaces\/([^/]+))?\/poddisruptionbudgets$/.exec(p);
  if (pdbs && req.method === "GET") {
    const ns = pdbs[1] ? decodeURIComponent(pdbs[1]) : null;
    const items = k.pdbs
      .filter((b) => !ns || b.namespace === ns)
      .map((b) => {
        const st = pdbStatus(engine, k, b, nodes);
        return {
          kind: "PodDisruptionBudget",
          apiVersion: "policy/v1",
          metadata: { name: b.name, namespace: b.namespace, creationTimestamp: iso(k.createdAt) },
          spec: {
            selector: { matchLabels: { app: b.app } },
            ...(b.minAvailable !== undefined ? { minAvailable: b.minAvailable } : {}),
            ...(b.maxUnavailable !== undefined ? { maxUnavailable: b.maxUnavailable } : {}),
          },
          status: {
            currentHealthy: st.healthy,
            desiredHealthy: st.desired,
            expectedPods: st.expected,
            disruptionsAllowed: st.allowed,
            observedGeneration: 1,
          },
        };
      });
    return { status: 200, body: list("PodDisruptionBudget", "policy/v1", items, k.resourceVersion) };
  }
  const deps = /^\/apis\/apps\/v1(?:\/namespaces\/([^/]+))?\/deployments$/.exec(p);
  if (deps && req.method === "GET") {
    const ns = deps[1] ? decodeURIComponent(deps[1]) : null;
    const items = k.deployments
      .filter((d) => !ns || d.namespace === ns)
      .map((d) => {
        const pods = k.pods.filter((x) => x.app === d.name && x.namespace === d.namespace);
        const ready = pods.filter((x) => podReady(engine, x, nodes)).length;
        return {
          kind: "Deployment",
          apiVersion: "apps/v1",
          metadata: {
            name: d.name,
            namespace: d.namespace,
            creationTimestamp: iso(k.createdAt),
            generation: 1,
          },
          spec: { replicas: d.replicas, selector: { matchLabels: { app: d.name } } },
          status: {
            replicas: pods.length,
            readyReplicas: ready,
            availableReplicas: ready,
            observedGeneration: 1,
          },
        };
      });
    return { status: 200, body: list("Deployment", "apps/v1", items, k.resourceVersion) };
  }

  // ── the PKI Secret (CA rotation) ───────────────────────────────────────────
  const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/.exec(p);
  if (secret) {
    const ns = decodeURIComponent(secret[1]!);
    const name = secret[2] ? decodeURIComponent(secret[2]) : null;
    const isPki = ns === PKI_SECRET.namespace && (name ?? "") === PKI_SECRET.name;
    if (req.method === "GET" && name) {
      if (!isPki || !k.pki) return notFound("secrets", name);
      return { status: 200, body: pkiSecret(k) };
    }
    if (req.method === "PUT" || (req.method === "POST" && !name)) {
      const b = req.body as {
        metadata?: { name?: string; namespace?: string };
        data?: Record<string, string>;
      };
      const target = name ?? b?.metadata?.name;
      if (ns !== PKI_SECRET.namespace || target !== PKI_SECRET.name)
        return status(403, "Forbidden", "this emulated API server stores only kube-system/kc-apiserver-pki");
      const d = b?.data ?? {};
      const dec = (key: string) => (d[key] ? Buffer.from(d[key], "base64").toString("utf8") : "");
      const next = { caBundle: dec("ca-bundle.crt"), cert: dec("tls.crt"), key: dec("tls.key") };
      if (
        !next.caBundle.includes("BEGIN CERTIFICATE") ||
        !next.cert.includes("BEGIN CERTIFICATE") ||
        !next.key.includes("PRIVATE KEY")
      )
        return status(
          422,
          "Invalid",
          'Secret "kc-apiserver-pki" is invalid: data needs ca-bundle.crt, tls.crt and tls.key (PEM)',
        );
      const existed = k.pki !== null;
      k.pki = next;
      k.resourceVersion++;
      engine.markDirty();
      return { status: existed ? 200 : 201, body: pkiSecret(k) };
    }
    return status(405, "MethodNotAllowed", `${req.method} is not supported on secrets`);
  }

  const more = handleStored(ctx, req, p);
  if (more) return more;

  return status(404, "NotFound", "the server could not find the requested resource");
}

const templateKind = (t: StoredObject) =>
  String(
    (t.spec as { crd?: { spec?: { names?: { kind?: unknown } } } } | undefined)?.crd?.spec?.names?.kind ?? "",
  );

/** ConfigMaps, services, and Gatekeeper's templates and constraints: objects kept as written. */
function handleStored(ctx: ApiContext, req: KubeRequest, p: string): KubeResponse | null {
  const { engine, k } = ctx;
  const now = engine.now();
  const nodes = new Map(ctx.nodes.map((n) => [n.name, n]));
  const body = (req.body ?? {}) as Partial<StoredObject>;
  const write = (
    store: Record<string, StoredObject>,
    key: string,
    meta: { apiVersion: string; kind: string; name: string; namespace?: string },
    existing: StoredObject | undefined,
  ): KubeResponse => {
    if (req.method === "POST" && existing)
      return status(409, "AlreadyExists", `${meta.kind.toLowerCase()}s "${meta.name}" already exists`, {
        name: meta.name,
        kind: meta.kind,
      });
    if (req.method === "PUT" && !existing) return notFound(meta.kind.toLowerCase(), meta.name);
    if (
      req.method === "PUT" &&
      existing &&
      body.metadata?.resourceVersion !== undefined &&
      body.metadata.resourceVersion !== existing.metadata.resourceVersion
    )
      return status(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${meta.kind.toLowerCase()}s "${meta.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    const { metadata: _m, apiVersion: _a, kind: _k, status: _s, ...rest } = body as StoredObject;
    k.resourceVersion++;
    const changed =
      !existing ||
      JSON.stringify(rest) !==
        JSON.stringify(
          Object.fromEntries(
            Object.entries(existing).filter(
              ([x]) => !["metadata", "apiVersion", "kind", "status"].includes(x),
            ),
          ),
        );
    const obj: StoredObject = {
      ...rest,
      apiVersion: meta.apiVersion,
      kind: meta.kind,
      metadata: {
        name: meta.name,
        ...(meta.namespace ? { namespace: meta.namespace } : {}),
        ...(body.metadata?.labels ? { labels: body.metadata.labels } : {}),
        ...(body.metadata?.annotations ? { annotations: body.metadata.annotations } : {}),
        uid: existing?.metadata.uid ?? `${k.id.slice(0, 8)}-obj-${k.resourceVersion}`,
        resourceVersion: String(k.resourceVersion),
        generation: (existing?.metadata.generation ?? 0) + (changed ? 1 : 0),
        creationTimestamp: existing?.metadata.creationTimestamp ?? iso(now),
      },
    };
    store[key] = obj;
    engine.markDirty();
    return { status: existing ? 200 : 201, body: obj };
  };
  const remove = (store: Record<string, StoredObject>, key: string, kind: string, name: string) => {
    const existing = store[key];
    if (!existing) return notFound(kind, name);
    delete store[key];
    k.resourceVersion++;
    engine.markDirty();
    return status(200, "", `${kind} "${name}" deleted`, { name, kind });
  };
  const listOf = (kind: string, apiVersion: string, items: unknown[]) => ({
    status: 200,
    body: list(kind, apiVersion, items, k.resourceVersion),
  });

  // ── ConfigMaps ───────────────────────────────────────────────────────────────
  const cm = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/configmaps(?:\/([^/]+))?$/.exec(p);
  if (cm) {
    const ns = cm[1] ? decodeURIComponent(cm[1]) : null;
    const name = cm[2] ? decodeURIComponent(cm[2]) : (body.metadata?.name ?? null);
    if (req.method === "GET" && !cm[2])
      return listOf(
        "ConfigMap",
        "v1",
        Object.values(k.configMaps).filter(
          (o) =>
            (!ns || o.metadata.namespace === ns) &&
            labelMatch(req.query.get("labelSelector"), o.metadata.labels ?? {}),
        ),
      );
    if (!ns || !name) return status(405, "MethodNotAllowed", "configmaps are written in a namespace");
    const key = `${ns}/${name}`;
    if (req.method === "GET")
      return k.configMaps[key] ? { status: 200, body: k.configMaps[key] } : notFound("configmaps", name);
    if (req.method === "DELETE") return remove(k.configMaps, key, "configmaps", name);
    if (req.method === "POST" || req.method === "PUT")
      return write(
        k.configMaps,
        key,
        { apiVersion: "v1", kind: "ConfigMap", name, namespace: ns },
        k.configMaps[key],
      );
    return status(405, "MethodNotAllowed", `${req.method} is not supported on configmaps`);
  }

  // ── Services (read-only: the workload's and the addons') ─────────────────────
  const svc = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/services$/.exec(p);
  if (svc && req.method === "GET") {
    const ns = svc[1] ? decodeURIComponent(svc[1]) : null;
    return listOf(
      "Service",
      "v1",
      k.services
        .filter((s) => !ns || s.namespace === ns)
        .map((s) => ({ kind: "Service", apiVersion: "v1", ...serviceManifest(s) })),
    );
  }

  // ── Gatekeeper ────────────────────────────────────────────────────────────────
  const tpl = /^\/apis\/templates\.gatekeeper\.sh\/v1(?:beta1)?\/constrainttemplates(?:\/([^/]+))?$/.exec(p);
  const con = /^\/apis\/constraints\.gatekeeper\.sh\/v1(?:beta1)?\/([^/]+)(?:\/([^/]+))?$/.exec(p);
  if ((tpl || con) && !gatekeeperInstalled(k))
    return status(
      404,
      "NotFound",
      "the server could not find the requested resource (Gatekeeper is not installed)",
    );
  if (tpl) {
    const name = tpl[1] ? decodeURIComponent(tpl[1]) : (body.metadata?.name ?? null);
    const view = (t: StoredObject) => ({
      ...t,
      status: {
        created: true,
        byPod: [
          {
            id: "gatekeeper-controller-manager",
            observedGeneration: t.metadata.generation,
            operations: ["webhook"],
          },
        ],
      },
    });
    if (req.method === "GET" && !tpl[1])
      return listOf(
        "ConstraintTemplate",
        "templates.gatekeeper.sh/v1",
        Object.values(k.templates)
          .filter((t) => labelMatch(req.query.get("labelSelector"), t.metadata.labels ?? {}))
          .map(view),
      );
    if (!name)
      return status(
        422,
        "Invalid",
        "ConstraintTemplate.templates.gatekeeper.sh is invalid: metadata.name: Required value",
      );
    if (req.method === "GET")
      return k.templates[name]
        ? { status: 200, body: view(k.templates[name]) }
        : notFound("constrainttemplates", name, "templates.gatekeeper.sh");
    if (req.method === "DELETE") {
      const t = k.templates[name];
      if (t) {
        // The CRD goes, and every constraint of its kind with it.
        const kind = templateKind(t);
        for (const key of Object.keys(k.constraints))
          if (key.startsWith(`${kind}/`)) delete k.constraints[key];
      }
      return remove(k.templates, name, "constrainttemplates", name);
    }
    if (req.method === "POST" || req.method === "PUT") {
      const kind = templateKind(body as StoredObject);
      const targets = (
        body.spec as { targets?: Array<{ target?: string; rego?: string; code?: unknown }> } | undefined
      )?.targets;
      if (!kind || kind.toLowerCase() !== name)
        return status(
          422,
          "Invalid",
          `ConstraintTemplate.templates.gatekeeper.sh "${name}" is invalid: metadata.name: must be the lowercased spec.crd.spec.names.kind`,
        );
      if (!targets?.length || targets.some((t) => !t.rego && !t.code))
        return status(
          422,
          "Invalid",
          `ConstraintTemplate.templates.gatekeeper.sh "${name}" is invalid: spec.targets: a target needs rego or code`,
        );
      return {
        ...write(
          k.templates,
          name,
          { apiVersion: "templates.gatekeeper.sh/v1", kind: "ConstraintTemplate", name },
          k.templates[name],
        ),
      };
    }
    return status(405, "MethodNotAllowed", `${req.method} is not supported on constrainttemplates`);
  }
  if (con) {
    const plural = decodeURIComponent(con[1]!);
    const template = Object.values(k.templates).find((t) => templateKind(t).toLowerCase() === plural);
    if (!template) return status(404, "NotFound", "the server could not find the requested resource");
    const kind = templateKind(template);
    const name = con[2] ? decodeURIComponent(con[2]) : (body.metadata?.name ?? null);
    const view = (c: StoredObject) => ({ ...c, status: constraintStatus(engine, k, c, nodes) });
    if (req.method === "GET" && !con[2])
      return listOf(
        kind,
        "constraints.gatekeeper.sh/v1beta1",
        Object.values(k.constraints)
          .filter((c) => c.kind === kind)
          .map(view),
      );
    if (!name) return status(422, "Invalid", `${kind} is invalid: metadata.name: Required value`);
    const key = `${kind}/${name}`;
    if (req.method === "GET")
      return k.constraints[key]
        ? { status: 200, body: view(k.constraints[key]) }
        : notFound(plural, name, "constraints.gatekeeper.sh");
    if (req.method === "DELETE") return remove(k.constraints, key, plural, name);
    if (req.method === "POST" || req.method === "PUT") {
      const bad = invalidParameters(
        template,
        (body.spec as { parameters?: unknown } | undefined)?.parameters,
      );
      if (bad)
        return status(422, "Invalid", `${kind}.constraints.gatekeeper.sh "${name}" is invalid: ${bad}`);
      const action = (body.spec as { enforcementAction?: unknown } | undefined)?.enforcementAction ?? "deny";
      if (!["deny", "dryrun", "warn"].includes(String(action)))
        return status(
          422,
          "Invalid",
          `${kind}.constraints.gatekeeper.sh "${name}" is invalid: spec.enforcementAction: Unsupported value: "${String(action)}"`,
        );
      return write(
        k.constraints,
        key,
        { apiVersion: "constraints.gatekeeper.sh/v1beta1", kind, name },
        k.constraints[key],
      );
    }
    return status(405, "MethodNotAllowed", `${req.method} is not supported on ${plural}`);
  }
  return null;
}

function pkiSecret(k: KubeClusterState) {
  const enc = (s: string) => Buffer.from(s).toString("base64");
  return {
    kind: "Secret",
    apiVersion: "v1",
    type: "Opaque",
    metadata: {
      name: PKI_SECRET.name,
      namespace: PKI_SECRET.namespace,
      resourceVersion: String(k.resourceVersion),
    },
    // The key is write-only here, as RBAC would make it in a real cluster's kube-system.
    data: { "ca-bundle.crt": enc(k.pki?.caBundle ?? ""), "tls.crt": enc(k.pki?.cert ?? "") },
  };
}
