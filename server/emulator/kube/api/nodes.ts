import { NODE_GROUP_LABEL } from "@/server/contracts/node-config";
import { ANY_METHOD } from "../../http";
import { podReady, recordEvent, type NodeView } from "../model";
import { allocatable, nodeUsage } from "../workload";
import {
  humanAge,
  iso,
  labelMatch,
  list,
  notFound,
  status,
  table,
  wantsTable,
  type ApiContext,
  type KubeCall,
  type KubeResponse,
  type KubeRouter,
} from "./common";

/** Nodes (get, list, patch for cordon) and metrics-server's node metrics. */

export function nodeObject(ctx: ApiContext, n: NodeView) {
  const now = ctx.engine.now();
  const srv = n.server;
  // A kubelet that died (an injected failure) posts nothing: the node controller marks Ready Unknown,
  // as it does for a stopped server; a running server whose kubelet lives is still booting.
  const failedAt = ctx.k.failed?.[n.name];
  const booting = srv.status === "ACTIVE" && !n.ready && failedAt === undefined;
  const ramKi = (n.flavor?.ram ?? 0) * 1024;
  const cpu = n.flavor?.vcpus ?? 0;
  const labels: Record<string, string> = {
    "kubernetes.io/hostname": n.name,
    "kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    // Set by the cloud controller when it initializes the node (a kubelet on an external cloud provider does not).
    ...(n.cloudInitialized
      ? {
          "topology.kubernetes.io/region": "RegionOne",
          "topology.kubernetes.io/zone": srv.az,
          "node.kubernetes.io/instance-type": n.flavor?.name ?? "",
        }
      : {}),
    ...(n.config.role === "master" ? { "node-role.kubernetes.io/control-plane": "" } : {}),
    ...(n.config.group ? { [NODE_GROUP_LABEL]: n.config.group } : {}),
    ...n.config.labels,
    ...ctx.k.nodeLabels?.[n.name],
  };
  const taints = [
    ...(n.config.role === "master"
      ? [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]
      : []),
    ...n.config.taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect })),
    ...(n.uninitialized ? [{ key: UNINITIALIZED_TAINT, value: "true", effect: "NoSchedule" }] : []),
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
  const silentSince = Math.max(failedAt ?? 0, srv.updatedAt);
  const heartbeat = n.ready ? iso(now) : iso(silentSince);
  const cond = (type: string, ok: boolean, reason: string, message: string) => ({
    type,
    status: n.ready ? (ok ? "True" : "False") : booting ? (type === "Ready" ? "False" : "False") : "Unknown",
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: n.ready || booting ? iso(srv.launchedAt ?? srv.updatedAt) : iso(silentSince),
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
      ...(n.cloudInitialized ? { providerID: `openstack:///${srv.id}` } : {}),
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

/** Labels a merge patch sets (null removes one); undefined when it sets none. */
function labelsFromPatch(
  contentType: string,
  body: unknown,
): Record<string, string | null> | undefined | "invalid" {
  if (contentType.includes("json-patch")) return undefined;
  const labels = (body as { metadata?: { labels?: unknown } } | null)?.metadata?.labels;
  if (labels === undefined) return undefined;
  if (!labels || typeof labels !== "object") return "invalid";
  for (const [key, v] of Object.entries(labels))
    if (
      (v !== null && typeof v !== "string") ||
      !/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key) ||
      (typeof v === "string" && v.length > 63)
    )
      return "invalid";
  return labels as Record<string, string | null>;
}

/** Merge patch (and strategic merge for the fields nodes have): only what the console and kubectl change. */
export const UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized";

/** The taints a patch sets (the whole list: Node.spec.taints has no merge key), undefined when it sets none. */
function taintsFromPatch(
  contentType: string,
  body: unknown,
): Array<{ key?: unknown }> | undefined | "invalid" {
  if (contentType.includes("json-patch")) {
    if (!Array.isArray(body)) return "invalid";
    let out: Array<{ key?: unknown }> | undefined;
    for (const op of body as Array<{ op?: string; path?: string; value?: unknown }>) {
      if (op.path !== "/spec/taints") continue;
      if (op.op === "remove") out = [];
      else if ((op.op === "add" || op.op === "replace") && Array.isArray(op.value)) out = op.value;
      else return "invalid";
    }
    return out;
  }
  if (!body || typeof body !== "object") return "invalid";
  const spec = (body as { spec?: { taints?: unknown } }).spec;
  if (!spec || !("taints" in spec)) return undefined;
  if (spec.taints === null) return [];
  return Array.isArray(spec.taints) ? (spec.taints as Array<{ key?: unknown }>) : "invalid";
}

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

export function nodeRoutes(router: KubeRouter): void {
  router.on("GET", "/api/v1/nodes", ({ ctx, req }) => {
    const { k } = ctx;
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
  });
  router.on(ANY_METHOD, "/api/v1/nodes/:name", (call, { name }) => node(call, name!));
  // metrics-server: what each ready node's pods use now.
  router.on("GET", "/apis/metrics.k8s.io/v1beta1/nodes", (call) => nodeMetrics(call, undefined));
  router.on("GET", "/apis/metrics.k8s.io/v1beta1/nodes/:name", (call, { name }) => nodeMetrics(call, name));
}

function node({ ctx, req, nodes, now }: KubeCall, name: string): KubeResponse {
  const { engine, k } = ctx;
  const n = nodes.get(name);
  if (!n) return notFound("nodes", name);
  if (req.method === "GET")
    return { status: 200, body: wantsTable(req.accept) ? nodeTable(ctx, [n]) : nodeObject(ctx, n) };
  if (req.method === "PATCH") {
    const labels = labelsFromPatch(req.contentType, req.body);
    if (labels === "invalid")
      return status(422, "Invalid", `Node "${n.name}" is invalid: metadata.labels: Invalid value`);
    if (labels) {
      const mine = { ...k.nodeLabels?.[n.name] } as Record<string, string>;
      for (const [key, v] of Object.entries(labels))
        if (v === null) delete mine[key];
        else mine[key] = v;
      (k.nodeLabels ??= {})[n.name] = mine;
      k.resourceVersion++;
      engine.markDirty();
    }
    // Taints the node's own configuration and state give it stay; removing the cloud provider's one is kept.
    const taints = taintsFromPatch(req.contentType, req.body);
    if (taints === "invalid")
      return status(422, "Invalid", `Node "${n.name}" is invalid: spec.taints: Invalid value`);
    if (taints && n.uninitialized && !taints.some((t) => t.key === UNINITIALIZED_TAINT)) {
      (k.initialized ??= {})[n.name] = "untainted";
      n.uninitialized = false;
      k.resourceVersion++;
      engine.markDirty();
    }
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
  if (req.method === "DELETE") {
    // The Node object goes; a kubelet still running registers it again (as a real one does).
    delete k.seen[n.name];
    delete k.cordoned[n.name];
    delete k.initialized?.[n.name];
    recordEvent(k, now, {
      namespace: "default",
      kind: "Node",
      name: n.name,
      reason: "RemovingNode",
      message: `Node ${n.name} event: Removing Node ${n.name} from Controller`,
      type: "Normal",
      component: "node-controller",
    });
    engine.markDirty();
    return {
      status: 200,
      body: {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Success",
        details: { name: n.name, kind: "nodes" },
      },
    };
  }
  return status(405, "MethodNotAllowed", `${req.method} is not supported on nodes`);
}

function nodeMetrics({ ctx, nodes, now }: KubeCall, one: string | undefined): KubeResponse {
  const { engine, k } = ctx;
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
  if (one) {
    const u = usage.get(one);
    return u ? { status: 200, body: view(one, u) } : notFound("nodes", one, "metrics.k8s.io");
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
