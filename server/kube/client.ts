import { NODE_TOKEN_GROUP } from "@/server/contracts/kubeadm";
import https, { type RequestOptions } from "node:https";
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  PolicyV1Api,
  type V1Pod,
} from "@kubernetes/client-node";
import type { Resources } from "@/server/domain/autoscaler";
import type { WorkloadSnapshot } from "@/server/contracts/cluster-status";
import { deprecatedApisFromMetrics, type DeprecatedApi } from "./metrics-text";
import { cpuMilli, memoryMi } from "./quantity";
import { HASH_ANNOTATION, MANAGED_LABEL, type Manifest } from "./helm";
import { resourcePath } from "./resources";
import { z } from "zod";

/**
 * The console's view of a cluster's Kubernetes API, through
 * @kubernetes/client-node, so the same calls work against the emulated API
 * and a real cluster. Authenticates with the console's own client
 * certificate (system:masters) and verifies the server against the cluster CA.
 */

export interface KubeNode {
  name: string;
  ready: boolean;
  unschedulable: boolean;
  kubeletVersion: string;
  zone: string | null;
  group: string | null;
  controlPlane: boolean;
  /** The value of its node-role.kubernetes.io/control-plane label (kubeadm sets ""), null without it. */
  controlPlaneLabel: string | null;
  /** What pods may request on it. */
  allocatable: Resources;
  /** Its taints, as the API lists them. */
  taints: Array<{ key: string; value?: string; effect: string }>;
  /** Its Ready condition as the API states it (absent when the node has none yet). */
  readyCondition?: { status: string; reason: string | null; message: string | null; since: string | null };
}
export interface KubePod {
  namespace: string;
  name: string;
  node: string | null;
  ownerKind: string | null;
  /** The sum of its containers' requests. */
  requests: Resources;
  /** Not bound to a node, and the scheduler said it fits nowhere (PodScheduled=False, Unschedulable). */
  unschedulable: boolean;
  /** When it was created (ISO), for how long it has waited. */
  createdAt: string | null;
}
/** The shapes the upgrade readiness report stores (server/domain/upgrade-readiness.ts). */
export type KubePdb = WorkloadSnapshot["pdbs"][number];
export interface KubeEventItem {
  at: string | null;
  type: string;
  reason: string;
  kind: string;
  name: string;
  message: string;
}
export type { DeprecatedApi } from "./metrics-text";

export type EvictionResult =
  { result: "evicted" } | { result: "gone" } | { result: "blocked"; message: string };

/** An addon release record an older console wrote (kube-system/kc-addon-<id>), found only to remove it. */
export interface KubeRelease {
  id: string;
  hash: string;
}
export interface KubeDeployment {
  name: string;
  replicas: number;
  ready: number;
}
/** A Gatekeeper object the console applied (template or constraint), with the hash of what it applied. */
export interface KubeGatekeeperObject {
  kind: string;
  name: string;
  hash: string | null;
  managed: string | null;
}
export interface KubeConstraintStatus extends KubeGatekeeperObject {
  enforcementAction: string;
  /** null until the audit has run (or when it cannot evaluate the template). */
  totalViolations: number | null;
  auditTimestamp: string | null;
  violations: Array<{ kind: string; namespace: string; name: string; message: string }>;
  auditError: string | null;
}

export { HASH_ANNOTATION } from "./helm";
export const RELEASE_LABEL = "kube-console.io/addon";

/** A HelmChart the console applied, with what the Helm controller reports of it. */
export interface KubeHelmChart {
  name: string;
  hash: string | null;
  /** Being deleted (the controller's uninstall job holds its finalizer). */
  deleting: boolean;
  /** status.jobName: the install job the controller last made for it. */
  jobName: string | null;
  /** When the console last applied it (the API server's managedFields time), ISO. */
  appliedAt: string | null;
  /** status.conditions the controller sets (JobCreated, Failed). */
  conditions: Array<{ type: string; status: string; reason: string; message: string }>;
}
export interface KubeJob {
  createdAt: string | null;
  active: number;
  succeeded: number;
  failed: number;
  conditions: Array<{ type: string; status: string; reason: string; message: string }>;
}
export interface KubeWorkload {
  kind: "Deployment" | "DaemonSet";
  namespace: string;
  name: string;
  desired: number;
  ready: number;
}

export interface KubeClient {
  readyz(): Promise<boolean>;
  listNodes(): Promise<KubeNode[]>;
  setUnschedulable(node: string, unschedulable: boolean): Promise<void>;
  /** Deletes a Node object (a removed worker's); one already gone is fine. */
  deleteNode(node: string): Promise<void>;
  podsOn(node: string): Promise<KubePod[]>;
  evict(namespace: string, name: string): Promise<EvictionResult>;
  deletePod(namespace: string, name: string): Promise<void>;
  listPdbs(): Promise<KubePdb[]>;
  recentEvents(limit: number): Promise<KubeEventItem[]>;
  /** FailedCreate events whose message is an admission webhook's refusal, with their namespaces. */
  admissionRefusalEvents(): Promise<Array<KubeEventItem & { namespace: string }>>;
  deprecatedApis(): Promise<DeprecatedApi[]>;
  /** Every pod of the cluster (the autoscaler's view). */
  listPods(): Promise<KubePod[]>;
  /** What each node uses now (metrics.k8s.io); null when metrics-server does not answer. */
  nodeMetrics(): Promise<Map<string, Resources> | null>;
  putPkiSecret(data: { caBundle: string; cert: string; key: string }): Promise<void>;
  /** Creates the kube-system/bootstrap-token-<id> Secret nodes join with (kubeadm's format); an existing one is kept. */
  ensureBootstrapToken(token: {
    id: string;
    secret: string;
    expiresAt: Date;
    description: string;
  }): Promise<void>;
  /** Server-side apply (field manager kube-console, conflicts forced) of one object. */
  apply(manifest: Manifest): Promise<void>;
  /** The applied-hash annotation of an object, null when it does not exist. */
  appliedHash(manifest: Manifest): Promise<string | null>;
  /** The console's HelmCharts (kube-system, label kube-console.io/managed); null when the CRD is not served yet. */
  listHelmCharts(): Promise<KubeHelmChart[] | null>;
  deleteHelmChart(name: string): Promise<void>;
  getJob(namespace: string, name: string): Promise<KubeJob | null>;
  /** The last lines a job's newest failed pod wrote, null when none failed or its log is gone. */
  failedJobLog(namespace: string, job: string, tailLines: number): Promise<string | null>;
  /** Deployments and DaemonSets of a Helm release (label app.kubernetes.io/instance) in a namespace. */
  releaseWorkloads(namespace: string, release: string): Promise<KubeWorkload[]>;
  /** StorageClasses with the applied-hash annotation and whether the console manages them. */
  listStorageClasses(): Promise<Array<{ name: string; hash: string | null; managed: boolean }>>;
  deleteStorageClass(name: string): Promise<void>;
  /** Merges labels into a Node's. */
  labelNode(node: string, labels: Record<string, string>): Promise<void>;
  /** Removes one taint (by key) from a Node, keeping the others. */
  removeNodeTaint(node: string, key: string): Promise<void>;
  listReleases(): Promise<KubeRelease[]>;
  deleteRelease(id: string): Promise<void>;
  deploymentsIn(namespace: string): Promise<KubeDeployment[]>;
  /** null: Gatekeeper's CRDs are not there (yet). */
  listTemplates(): Promise<KubeGatekeeperObject[] | null>;
  listConstraints(kinds: string[]): Promise<KubeConstraintStatus[]>;
  /** Create or replace a template or constraint (stamped with `hash`). */
  applyGatekeeper(manifest: Record<string, unknown>, hash: string): Promise<void>;
  deleteGatekeeper(kind: string, name: string): Promise<void>;
}

export interface KubeTarget {
  server: string;
  caCertPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  /** Per-request timeout; the reconciler never waits long on one cluster. */
  timeoutMs?: number;
}

const NODE_GROUP_LABEL = "kube-console.io/node-group";

function statusOf(err: unknown): number | null {
  if (err instanceof ApiException) return err.code;
  return null;
}

function messageOf(err: unknown): string {
  if (err instanceof ApiException) {
    try {
      const b = (typeof err.body === "string" ? JSON.parse(err.body) : err.body) as {
        message?: string;
        details?: { causes?: Array<{ message?: string }> };
      };
      return [b.message, ...(b.details?.causes ?? []).map((c) => c.message)].filter(Boolean).join(": ");
    } catch {
      return `HTTP ${err.code}`;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

export function kubeConfigFor(t: KubeTarget, user = "kube-console"): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "cluster", server: t.server, caData: b64(t.caCertPem), skipTLSVerify: false }],
    users: [{ name: user, certData: b64(t.clientCertPem), keyData: b64(t.clientKeyPem) }],
    contexts: [{ name: "default", cluster: "cluster", user }],
    currentContext: "default",
  });
  return kc;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

function podOf(p: V1Pod): KubePod {
  const containers = p.spec?.containers ?? [];
  const scheduled = p.status?.conditions?.find((c) => c.type === "PodScheduled");
  return {
    namespace: p.metadata?.namespace ?? "default",
    name: p.metadata?.name ?? "",
    node: p.spec?.nodeName ?? null,
    ownerKind: p.metadata?.ownerReferences?.find((o) => o.controller)?.kind ?? null,
    requests: {
      cpuMilli: containers.reduce((s, c) => s + cpuMilli(c.resources?.requests?.cpu), 0),
      memoryMi: containers.reduce((s, c) => s + memoryMi(c.resources?.requests?.memory), 0),
    },
    unschedulable: !p.spec?.nodeName && scheduled?.status === "False" && scheduled.reason === "Unschedulable",
    createdAt: p.metadata?.creationTimestamp ? new Date(p.metadata.creationTimestamp).toISOString() : null,
  };
}

// ── Answers read through raw requests (the API reference's optionality) ────────
const Meta = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  managedFields: z
    .array(
      z.object({
        manager: z.string().optional(),
        operation: z.string().optional(),
        time: z.string().optional(),
      }),
    )
    .optional(),
});
const ObjectMeta = z.object({ metadata: Meta });
const Condition = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
const conditionOf = (c: z.infer<typeof Condition>) => ({
  type: c.type,
  status: c.status,
  reason: c.reason ?? "",
  message: c.message ?? "",
});
const StatusBody = z.object({ message: z.string().optional() });
const HelmChartList = z.object({
  items: z.array(
    z.object({
      metadata: Meta,
      status: z
        .object({ jobName: z.string().optional(), conditions: z.array(Condition).optional() })
        .optional(),
    }),
  ),
});
const JobBody = z.object({
  metadata: Meta,
  status: z
    .object({
      active: z.number().int().optional(),
      succeeded: z.number().int().optional(),
      failed: z.number().int().optional(),
      conditions: z.array(Condition).optional(),
    })
    .optional(),
});
const PodList = z.object({
  items: z.array(
    z.object({
      metadata: Meta,
      status: z
        .object({
          phase: z.string().optional(),
          containerStatuses: z.array(z.object({ restartCount: z.number().int().optional() })).optional(),
        })
        .optional(),
    }),
  ),
});
const WorkloadList = z.object({
  items: z.array(
    z.object({
      metadata: Meta,
      spec: z.object({ replicas: z.number().int().optional() }).optional(),
      status: z
        .object({
          readyReplicas: z.number().int().optional(),
          desiredNumberScheduled: z.number().int().optional(),
          numberReady: z.number().int().optional(),
        })
        .optional(),
    }),
  ),
});

export function createKubeClient(t: KubeTarget): KubeClient {
  const kc = kubeConfigFor(t);
  const core = kc.makeApiClient(CoreV1Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const TEMPLATES = { group: "templates.gatekeeper.sh", version: "v1", plural: "constrainttemplates" };
  const constraintsOf = (kind: string) => ({
    group: "constraints.gatekeeper.sh",
    version: "v1beta1",
    plural: kind.toLowerCase(),
  });
  type Obj = {
    kind?: string;
    metadata?: {
      name?: string;
      resourceVersion?: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
    status?: {
      totalViolations?: number;
      auditTimestamp?: string;
      violations?: Array<{ kind?: string; namespace?: string; name?: string; message?: string }>;
      byPod?: Array<{ errors?: Array<{ message?: string }> }>;
    };
    spec?: { enforcementAction?: string; crd?: { spec?: { names?: { kind?: string } } } };
  };
  const itemsOf = (list: unknown): Obj[] => (list as { items?: Obj[] }).items ?? [];
  const observed = (o: Obj, kind: string): KubeGatekeeperObject => ({
    kind,
    name: o.metadata?.name ?? "",
    hash: o.metadata?.annotations?.[HASH_ANNOTATION] ?? null,
    managed: o.metadata?.labels?.["kube-console.io/managed"] ?? null,
  });
  const timeoutMs = t.timeoutMs ?? 5_000;

  /** A raw request with the same TLS options (for /readyz, /metrics, apply patches and logs). */
  async function rawRequest(
    method: string,
    path: string,
    opts2: { body?: string; contentType?: string; accept?: string } = {},
  ): Promise<{ status: number; text: string }> {
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const url = new URL(path, t.server);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          ...opts,
          method,
          timeout: timeoutMs,
          headers: {
            accept: opts2.accept ?? "text/plain",
            ...(opts2.body !== undefined
              ? {
                  "content-type": opts2.contentType ?? "application/json",
                  "content-length": Buffer.byteLength(opts2.body),
                }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
          );
        },
      );
      req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(opts2.body);
    });
  }
  const rawGet = (path: string) => rawRequest("GET", path);
  /** A JSON request; the answer parsed with `schema`, null on 404. */
  async function jsonRequest<T>(
    method: string,
    path: string,
    schema: z.ZodType<T>,
    what: string,
    body?: { text: string; contentType: string },
  ): Promise<T | null> {
    const res = await rawRequest(method, path, {
      accept: "application/json",
      ...(body ? { body: body.text, contentType: body.contentType } : {}),
    });
    if (res.status === 404) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.text);
    } catch {
      throw new Error(`${what}: HTTP ${res.status} with a body that is not JSON`);
    }
    if (res.status >= 400) {
      const m = StatusBody.safeParse(parsed);
      throw new Error(`${what}: ${m.success && m.data.message ? m.data.message : `HTTP ${res.status}`}`);
    }
    const r = schema.safeParse(parsed);
    if (!r.success)
      throw new Error(`${what}: unexpected answer (${r.error.issues[0]?.message ?? "invalid"})`);
    return r.data;
  }

  const withTimeout = async <T>(p: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Kubernetes API timed out after ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    async apply(m) {
      const path = `${resourcePath(m)}?fieldManager=kube-console&force=true`;
      const what = `Applying ${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ""}${m.metadata.name}`;
      const r = await jsonRequest("PATCH", path, ObjectMeta, what, {
        text: JSON.stringify(m),
        contentType: "application/apply-patch+yaml",
      });
      if (r === null) throw new Error(`${what}: the API server does not serve ${m.apiVersion} ${m.kind}`);
    },
    async appliedHash(m) {
      const what = `Reading ${m.kind} ${m.metadata.name}`;
      const r = await jsonRequest("GET", resourcePath(m), ObjectMeta, what);
      return r?.metadata.annotations?.[HASH_ANNOTATION] ?? null;
    },
    async listHelmCharts() {
      const r = await jsonRequest(
        "GET",
        `/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts?labelSelector=${encodeURIComponent(`${MANAGED_LABEL}=true`)}`,
        HelmChartList,
        "Listing HelmCharts",
      );
      if (r === null) return null;
      return r.items.map((c) => ({
        name: c.metadata.name,
        hash: c.metadata.annotations?.[HASH_ANNOTATION] ?? null,
        deleting: Boolean(c.metadata.deletionTimestamp),
        jobName: c.status?.jobName ?? null,
        appliedAt:
          (c.metadata.managedFields ?? [])
            .filter((f) => f.manager === "kube-console" && f.operation === "Apply" && f.time)
            .map((f) => f.time!)
            .sort()
            .at(-1) ?? null,
        conditions: (c.status?.conditions ?? []).map(conditionOf),
      }));
    },
    async deleteHelmChart(name) {
      const res = await rawRequest(
        "DELETE",
        `/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts/${encodeURIComponent(name)}`,
        { accept: "application/json" },
      );
      if (res.status >= 400 && res.status !== 404)
        throw new Error(`Deleting HelmChart ${name}: HTTP ${res.status}`);
    },
    async getJob(namespace, name) {
      const j = await jsonRequest(
        "GET",
        `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs/${encodeURIComponent(name)}`,
        JobBody,
        `Reading job ${namespace}/${name}`,
      );
      if (!j) return null;
      return {
        createdAt: j.metadata.creationTimestamp ?? null,
        active: j.status?.active ?? 0,
        succeeded: j.status?.succeeded ?? 0,
        failed: j.status?.failed ?? 0,
        conditions: (j.status?.conditions ?? []).map(conditionOf),
      };
    },
    async failedJobLog(namespace, job, tailLines) {
      const pods = await jsonRequest(
        "GET",
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(`job-name=${job}`)}`,
        PodList,
        `Listing the pods of job ${namespace}/${job}`,
      );
      const failed = (pods?.items ?? [])
        .filter(
          (p) =>
            p.status?.phase === "Failed" ||
            (p.status?.containerStatuses ?? []).some((c) => (c.restartCount ?? 0) > 0),
        )
        .sort((a, b) =>
          (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? ""),
        )
        .at(-1);
      if (!failed) return null;
      const restarted = (failed.status?.containerStatuses ?? []).some((c) => (c.restartCount ?? 0) > 0);
      const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(failed.metadata.name)}/log?tailLines=${tailLines}`;
      // A container restarted in place (restartPolicy OnFailure): its last failed run is the previous one.
      const res = await rawGet(
        restarted && failed.status?.phase !== "Failed" ? `${base}&previous=true` : base,
      );
      return res.status === 200 ? res.text.trimEnd() : null;
    },
    async releaseWorkloads(namespace, release) {
      const ns = encodeURIComponent(namespace);
      const [deps, dss] = await Promise.all([
        jsonRequest(
          "GET",
          `/apis/apps/v1/namespaces/${ns}/deployments`,
          WorkloadList,
          `Listing deployments in ${namespace}`,
        ),
        jsonRequest(
          "GET",
          `/apis/apps/v1/namespaces/${ns}/daemonsets`,
          WorkloadList,
          `Listing daemon sets in ${namespace}`,
        ),
      ]);
      // Helm annotates every object it applies with its release; not every chart sets the instance label.
      const ofRelease = (w: z.infer<typeof WorkloadList>["items"][number]) =>
        w.metadata.annotations?.["meta.helm.sh/release-name"] === release;
      return [
        ...(deps?.items ?? []).filter(ofRelease).map((d) => ({
          kind: "Deployment" as const,
          namespace,
          name: d.metadata.name,
          desired: d.spec?.replicas ?? 1,
          ready: d.status?.readyReplicas ?? 0,
        })),
        ...(dss?.items ?? []).filter(ofRelease).map((d) => ({
          kind: "DaemonSet" as const,
          namespace,
          name: d.metadata.name,
          desired: d.status?.desiredNumberScheduled ?? 0,
          ready: d.status?.numberReady ?? 0,
        })),
      ];
    },
    async listStorageClasses() {
      const r = await jsonRequest(
        "GET",
        "/apis/storage.k8s.io/v1/storageclasses",
        z.object({ items: z.array(ObjectMeta) }),
        "Listing storage classes",
      );
      return (r?.items ?? []).map((c) => ({
        name: c.metadata.name,
        hash: c.metadata.annotations?.[HASH_ANNOTATION] ?? null,
        managed: c.metadata.labels?.[MANAGED_LABEL] === "true",
      }));
    },
    async deleteStorageClass(name) {
      const res = await rawRequest(
        "DELETE",
        `/apis/storage.k8s.io/v1/storageclasses/${encodeURIComponent(name)}`,
        {
          accept: "application/json",
        },
      );
      if (res.status >= 400 && res.status !== 404)
        throw new Error(`Deleting StorageClass ${name}: HTTP ${res.status}`);
    },
    async removeNodeTaint(node, key) {
      // The whole list, as kubectl taint sends it (Node.spec.taints has no merge key): what the node has, less `key`.
      const current = (await withTimeout(core.readNode({ name: node }))).spec?.taints ?? [];
      if (!current.some((t) => t.key === key)) return;
      await withTimeout(
        core.patchNode(
          { name: node, body: { spec: { taints: current.filter((t) => t.key !== key) } } },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        ),
      );
    },
    async labelNode(node, labels) {
      await withTimeout(
        core.patchNode(
          { name: node, body: { metadata: { labels } } },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        ),
      );
    },
    async listReleases() {
      const list = await withTimeout(
        core.listNamespacedConfigMap({ namespace: "kube-system", labelSelector: RELEASE_LABEL }),
      );
      return list.items.map((c) => ({
        id: c.metadata?.labels?.[RELEASE_LABEL] ?? "",
        hash: c.data?.hash ?? "",
      }));
    },
    async deleteRelease(id) {
      try {
        await withTimeout(
          core.deleteNamespacedConfigMap({ name: `kc-addon-${id}`, namespace: "kube-system" }),
        );
      } catch (err) {
        if (statusOf(err) !== 404) throw new Error(`Removing release ${id}: ${messageOf(err)}`);
      }
    },
    async deploymentsIn(namespace) {
      const list = await withTimeout(apps.listNamespacedDeployment({ namespace }));
      return list.items.map((d) => ({
        name: d.metadata?.name ?? "",
        replicas: d.spec?.replicas ?? 0,
        ready: d.status?.readyReplicas ?? 0,
      }));
    },
    async listTemplates() {
      try {
        const list = await withTimeout(custom.listClusterCustomObject(TEMPLATES));
        return itemsOf(list).map((t) => observed(t, t.spec?.crd?.spec?.names?.kind ?? ""));
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw new Error(`Listing constraint templates: ${messageOf(err)}`);
      }
    },
    async listConstraints(kinds) {
      const lists = await Promise.all(
        kinds.map(async (kind) => {
          try {
            return {
              kind,
              items: itemsOf(await withTimeout(custom.listClusterCustomObject(constraintsOf(kind)))),
            };
          } catch (err) {
            if (statusOf(err) === 404) return { kind, items: [] };
            throw new Error(`Listing ${kind} constraints: ${messageOf(err)}`);
          }
        }),
      );
      return lists.flatMap(({ kind, items }) =>
        items.map((c) => ({
          ...observed(c, kind),
          enforcementAction: c.spec?.enforcementAction ?? "deny",
          totalViolations: c.status?.totalViolations ?? null,
          auditTimestamp: c.status?.auditTimestamp ?? null,
          violations: (c.status?.violations ?? []).map((v) => ({
            kind: v.kind ?? "",
            namespace: v.namespace ?? "",
            name: v.name ?? "",
            message: v.message ?? "",
          })),
          auditError:
            (c.status?.byPod ?? []).flatMap((b) => b.errors ?? []).map((e) => e.message ?? "")[0] ?? null,
        })),
      );
    },
    async applyGatekeeper(manifest, hash) {
      const m = manifest as Obj & { metadata: { name: string } };
      const isTemplate = m.kind === "ConstraintTemplate";
      const target = isTemplate ? TEMPLATES : constraintsOf(String(m.kind));
      const body = {
        ...m,
        metadata: {
          ...m.metadata,
          annotations: { ...(m.metadata.annotations ?? {}), [HASH_ANNOTATION]: hash },
        },
      };
      const name = m.metadata.name;
      try {
        const current = (await withTimeout(custom.getClusterCustomObject({ ...target, name }))) as Obj;
        await withTimeout(
          custom.replaceClusterCustomObject({
            ...target,
            name,
            body: {
              ...body,
              metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion },
            },
          }),
        );
      } catch (err) {
        if (statusOf(err) !== 404) throw new Error(`Applying ${String(m.kind)} ${name}: ${messageOf(err)}`);
        try {
          await withTimeout(custom.createClusterCustomObject({ ...target, body }));
        } catch (e) {
          throw new Error(`Applying ${String(m.kind)} ${name}: ${messageOf(e)}`);
        }
      }
    },
    async deleteGatekeeper(kind, name) {
      const target = kind === "ConstraintTemplate" ? TEMPLATES : constraintsOf(kind);
      try {
        await withTimeout(custom.deleteClusterCustomObject({ ...target, name }));
      } catch (err) {
        if (statusOf(err) !== 404) throw new Error(`Deleting ${kind} ${name}: ${messageOf(err)}`);
      }
    },
    async readyz() {
      try {
        return (await rawGet("/readyz")).status === 200;
      } catch {
        return false;
      }
    },
    async listNodes() {
      const list = await withTimeout(core.listNode());
      return list.items.map((n) => ({
        name: n.metadata?.name ?? "",
        ready: (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
        unschedulable: Boolean(n.spec?.unschedulable),
        kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? "",
        zone: n.metadata?.labels?.["topology.kubernetes.io/zone"] ?? null,
        group: n.metadata?.labels?.[NODE_GROUP_LABEL] ?? null,
        controlPlane: n.metadata?.labels?.["node-role.kubernetes.io/control-plane"] !== undefined,
        controlPlaneLabel: n.metadata?.labels?.["node-role.kubernetes.io/control-plane"] ?? null,
        allocatable: {
          cpuMilli: cpuMilli(n.status?.allocatable?.cpu),
          memoryMi: memoryMi(n.status?.allocatable?.memory),
        },
        taints: (n.spec?.taints ?? []).map((t) => ({
          key: t.key,
          ...(t.value !== undefined ? { value: t.value } : {}),
          effect: t.effect,
        })),
        ...readyConditionOf(n.status?.conditions),
      }));
    },
    async listPods() {
      const list = await withTimeout(core.listPodForAllNamespaces());
      return list.items.map(podOf);
    },
    async nodeMetrics() {
      try {
        const list = await withTimeout(
          custom.listClusterCustomObject({ group: "metrics.k8s.io", version: "v1beta1", plural: "nodes" }),
        );
        const items =
          (
            list as {
              items?: Array<{ metadata?: { name?: string }; usage?: { cpu?: string; memory?: string } }>;
            }
          ).items ?? [];
        return new Map(
          items.map((i) => [
            i.metadata?.name ?? "",
            { cpuMilli: cpuMilli(i.usage?.cpu), memoryMi: memoryMi(i.usage?.memory) },
          ]),
        );
      } catch (err) {
        const code = statusOf(err);
        if (code === 503 || code === 404) return null;
        throw new Error(`Reading node metrics: ${messageOf(err)}`);
      }
    },
    async deleteNode(node) {
      try {
        await withTimeout(core.deleteNode({ name: node }));
      } catch (err) {
        if (statusOf(err) !== 404) throw new Error(`Deleting Node ${node}: ${messageOf(err)}`);
      }
    },
    async setUnschedulable(node, unschedulable) {
      await withTimeout(
        core.patchNode({
          name: node,
          body: [{ op: "add", path: "/spec/unschedulable", value: unschedulable }],
        }),
      );
    },
    async podsOn(node) {
      const list = await withTimeout(
        core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }),
      );
      return list.items.map(podOf);
    },
    async evict(namespace, name) {
      try {
        await withTimeout(
          core.createNamespacedPodEviction({
            name,
            namespace,
            body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } },
          }),
        );
        return { result: "evicted" };
      } catch (err) {
        const code = statusOf(err);
        if (code === 404) return { result: "gone" };
        if (code === 429) return { result: "blocked", message: messageOf(err) };
        throw new Error(`Evicting ${namespace}/${name}: ${messageOf(err)}`);
      }
    },
    async deletePod(namespace, name) {
      try {
        await withTimeout(core.deleteNamespacedPod({ name, namespace }));
      } catch (err) {
        if (statusOf(err) !== 404) throw new Error(`Deleting ${namespace}/${name}: ${messageOf(err)}`);
      }
    },
    async listPdbs() {
      const list = await withTimeout(policy.listPodDisruptionBudgetForAllNamespaces());
      return list.items.map((b) => ({
        namespace: b.metadata?.namespace ?? "",
        name: b.metadata?.name ?? "",
        disruptionsAllowed: b.status?.disruptionsAllowed ?? 0,
        currentHealthy: b.status?.currentHealthy ?? 0,
        desiredHealthy: b.status?.desiredHealthy ?? 0,
        expectedPods: b.status?.expectedPods ?? 0,
      }));
    },
    async admissionRefusalEvents() {
      const list = await withTimeout(
        core.listEventForAllNamespaces({ fieldSelector: "reason=FailedCreate" }),
      );
      return list.items
        .filter((e) => /admission webhook|failed calling webhook/.test(e.message ?? ""))
        .map((e) => ({
          at: e.lastTimestamp ? new Date(e.lastTimestamp).toISOString() : null,
          type: e.type ?? "Warning",
          reason: e.reason ?? "",
          kind: e.involvedObject.kind ?? "",
          name: e.involvedObject.name ?? "",
          namespace: e.involvedObject.namespace ?? e.metadata?.namespace ?? "",
          message: e.message ?? "",
        }));
    },
    async recentEvents(limit) {
      const list = await withTimeout(core.listEventForAllNamespaces({ limit }));
      return list.items.map((e) => ({
        at: e.lastTimestamp ? new Date(e.lastTimestamp).toISOString() : null,
        type: e.type ?? "Normal",
        reason: e.reason ?? "",
        kind: e.involvedObject.kind ?? "",
        name: e.involvedObject.name ?? "",
        message: e.message ?? "",
      }));
    },
    async deprecatedApis() {
      const res = await rawGet("/metrics");
      if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
      return deprecatedApisFromMetrics(res.text);
    },
    async putPkiSecret(data) {
      const body = {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "kc-apiserver-pki", namespace: "kube-system" },
        type: "Opaque",
        data: { "ca-bundle.crt": b64(data.caBundle), "tls.crt": b64(data.cert), "tls.key": b64(data.key) },
      };
      try {
        await withTimeout(
          core.replaceNamespacedSecret({ name: "kc-apiserver-pki", namespace: "kube-system", body }),
        );
      } catch (err) {
        if (statusOf(err) !== 404) throw new Error(`Updating the API server's PKI: ${messageOf(err)}`);
        await withTimeout(core.createNamespacedSecret({ namespace: "kube-system", body }));
      }
    },
    async ensureBootstrapToken(token) {
      const body = {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: `bootstrap-token-${token.id}`, namespace: "kube-system" },
        type: "bootstrap.kubernetes.io/token",
        stringData: {
          "token-id": token.id,
          "token-secret": token.secret,
          description: token.description,
          expiration: token.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
          "usage-bootstrap-authentication": "true",
          "usage-bootstrap-signing": "true",
          "auth-extra-groups": NODE_TOKEN_GROUP,
        },
      };
      try {
        await withTimeout(core.createNamespacedSecret({ namespace: "kube-system", body }));
      } catch (err) {
        if (statusOf(err) !== 409) throw new Error(`Creating the nodes' bootstrap token: ${messageOf(err)}`);
      }
    },
  };
}

/** A node's Ready condition, every field optional as the API reference has it. */
function readyConditionOf(
  conditions:
    | Array<{ type: string; status: string; reason?: string; message?: string; lastTransitionTime?: Date }>
    | undefined,
): Pick<KubeNode, "readyCondition"> {
  const c = (conditions ?? []).find((x) => x.type === "Ready");
  if (!c) return {};
  const since = c.lastTransitionTime ? new Date(c.lastTransitionTime) : null;
  return {
    readyCondition: {
      status: c.status,
      reason: c.reason ?? null,
      message: c.message ?? null,
      since: since && !Number.isNaN(since.getTime()) ? since.toISOString() : null,
    },
  };
}
