import { serviceManifest } from "../gatekeeper";
import type { KubeClusterState, StoredObject } from "../types";
import { namespaceNames } from "./applied";
import {
  inAnyNamespace,
  iso,
  labelMatch,
  list,
  notFound,
  status,
  type KubeCall,
  type KubeResponse,
  type KubeRouter,
} from "./common";

/**
 * Objects a customer makes with kubectl that the cluster's controllers act
 * on: Services (a LoadBalancer one gets an Octavia load balancer from the
 * cloud controller), PersistentVolumeClaims (Cinder CSI makes a volume and
 * its PersistentVolume). Create, get, list and delete, refused as a real
 * API server refuses (a name that is not a DNS label, no ports, no storage
 * request, a name taken, a namespace that does not exist); an object with
 * finalizers is only marked for deletion until its controller lets it go.
 */

const SUFFIXES: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};
/** A resource quantity in bytes (`3Gi`, `500M`, `1073741824`) as the API server parses it; 0 when it is not one. */
export function bytesOf(q: unknown): number {
  if (typeof q === "number") return q;
  const m = typeof q === "string" ? /^([0-9]+(?:\.[0-9]+)?)(k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(q.trim()) : null;
  return m ? Number(m[1]) * SUFFIXES[m[2] ?? ""]! : 0;
}

export const objectKey = (kind: string, ns: string | undefined, name: string) =>
  `${kind}/${ns ?? ""}/${name}`;

export function objectsOf(k: KubeClusterState, kind: string, ns?: string | null): StoredObject[] {
  return Object.values(k.objects ?? {}).filter(
    (o) => o.kind === kind && (ns === undefined || ns === null || o.metadata.namespace === ns),
  );
}

const DNS1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123 = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"];
const ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];
/** The DefaultStorageClass admission plugin's annotation. */
const DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";

export function objectRoutes(router: KubeRouter): void {
  inAnyNamespace(router, "GET", "/api/v1", "services", listServices);
  router.on("POST", "/api/v1/namespaces/:ns/services", (call, { ns }) => createService(call, ns!));
  router.on("GET", "/api/v1/namespaces/:ns/services/:name", (call, { ns, name }) =>
    getService(call, ns!, name!),
  );
  router.on("DELETE", "/api/v1/namespaces/:ns/services/:name", (call, { ns, name }) =>
    remove(call, "Service", "services", ns!, name!),
  );

  inAnyNamespace(router, "GET", "/api/v1", "persistentvolumeclaims", (call, ns) =>
    listOf(call, "PersistentVolumeClaim", ns),
  );
  router.on("POST", "/api/v1/namespaces/:ns/persistentvolumeclaims", (call, { ns }) =>
    createClaim(call, ns!),
  );
  router.on("GET", "/api/v1/namespaces/:ns/persistentvolumeclaims/:name", (call, { ns, name }) =>
    getObject(call, "PersistentVolumeClaim", "persistentvolumeclaims", ns!, name!),
  );
  router.on("DELETE", "/api/v1/namespaces/:ns/persistentvolumeclaims/:name", (call, { ns, name }) =>
    remove(call, "PersistentVolumeClaim", "persistentvolumeclaims", ns!, name!),
  );

  router.on("GET", "/api/v1/persistentvolumes", (call) => listOf(call, "PersistentVolume", null));
  router.on("GET", "/api/v1/persistentvolumes/:name", (call, { name }) =>
    getObject(call, "PersistentVolume", "persistentvolumes", undefined, name!),
  );
  router.on("DELETE", "/api/v1/persistentvolumes/:name", (call, { name }) =>
    remove(call, "PersistentVolume", "persistentvolumes", undefined, name!),
  );
}

function listServices(call: KubeCall, ns: string | null): KubeResponse {
  const { k } = call.ctx;
  const builtIn = k.services
    .filter((s) => !ns || s.namespace === ns)
    .map((s) => ({ kind: "Service", apiVersion: "v1", ...serviceManifest(s) }));
  return {
    status: 200,
    body: list(
      "Service",
      "v1",
      [...builtIn, ...selected(call, objectsOf(k, "Service", ns))],
      k.resourceVersion,
    ),
  };
}

function listOf(call: KubeCall, kind: string, ns: string | null): KubeResponse {
  const { k } = call.ctx;
  return { status: 200, body: list(kind, "v1", selected(call, objectsOf(k, kind, ns)), k.resourceVersion) };
}

function selected(call: KubeCall, items: StoredObject[]): StoredObject[] {
  const sel = call.req.query.get("labelSelector");
  return items.filter((o) => labelMatch(sel, o.metadata.labels ?? {}));
}

function getService(call: KubeCall, ns: string, name: string): KubeResponse {
  const builtIn = call.ctx.k.services.find((s) => s.namespace === ns && s.name === name);
  if (builtIn)
    return { status: 200, body: { kind: "Service", apiVersion: "v1", ...serviceManifest(builtIn) } };
  return getObject(call, "Service", "services", ns, name);
}

function getObject(
  { ctx: { k } }: KubeCall,
  kind: string,
  resource: string,
  ns: string | undefined,
  name: string,
): KubeResponse {
  const o = k.objects?.[objectKey(kind, ns, name)];
  return o ? { status: 200, body: o } : notFound(resource, name);
}

/** DELETE: gone at once, or marked while finalizers hold it (the controller that set them removes it). */
function remove(
  { ctx: { k, engine }, now }: KubeCall,
  kind: string,
  resource: string,
  ns: string | undefined,
  name: string,
): KubeResponse {
  const key = objectKey(kind, ns, name);
  const o = k.objects?.[key];
  if (!o) {
    if (kind === "Service" && k.services.some((s) => s.namespace === ns && s.name === name))
      return status(
        403,
        "Forbidden",
        `services "${name}" is managed by its release and cannot be deleted here`,
      );
    return notFound(resource, name);
  }
  k.resourceVersion++;
  if (o.metadata.finalizers?.length) {
    o.metadata.deletionTimestamp ??= iso(now);
    o.metadata.resourceVersion = String(k.resourceVersion);
  } else delete k.objects![key];
  engine.markDirty();
  return { status: 200, body: o };
}

function bodyOf(call: KubeCall): Partial<StoredObject> | null {
  let b: unknown = call.req.body;
  if (typeof b === "string") {
    try {
      b = JSON.parse(b);
    } catch {
      return null;
    }
  }
  return b && typeof b === "object" ? (b as Partial<StoredObject>) : null;
}

/** The common checks of a create and the stored object's metadata; an error response when refused. */
function admit(
  call: KubeCall,
  kind: string,
  resource: string,
  ns: string,
  nameRule: RegExp,
): { body: Partial<StoredObject>; name: string } | KubeResponse {
  const { k } = call.ctx;
  const b = bodyOf(call);
  if (!b) return status(400, "BadRequest", "the body of the request is not a JSON object");
  if (b.kind !== undefined && b.kind !== kind)
    return status(400, "BadRequest", `the kind in the data (${String(b.kind)}) does not match ${kind}`);
  const name = b.metadata?.name;
  if (typeof name !== "string" || !name)
    return status(422, "Invalid", `${kind} "" is invalid: metadata.name: Required value: name is required`);
  if (!nameRule.test(name))
    return status(
      422,
      "Invalid",
      `${kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC ${nameRule === DNS1035 ? "1035" : "1123"} label must consist of lower case alphanumeric characters or '-'`,
    );
  if (b.metadata?.namespace !== undefined && b.metadata.namespace !== ns)
    return status(
      400,
      "BadRequest",
      `the namespace of the provided object does not match the namespace sent on the request`,
    );
  if (!namespaceNames(k).includes(ns)) return notFound("namespaces", ns);
  const taken =
    k.objects?.[objectKey(kind, ns, name)] ||
    (kind === "Service" && k.services.some((s) => s.namespace === ns && s.name === name));
  if (taken) return status(409, "AlreadyExists", `${resource} "${name}" already exists`);
  return { body: b, name };
}

function store(
  call: KubeCall,
  kind: string,
  ns: string,
  name: string,
  rest: Record<string, unknown>,
  finalizers?: string[],
) {
  const { k, engine } = call.ctx;
  k.resourceVersion++;
  const b = bodyOf(call)!;
  const o: StoredObject = {
    ...rest,
    apiVersion: "v1",
    kind,
    metadata: {
      name,
      namespace: ns,
      ...(b.metadata?.labels ? { labels: b.metadata.labels } : {}),
      ...(b.metadata?.annotations ? { annotations: { ...b.metadata.annotations } } : {}),
      uid: `${k.id.slice(0, 8)}-${kind.toLowerCase().slice(0, 3)}-${k.resourceVersion.toString(16).padStart(8, "0")}`,
      resourceVersion: String(k.resourceVersion),
      generation: 1,
      creationTimestamp: iso(call.now),
      ...(finalizers ? { finalizers } : {}),
    },
  };
  (k.objects ??= {})[objectKey(kind, ns, name)] = o;
  engine.markDirty();
  return { status: 201, body: o };
}

function createService(call: KubeCall, ns: string): KubeResponse {
  const a = admit(call, "Service", "services", ns, DNS1035);
  if ("status" in a) return a;
  const { k } = call.ctx;
  const spec = (a.body.spec ?? {}) as {
    type?: unknown;
    ports?: Array<{ name?: unknown; port?: unknown; targetPort?: unknown; protocol?: unknown }>;
    selector?: unknown;
  };
  const type = spec.type ?? "ClusterIP";
  if (typeof type !== "string" || !SERVICE_TYPES.includes(type))
    return status(
      422,
      "Invalid",
      `Service "${a.name}" is invalid: spec.type: Unsupported value: "${String(type)}": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`,
    );
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  if (ports.length === 0)
    return status(422, "Invalid", `Service "${a.name}" is invalid: spec.ports: Required value`);
  for (const [i, p] of ports.entries())
    if (typeof p.port !== "number" || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
      return status(
        422,
        "Invalid",
        `Service "${a.name}" is invalid: spec.ports[${i}].port: Invalid value: ${String(p.port)}: must be between 1 and 65535, inclusive`,
      );
  const used = new Set<number>(
    [
      ...k.services.flatMap((s) => s.ports.map((p) => p.nodePort ?? 0)),
      ...objectsOf(k, "Service").flatMap((o) =>
        ((o.spec as { ports?: Array<{ nodePort?: number }> }).ports ?? []).map((p) => p.nodePort ?? 0),
      ),
    ].filter(Boolean),
  );
  let next = 30000;
  const nodePort = () => {
    while (used.has(next)) next++;
    used.add(next);
    return next;
  };
  return store(call, "Service", ns, a.name, {
    spec: {
      ...spec,
      type,
      clusterIP: `10.96.${(k.resourceVersion >> 8) & 255}.${(k.resourceVersion & 255) | 1}`,
      ports: ports.map((p) => ({
        ...p,
        protocol: typeof p.protocol === "string" ? p.protocol : "TCP",
        targetPort: p.targetPort ?? p.port,
        ...(type === "ClusterIP" ? {} : { nodePort: nodePort() }),
      })),
      sessionAffinity: "None",
      ...(type === "LoadBalancer"
        ? { externalTrafficPolicy: "Cluster", allocateLoadBalancerNodePorts: true }
        : {}),
    },
    status: { loadBalancer: {} },
  });
}

function createClaim(call: KubeCall, ns: string): KubeResponse {
  const a = admit(call, "PersistentVolumeClaim", "persistentvolumeclaims", ns, DNS1123);
  if ("status" in a) return a;
  const { k } = call.ctx;
  const spec = (a.body.spec ?? {}) as {
    accessModes?: unknown;
    storageClassName?: unknown;
    resources?: { requests?: { storage?: unknown } };
  };
  const bad = (field: string, why: string) =>
    status(422, "Invalid", `PersistentVolumeClaim "${a.name}" is invalid: ${field}: ${why}`);
  const modes = Array.isArray(spec.accessModes) ? spec.accessModes : [];
  if (modes.length === 0)
    return bad("spec.accessModes", "Required value: at least 1 access mode is required");
  const unknownMode = modes.find((m) => typeof m !== "string" || !ACCESS_MODES.includes(m));
  if (unknownMode !== undefined)
    return bad("spec.accessModes", `Unsupported value: "${String(unknownMode)}"`);
  if (!(bytesOf(spec.resources?.requests?.storage) > 0))
    return bad("spec.resources[storage]", "Required value");
  // The DefaultStorageClass admission plugin fills in the default class when none is named.
  let className = spec.storageClassName;
  if (className === undefined) {
    const def = Object.values(k.applied ?? {}).find(
      (o) => o.kind === "StorageClass" && o.metadata.annotations?.[DEFAULT_CLASS] === "true",
    );
    className = def?.metadata.name;
  }
  return store(
    call,
    "PersistentVolumeClaim",
    ns,
    a.name,
    {
      spec: {
        ...spec,
        ...(className !== undefined ? { storageClassName: className } : {}),
        volumeMode: "Filesystem",
      },
      status: { phase: "Pending" },
    },
    // The StorageObjectInUseProtection admission plugin: a claim in use is not deleted under its pod.
    ["kubernetes.io/pvc-protection"],
  );
}

// ── objects a Helm release makes (helm.ts) ───────────────────────────────────

/** Delete an object as the API does: at once, or marked while finalizers hold it. */
export function deleteObject(k: KubeClusterState, key: string, now: number): void {
  const o = k.objects?.[key];
  if (!o) return;
  k.resourceVersion++;
  if (o.metadata.finalizers?.length) {
    o.metadata.deletionTimestamp ??= iso(now);
    o.metadata.resourceVersion = String(k.resourceVersion);
  } else delete k.objects![key];
}

function newObject(
  k: KubeClusterState,
  kind: string,
  ns: string,
  name: string,
  now: number,
  meta: Pick<StoredObject["metadata"], "labels" | "annotations" | "finalizers">,
  rest: Record<string, unknown>,
): StoredObject {
  k.resourceVersion++;
  return {
    ...rest,
    apiVersion: "v1",
    kind,
    metadata: {
      name,
      namespace: ns,
      ...meta,
      uid: `${k.id.slice(0, 8)}-${kind.toLowerCase().slice(0, 3)}-${k.resourceVersion.toString(16).padStart(8, "0")}`,
      resourceVersion: String(k.resourceVersion),
      generation: 1,
      creationTimestamp: iso(now),
    },
  };
}

/** A release's Service, made or brought to what the chart renders (its node ports and the controller's status kept). */
export function putReleaseService(
  k: KubeClusterState,
  now: number,
  ns: string,
  release: string,
  svc: {
    name: string;
    type: string;
    annotations: Record<string, string>;
    ports: Array<{ name: string; port: number; nodePort?: number }>;
  },
): void {
  const key = objectKey("Service", ns, svc.name);
  const existing = k.objects?.[key];
  if (existing?.metadata.deletionTimestamp) return; // being deleted: made again once it is gone
  const old = ((existing?.spec ?? {}) as { ports?: Array<{ name?: string; nodePort?: number }> }).ports ?? [];
  const taken = new Set(
    Object.values(k.objects ?? {})
      .filter((o) => o.kind === "Service" && o !== existing)
      .flatMap((o) =>
        ((o.spec as { ports?: Array<{ nodePort?: number }> }).ports ?? []).map((p) => p.nodePort),
      ),
  );
  let next = 30000;
  const nodePort = (p: { name: string; nodePort?: number }) => {
    if (p.nodePort) return p.nodePort;
    const kept = old.find((o) => o.name === p.name)?.nodePort;
    if (kept) return kept;
    while (taken.has(next)) next++;
    taken.add(next);
    return next;
  };
  const spec = {
    type: svc.type,
    selector: { "app.kubernetes.io/instance": release },
    ports: svc.ports.map((p) => ({
      name: p.name,
      port: p.port,
      protocol: "TCP",
      targetPort: p.name,
      ...(svc.type === "ClusterIP" ? {} : { nodePort: nodePort(p) }),
    })),
  };
  const labels = { "app.kubernetes.io/instance": release, "app.kubernetes.io/managed-by": "Helm" };
  const annotations = {
    ...svc.annotations,
    "meta.helm.sh/release-name": release,
    "meta.helm.sh/release-namespace": ns,
  };
  if (existing) {
    if (
      JSON.stringify(existing.spec) === JSON.stringify(spec) &&
      JSON.stringify(existing.metadata.annotations) === JSON.stringify(annotations)
    )
      return;
    k.resourceVersion++;
    existing.spec = spec;
    existing.metadata.annotations = annotations;
    existing.metadata.resourceVersion = String(k.resourceVersion);
    return;
  }
  (k.objects ??= {})[key] = newObject(
    k,
    "Service",
    ns,
    svc.name,
    now,
    { labels, annotations },
    { spec, status: { loadBalancer: {} } },
  );
}

/** The Services a release made (its name in `meta.helm.sh/release-name`), by key. */
export function releaseServiceKeys(k: KubeClusterState, ns: string, release: string): string[] {
  return Object.entries(k.objects ?? {})
    .filter(
      ([, o]) =>
        o.kind === "Service" &&
        o.metadata.namespace === ns &&
        o.metadata.annotations?.["meta.helm.sh/release-name"] === release,
    )
    .map(([key]) => key);
}

/** A workload's claim from its volumeClaimTemplate, made once (the StatefulSet controller never changes or deletes it). */
export function ensureClaim(
  k: KubeClusterState,
  now: number,
  ns: string,
  claim: { name: string; storage: string; storageClassName?: string },
): void {
  const key = objectKey("PersistentVolumeClaim", ns, claim.name);
  if (k.objects?.[key]) return;
  let className = claim.storageClassName;
  if (className === undefined)
    className = Object.values(k.applied ?? {}).find(
      (o) => o.kind === "StorageClass" && o.metadata.annotations?.[DEFAULT_CLASS] === "true",
    )?.metadata.name;
  (k.objects ??= {})[key] = newObject(
    k,
    "PersistentVolumeClaim",
    ns,
    claim.name,
    now,
    { finalizers: ["kubernetes.io/pvc-protection"] },
    {
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: claim.storage } },
        ...(className !== undefined ? { storageClassName: className } : {}),
        volumeMode: "Filesystem",
      },
      status: { phase: "Pending" },
    },
  );
}
