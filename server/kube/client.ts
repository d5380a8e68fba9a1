import { NODE_TOKEN_GROUP } from "@/server/contracts/kubeadm";
import https, { type RequestOptions } from "node:https";
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PolicyV1Api,
  type V1Pod,
} from "@kubernetes/client-node";
import type { Resources } from "@/server/domain/autoscaler";
import type { WorkloadSnapshot } from "@/server/contracts/cluster-status";
import { deprecatedApisFromMetrics, type DeprecatedApi } from "./metrics-text";
import { cpuMilli, memoryMi } from "./quantity";

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
  /** What pods may request on it. */
  allocatable: Resources;
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

/** An addon release as the cluster stores it (kube-system/kc-addon-<id>). */
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

export const HASH_ANNOTATION = "kube-console.io/applied-hash";
export const RELEASE_LABEL = "kube-console.io/addon";

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
  listReleases(): Promise<KubeRelease[]>;
  putRelease(id: string, hash: string, data: Record<string, string>): Promise<void>;
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

  /** A raw GET with the same TLS options (for /readyz and /metrics, which have no typed client). */
  async function rawGet(path: string): Promise<{ status: number; text: string }> {
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const url = new URL(path, t.server);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        { ...opts, method: "GET", timeout: timeoutMs, headers: { accept: "text/plain" } },
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
      req.end();
    });
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
    async listReleases() {
      const list = await withTimeout(
        core.listNamespacedConfigMap({ namespace: "kube-system", labelSelector: RELEASE_LABEL }),
      );
      return list.items.map((c) => ({
        id: c.metadata?.labels?.[RELEASE_LABEL] ?? "",
        hash: c.data?.hash ?? "",
      }));
    },
    async putRelease(id, hash, data) {
      const name = `kc-addon-${id}`;
      const body = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name,
          namespace: "kube-system",
          labels: { [RELEASE_LABEL]: id, "app.kubernetes.io/managed-by": "kube-console" },
        },
        data: { ...data, hash },
      };
      try {
        await withTimeout(core.replaceNamespacedConfigMap({ name, namespace: "kube-system", body }));
      } catch (err) {
        if (statusOf(err) !== 404) throw new Error(`Updating release ${id}: ${messageOf(err)}`);
        await withTimeout(core.createNamespacedConfigMap({ namespace: "kube-system", body }));
      }
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
        allocatable: {
          cpuMilli: cpuMilli(n.status?.allocatable?.cpu),
          memoryMi: memoryMi(n.status?.allocatable?.memory),
        },
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
