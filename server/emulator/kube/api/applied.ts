import { parse } from "yaml";
import { ANY_METHOD } from "../../http";
import { appliedKey, HELMCHART_CRD } from "../helm";
import type { Deployment, EmulatedJob, KubeClusterState, StoredObject } from "../types";
import {
  fieldMatch,
  inAnyNamespace,
  iso,
  labelMatch,
  list,
  noSuchResource,
  notFound,
  status,
  type KubeCall,
  type KubeResponse,
  type KubeRouter,
} from "./common";

/**
 * Objects the console writes with server-side apply (PATCH
 * application/apply-patch+yaml with a fieldManager): namespaces, service
 * accounts, RBAC, the Helm controller's Deployment and HelmCharts (served
 * once the controller registered their CRD), and the Helm controller's
 * jobs with their pods' logs. Refused as a real API server refuses: no
 * field manager, a body whose kind or name differs from the URL, a
 * namespace that does not exist.
 */

const BUILTIN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

export function namespaceNames(k: KubeClusterState): string[] {
  const applied = Object.values(k.applied ?? {})
    .filter((o) => o.kind === "Namespace")
    .map((o) => o.metadata.name);
  // Helm creates a chart's target namespace (createNamespace) when its job runs.
  const helm = Object.values(k.jobs ?? {})
    .filter((j) => j.state === "Succeeded")
    .map((j) => targetNamespaceOf(k, j))
    .filter((x): x is string => x !== null);
  return [...new Set([...BUILTIN_NAMESPACES, ...applied, ...k.deployments.map((d) => d.namespace), ...helm])];
}

function targetNamespaceOf(k: KubeClusterState, j: EmulatedJob): string | null {
  const o = k.applied?.[appliedKey("helm.cattle.io/v1", "HelmChart", j.namespace, j.chart)];
  const t = (o?.spec as { targetNamespace?: unknown } | undefined)?.targetNamespace;
  return typeof t === "string" ? t : null;
}

const crdServed = (k: KubeClusterState) => Boolean(k.crds?.[HELMCHART_CRD]);

export function appliedRoutes(router: KubeRouter): void {
  router.on(ANY_METHOD, "/api/v1/namespaces/:name", (call, { name }) =>
    call.req.method === "GET" ? getNamespace(call, name!) : apply(call, "v1", "Namespace", undefined, name!),
  );
  router.on(ANY_METHOD, "/api/v1/namespaces/:ns/serviceaccounts/:name", (call, { ns, name }) =>
    call.req.method === "GET"
      ? get(call, "v1", "ServiceAccount", ns, name!)
      : apply(call, "v1", "ServiceAccount", ns, name!),
  );
  for (const kind of ["ClusterRole", "ClusterRoleBinding"])
    router.on(
      ANY_METHOD,
      `/apis/rbac.authorization.k8s.io/v1/${kind.toLowerCase()}s/:name`,
      (call, { name }) =>
        call.req.method === "GET"
          ? get(call, "rbac.authorization.k8s.io/v1", kind, undefined, name!)
          : apply(call, "rbac.authorization.k8s.io/v1", kind, undefined, name!),
    );
  router.on(ANY_METHOD, "/apis/apps/v1/namespaces/:ns/deployments/:name", (call, { ns, name }) =>
    call.req.method === "GET"
      ? get(call, "apps/v1", "Deployment", ns, name!)
      : apply(call, "apps/v1", "Deployment", ns, name!),
  );
  router.on("GET", "/apis/storage.k8s.io/v1/storageclasses", ({ ctx: { k } }) => ({
    status: 200,
    body: list(
      "StorageClass",
      "storage.k8s.io/v1",
      Object.values(k.applied ?? {}).filter((o) => o.kind === "StorageClass"),
      k.resourceVersion,
    ),
  }));
  router.on(ANY_METHOD, "/apis/storage.k8s.io/v1/storageclasses/:name", (call, { name }) => {
    const { k, engine } = call.ctx;
    const key = appliedKey("storage.k8s.io/v1", "StorageClass", undefined, name!);
    if (call.req.method === "GET") return get(call, "storage.k8s.io/v1", "StorageClass", undefined, name!);
    if (call.req.method === "DELETE") {
      const o = k.applied?.[key];
      if (!o) return notFound("storageclasses", name!, "storage.k8s.io");
      delete k.applied![key];
      k.resourceVersion++;
      engine.markDirty();
      return { status: 200, body: o };
    }
    return apply(call, "storage.k8s.io/v1", "StorageClass", undefined, name!);
  });
  inAnyNamespace(router, "GET", "/apis/apps/v1", "daemonsets", ({ ctx: { k } }) => ({
    status: 200,
    body: list("DaemonSet", "apps/v1", [], k.resourceVersion),
  }));
  // HelmCharts: only once the controller has registered the CRD.
  inAnyNamespace(router, "GET", "/apis/helm.cattle.io/v1", "helmcharts", (call, ns) => {
    const { k } = call.ctx;
    if (!crdServed(k)) return noSuchResource();
    const items = Object.values(k.applied ?? {}).filter(
      (o) =>
        o.kind === "HelmChart" &&
        (!ns || o.metadata.namespace === ns) &&
        labelMatch(call.req.query.get("labelSelector"), o.metadata.labels ?? {}),
    );
    return { status: 200, body: list("HelmChart", "helm.cattle.io/v1", items, k.resourceVersion) };
  });
  router.on(ANY_METHOD, "/apis/helm.cattle.io/v1/namespaces/:ns/helmcharts/:name", (call, { ns, name }) => {
    const { k, engine } = call.ctx;
    if (!crdServed(k)) return noSuchResource();
    if (call.req.method === "GET") return get(call, "helm.cattle.io/v1", "HelmChart", ns, name!);
    if (call.req.method === "DELETE") {
      const o = k.applied?.[appliedKey("helm.cattle.io/v1", "HelmChart", ns, name!)];
      if (!o) return notFound("helmcharts", name!, "helm.cattle.io");
      // The controller's finalizer holds it until its uninstall job has run.
      o.metadata.deletionTimestamp ??= iso(call.now);
      k.resourceVersion++;
      engine.markDirty();
      return { status: 200, body: o };
    }
    return apply(call, "helm.cattle.io/v1", "HelmChart", ns, name!);
  });
  inAnyNamespace(router, "GET", "/apis/batch/v1", "jobs", (call, ns) => ({
    status: 200,
    body: list(
      "Job",
      "batch/v1",
      Object.values(call.ctx.k.jobs ?? {})
        .filter((j) => !ns || j.namespace === ns)
        .map((j) => jobObject(call.ctx.k, j)),
      call.ctx.k.resourceVersion,
    ),
  }));
  router.on("GET", "/apis/batch/v1/namespaces/:ns/jobs/:name", ({ ctx: { k } }, { ns, name }) => {
    const j = k.jobs?.[`${ns}/${name}`];
    return j ? { status: 200, body: jobObject(k, j) } : notFound("jobs", name!, "batch");
  });
  router.on("GET", "/api/v1/namespaces/:ns/pods/:name/log", ({ ctx: { k }, req }, { ns, name }) => {
    const j = Object.values(k.jobs ?? {}).find((x) => x.namespace === ns && jobPodName(x) === name);
    if (!j) return notFound("pods", name!);
    const tail = Number(req.query.get("tailLines") ?? "0");
    const lines = tail > 0 ? j.log.slice(-tail) : j.log;
    return { status: 200, body: lines.length ? `${lines.join("\n")}\n` : "", contentType: "text/plain" };
  });
}

/**
 * A job's pod evicted or deleted: a finished one is gone; a running one is
 * made again by the Job controller and starts over on another node.
 */
export function removeJobPod(k: KubeClusterState, ns: string, name: string): boolean {
  const j = Object.values(k.jobs ?? {}).find(
    (x) => x.namespace === ns && jobPodName(x) === name && !x.podGone,
  );
  if (!j) return false;
  if (j.state === "Succeeded" || j.state === "Failed") j.podGone = true;
  else {
    delete j.node;
    j.startedAt = null;
    j.state = "Pending";
  }
  k.resourceVersion++;
  return true;
}

export const jobPodName = (j: EmulatedJob) => `${j.name}-${j.specKey.slice(0, 5)}`;

/** A job's pod as the pods list shows it (label job-name). */
export function jobPodObjects(
  k: KubeClusterState,
  ns: string | null,
  selector: string | null,
  fieldSelector: string | null,
) {
  return Object.values(k.jobs ?? {})
    .filter(
      (j) =>
        (!ns || j.namespace === ns) &&
        !j.podGone &&
        fieldMatch(fieldSelector, {
          "spec.nodeName": j.node ?? "",
          "metadata.name": jobPodName(j),
          "metadata.namespace": j.namespace,
          "status.phase": j.state,
        }) &&
        labelMatch(selector, { "job-name": j.name, "batch.kubernetes.io/job-name": j.name }),
    )
    .map((j) => ({
      kind: "Pod",
      apiVersion: "v1",
      metadata: {
        name: jobPodName(j),
        namespace: j.namespace,
        labels: { "job-name": j.name, "batch.kubernetes.io/job-name": j.name },
        creationTimestamp: iso(j.createdAt),
      },
      spec: {
        ...(j.node ? { nodeName: j.node } : {}),
        restartPolicy: "OnFailure",
        containers: [{ name: "helm", image: "rancher/klipper-helm" }],
      },
      status: {
        phase: { Pending: "Pending", Running: "Running", Succeeded: "Succeeded", Failed: "Failed" }[j.state],
        containerStatuses: [{ name: "helm", restartCount: j.attempts, ready: j.state === "Running" }],
      },
    }));
}

/** The job's backoff limit: the HelmChart's spec.backOffLimit, as the controller copies it (1000 by default). */
function backOffLimitOf(k: KubeClusterState, j: EmulatedJob): number {
  const o = k.applied?.[appliedKey("helm.cattle.io/v1", "HelmChart", j.namespace, j.chart)];
  const v = (o?.spec as { backOffLimit?: unknown } | undefined)?.backOffLimit;
  return typeof v === "number" ? v : 1000;
}

function jobObject(k: KubeClusterState, j: EmulatedJob) {
  const done = j.state === "Succeeded" || j.state === "Failed";
  return {
    kind: "Job",
    apiVersion: "batch/v1",
    metadata: {
      name: j.name,
      namespace: j.namespace,
      uid: `${k.id.slice(0, 8)}-job-${j.specKey}`,
      creationTimestamp: iso(j.createdAt),
      labels: { "helmcharts.helm.cattle.io/chart": j.chart },
    },
    spec: {
      backoffLimit: backOffLimitOf(k, j),
      selector: { matchLabels: { "batch.kubernetes.io/job-name": j.name } },
      template: {
        metadata: { labels: { "job-name": j.name, "batch.kubernetes.io/job-name": j.name } },
        spec: { restartPolicy: "OnFailure" },
      },
    },
    status: {
      ...(j.state === "Running" || j.state === "Pending" ? { active: 1 } : {}),
      ...(j.state === "Succeeded" ? { succeeded: 1 } : {}),
      ...(j.attempts > 0 ? { failed: j.attempts } : {}),
      ...(j.startedAt !== null ? { startTime: iso(j.startedAt) } : {}),
      ...(done
        ? {
            conditions: [
              j.state === "Succeeded"
                ? { type: "Complete", status: "True" }
                : {
                    type: "Failed",
                    status: "True",
                    reason: "BackoffLimitExceeded",
                    message: "Job has reached the specified backoff limit",
                  },
            ],
          }
        : {}),
    },
  };
}

function getNamespace({ ctx: { k } }: KubeCall, name: string): KubeResponse {
  if (!namespaceNames(k).includes(name)) return notFound("namespaces", name);
  const o = k.applied?.[appliedKey("v1", "Namespace", undefined, name)];
  return {
    status: 200,
    body: o ?? {
      kind: "Namespace",
      apiVersion: "v1",
      metadata: { name, creationTimestamp: iso(k.createdAt) },
      status: { phase: "Active" },
    },
  };
}

export function get(
  { ctx: { k } }: KubeCall,
  apiVersion: string,
  kind: string,
  ns: string | undefined,
  name: string,
): KubeResponse {
  const o = k.applied?.[appliedKey(apiVersion, kind, ns, name)];
  return o
    ? { status: 200, body: o }
    : notFound(
        `${kind.toLowerCase()}s`,
        name,
        apiVersion.split("/").length > 1 ? apiVersion.split("/")[0] : "",
      );
}

/** Server-side apply of one object (the only manager is the console, so the applied fields are the object). */
export function apply(
  call: KubeCall,
  apiVersion: string,
  kind: string,
  ns: string | undefined,
  name: string,
): KubeResponse {
  const {
    ctx: { k, engine },
    req,
    now,
  } = call;
  if (req.method !== "PATCH")
    return status(405, "MethodNotAllowed", `${req.method} is not supported on ${kind}`);
  if (!req.contentType.includes("application/apply-patch"))
    return status(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml`,
    );
  const manager = req.query.get("fieldManager");
  if (!manager)
    return status(
      422,
      "Invalid",
      `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`,
    );
  let body: unknown = req.body;
  if (typeof body === "string") {
    try {
      body = parse(body);
    } catch (err) {
      return status(
        400,
        "BadRequest",
        `error decoding YAML: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  if (!body || typeof body !== "object") return status(400, "BadRequest", "the body is not an object");
  const b = body as Partial<StoredObject>;
  if (b.apiVersion !== apiVersion || b.kind !== kind)
    return status(
      400,
      "BadRequest",
      `the API version in the data (${String(b.apiVersion)}) does not match the expected API version (${apiVersion})`,
    );
  if (b.metadata?.name !== name)
    return status(
      400,
      "BadRequest",
      `the name of the object (${String(b.metadata?.name)}) does not match the name on the URL (${name})`,
    );
  if (ns && !namespaceNames(k).includes(ns)) return notFound("namespaces", ns);
  const key = appliedKey(apiVersion, kind, ns, name);
  const store = (k.applied ??= {});
  const existing = store[key];
  if (kind === "StorageClass") {
    const sc = b as { provisioner?: unknown; parameters?: unknown };
    if (typeof sc.provisioner !== "string" || !sc.provisioner)
      return status(
        422,
        "Invalid",
        `StorageClass.storage.k8s.io "${name}" is invalid: provisioner: Required value`,
      );
    if (existing && (existing as { provisioner?: unknown }).provisioner !== sc.provisioner)
      return status(
        422,
        "Invalid",
        `StorageClass.storage.k8s.io "${name}" is invalid: provisioner: Forbidden: updates to provisioner are forbidden.`,
      );
    if (
      existing &&
      JSON.stringify((existing as { parameters?: unknown }).parameters ?? {}) !==
        JSON.stringify(sc.parameters ?? {})
    )
      return status(
        422,
        "Invalid",
        `StorageClass.storage.k8s.io "${name}" is invalid: parameters: Forbidden: updates to parameters are forbidden.`,
      );
  }
  if (kind === "Secret") {
    const data = (b as { data?: unknown }).data ?? {};
    if (typeof data !== "object" || data === null)
      return status(400, "BadRequest", "Secret data must be a map");
    for (const [key, v] of Object.entries(data))
      if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0)
        return status(400, "BadRequest", `illegal base64 data in Secret data["${key}"]`);
  }
  const { metadata: _m, apiVersion: _a, kind: _k, status: _s, ...rest } = b as StoredObject;
  const sameContent =
    existing &&
    JSON.stringify(rest) ===
      JSON.stringify(
        Object.fromEntries(
          Object.entries(existing).filter(([x]) => !["metadata", "apiVersion", "kind", "status"].includes(x)),
        ),
      ) &&
    JSON.stringify(b.metadata?.labels ?? {}) === JSON.stringify(existing.metadata.labels ?? {}) &&
    JSON.stringify(b.metadata?.annotations ?? {}) === JSON.stringify(existing.metadata.annotations ?? {});
  if (existing && sameContent && !existing.metadata.deletionTimestamp) return { status: 200, body: existing };
  if (existing?.metadata.deletionTimestamp)
    return status(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${kind.toLowerCase()}s "${name}": object is being deleted`,
    );
  k.resourceVersion++;
  const obj: StoredObject = {
    ...rest,
    apiVersion,
    kind,
    metadata: {
      name,
      ...(ns ? { namespace: ns } : {}),
      ...(b.metadata?.labels ? { labels: b.metadata.labels } : {}),
      ...(b.metadata?.annotations ? { annotations: b.metadata.annotations } : {}),
      uid: existing?.metadata.uid ?? `${k.id.slice(0, 8)}-obj-${k.resourceVersion}`,
      resourceVersion: String(k.resourceVersion),
      generation: (existing?.metadata.generation ?? 0) + 1,
      creationTimestamp: existing?.metadata.creationTimestamp ?? iso(now),
      managedFields: [{ manager, operation: "Apply", apiVersion, time: iso(now), fieldsType: "FieldsV1" }],
    },
    ...(existing?.status !== undefined ? { status: existing.status } : {}),
  };
  store[key] = obj;
  if (kind === "Deployment" && ns) runDeployment(k, obj, ns);
  engine.markDirty();
  return { status: existing ? 200 : 201, body: obj };
}

/** An applied Deployment becomes one the emulated controllers run (replicas, first container's requests and image). */
function runDeployment(k: KubeClusterState, o: StoredObject, ns: string): void {
  const spec = (o.spec ?? {}) as {
    replicas?: number;
    template?: {
      metadata?: { labels?: Record<string, string> };
      spec?: {
        hostNetwork?: boolean;
        tolerations?: Array<{ key?: string }>;
        volumes?: Array<{ persistentVolumeClaim?: { claimName?: string } }>;
        securityContext?: Record<string, unknown>;
        containers?: Array<{
          name?: string;
          image?: string;
          securityContext?: Record<string, unknown>;
          resources?: { requests?: { cpu?: string; memory?: string } };
        }>;
      };
    };
  };
  const c = spec.template?.spec?.containers?.[0];
  const claims = (spec.template?.spec?.volumes ?? [])
    .map((v) => v.persistentVolumeClaim?.claimName)
    .filter((n): n is string => typeof n === "string" && n.length > 0);
  const cpu = /^(\d+)m$/.exec(c?.resources?.requests?.cpu ?? "");
  const mem = /^(\d+)Mi$/.exec(c?.resources?.requests?.memory ?? "");
  const d: Deployment = {
    namespace: ns,
    name: o.metadata.name,
    replicas: spec.replicas ?? 1,
    cpuMilli: cpu ? Number(cpu[1]) : 100,
    memoryMi: mem ? Number(mem[1]) : 128,
    ...(claims.length ? { claims } : {}),
    ...((spec.template?.spec?.tolerations ?? []).some(
      (t) => t.key === "node-role.kubernetes.io/control-plane",
    )
      ? { onMasters: true }
      : {}),
    template: {
      labels: { app: o.metadata.name, ...spec.template?.metadata?.labels },
      ...(spec.template?.spec?.hostNetwork ? { hostNetwork: true } : {}),
      ...(spec.template?.spec?.securityContext
        ? { securityContext: spec.template.spec.securityContext }
        : {}),
      containers: [
        {
          name: c?.name ?? o.metadata.name,
          image: c?.image ?? "",
          ...(c?.securityContext ? { securityContext: c.securityContext } : {}),
        },
      ],
    },
  };
  const i = k.deployments.findIndex((x) => x.namespace === ns && x.name === d.name);
  if (i < 0) k.deployments.push(d);
  else k.deployments[i] = d;
}
