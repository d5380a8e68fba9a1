import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { linearRegExp } from "../gatekeeper";
import type { KubeClusterState, StoredObject } from "../types";
import { namespaceNames } from "./applied";
import {
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
 * CustomResourceDefinitions served generically, as kube-apiserver's
 * apiextensions server does: a CRD created (or applied) with kubectl
 * becomes a served resource — in discovery, and created, read, listed and
 * deleted at `/apis/<group>/<version>/[namespaces/<ns>/]<plural>` — whose
 * objects are validated against the served version's `openAPIV3Schema`
 * (JSON Schema; patterns on RE2, so a hostile pattern cannot stall the
 * emulator). Deleting a CRD deletes its objects. Updates of objects and
 * subresources (status, scale) are not served. CRDs the emulator models
 * itself (the Helm controller's, Gatekeeper's) are not stored here.
 */

const CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const MAX_OBJECTS = 5_000;

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
}
interface CrdSpec {
  group: string;
  scope: "Namespaced" | "Cluster";
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[] };
  versions: CrdVersion[];
}
const specOf = (o: StoredObject) => o.spec as CrdSpec;

/** Compiled validators by CRD uid and version (a changed CRD gets a new resourceVersion, so a new entry). */
const validators = new Map<string, ValidateFunction | string>();

function validatorFor(crd: StoredObject, version: CrdVersion): ValidateFunction | string {
  const key = `${crd.metadata.uid}/${crd.metadata.resourceVersion}/${version.name}`;
  const cached = validators.get(key);
  if (cached) return cached;
  let v: ValidateFunction | string;
  try {
    // The Kubernetes extensions (x-kubernetes-*) and `nullable` are not JSON Schema: ajv ignores what it does not know.
    v = new Ajv({ allErrors: true, strict: false, code: { regExp: linearRegExp } }).compile(
      version.schema?.openAPIV3Schema ?? {},
    );
  } catch (err) {
    v = err instanceof Error ? err.message : String(err);
  }
  if (validators.size > 500) validators.clear();
  validators.set(key, v);
  return v;
}

export function crdsOf(k: KubeClusterState): StoredObject[] {
  return Object.values(k.customResourceDefinitions ?? {});
}

/** The CRDs' groups and versions for /apis (served versions, the storage one preferred). */
export function crdGroups(k: KubeClusterState): Array<{ name: string; version: string }> {
  const out: Array<{ name: string; version: string }> = [];
  for (const c of crdsOf(k)) {
    const s = specOf(c);
    const v = s.versions.find((x) => x.storage && x.served) ?? s.versions.find((x) => x.served);
    if (v && !out.some((g) => g.name === s.group)) out.push({ name: s.group, version: v.name });
  }
  return out;
}

/** A CRD's name must be `<plural>.<group>`; its versions one storage version; its schema a JSON Schema. */
function checkCrd(b: Partial<StoredObject>): string | null {
  const s = b.spec as Partial<CrdSpec> | undefined;
  const name = b.metadata?.name ?? "";
  if (!s || typeof s.group !== "string" || !s.group.includes("."))
    return `spec.group: Invalid value: "${String(s?.group)}": should be a domain with at least one dot`;
  if (!s.names || typeof s.names.plural !== "string" || typeof s.names.kind !== "string")
    return "spec.names.plural and spec.names.kind: Required value";
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s.names.plural))
    return `spec.names.plural: Invalid value: "${s.names.plural}": a lowercase RFC 1123 label`;
  if (name !== `${s.names.plural}.${s.group}`)
    return `metadata.name: Invalid value: "${name}": must be spec.names.plural+"."+spec.group`;
  if (s.scope !== "Namespaced" && s.scope !== "Cluster")
    return `spec.scope: Unsupported value: "${String(s.scope)}": supported values: "Cluster", "Namespaced"`;
  if (!Array.isArray(s.versions) || s.versions.length === 0) return "spec.versions: Required value";
  if (s.versions.filter((v) => v.storage).length !== 1)
    return "spec.versions: Invalid value: must have exactly one version marked as storage version";
  for (const [i, v] of s.versions.entries())
    if (!v.schema?.openAPIV3Schema)
      return `spec.versions[${i}].schema.openAPIV3Schema: Required value: schemas are required`;
  return null;
}

function bodyOf(call: KubeCall): Partial<StoredObject> | null {
  const b = call.req.body;
  return b && typeof b === "object" && !Array.isArray(b) ? (b as Partial<StoredObject>) : null;
}

function createCrd(call: KubeCall): KubeResponse {
  const { k, engine } = call.ctx;
  const b = bodyOf(call);
  if (!b) return status(400, "BadRequest", "the body of the request is not a JSON object");
  const name = b.metadata?.name ?? "";
  const why = checkCrd(b);
  if (why)
    return status(
      422,
      "Invalid",
      `CustomResourceDefinition.apiextensions.k8s.io "${name}" is invalid: ${why}`,
    );
  if (k.customResourceDefinitions?.[name])
    return status(
      409,
      "AlreadyExists",
      `customresourcedefinitions.apiextensions.k8s.io "${name}" already exists`,
    );
  k.resourceVersion++;
  const o: StoredObject = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name,
      ...(b.metadata?.labels ? { labels: b.metadata.labels } : {}),
      uid: `${k.id.slice(0, 8)}-crd-${k.resourceVersion.toString(16).padStart(8, "0")}`,
      resourceVersion: String(k.resourceVersion),
      generation: 1,
      creationTimestamp: iso(call.now),
    },
    spec: b.spec,
    status: {
      conditions: [
        { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found" },
        {
          type: "Established",
          status: "True",
          reason: "InitialNamesAccepted",
          message: "the initial names have been accepted",
        },
      ],
      acceptedNames: (b.spec as CrdSpec).names,
      storedVersions: (b.spec as CrdSpec).versions.filter((v) => v.storage).map((v) => v.name),
    },
  };
  (k.customResourceDefinitions ??= {})[name] = o;
  engine.markDirty();
  return { status: 201, body: o };
}

function deleteCrd(call: KubeCall, name: string): KubeResponse {
  const { k, engine } = call.ctx;
  const o = k.customResourceDefinitions?.[name];
  if (!o) return notFound("customresourcedefinitions", name, "apiextensions.k8s.io");
  delete k.customResourceDefinitions![name];
  const s = specOf(o);
  for (const [key, x] of Object.entries(k.customObjects ?? {}))
    if (x.apiVersion.startsWith(`${s.group}/`) && x.kind === s.names.kind) delete k.customObjects![key];
  k.resourceVersion++;
  engine.markDirty();
  return { status: 200, body: o };
}

export function crdRoutes(router: KubeRouter): void {
  router.on("GET", CRD_PATH, ({ ctx: { k } }) => ({
    status: 200,
    body: list("CustomResourceDefinition", "apiextensions.k8s.io/v1", crdsOf(k), k.resourceVersion),
  }));
  router.on("POST", CRD_PATH, createCrd);
  router.on("GET", `${CRD_PATH}/:name`, ({ ctx: { k } }, { name }) => {
    const o = k.customResourceDefinitions?.[name!];
    return o
      ? { status: 200, body: o }
      : notFound("customresourcedefinitions", name!, "apiextensions.k8s.io");
  });
  router.on("DELETE", `${CRD_PATH}/:name`, (call, { name }) => deleteCrd(call, name!));
  router.on("GET", "/apis/apiextensions.k8s.io/v1", () => ({
    status: 200,
    body: {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: "apiextensions.k8s.io/v1",
      resources: [
        {
          name: "customresourcedefinitions",
          singularName: "customresourcedefinition",
          namespaced: false,
          kind: "CustomResourceDefinition",
          verbs: ["create", "delete", "get", "list"],
          shortNames: ["crd", "crds"],
        },
      ],
    },
  }));
}

/** The CRD serving `<group>/<version>` `<plural>`, when one does. */
function served(k: KubeClusterState, group: string, version: string, plural: string) {
  for (const c of crdsOf(k)) {
    const s = specOf(c);
    if (s.group !== group || s.names.plural !== plural) continue;
    const v = s.versions.find((x) => x.name === version && x.served);
    if (v) return { crd: c, spec: s, version: v };
  }
  return null;
}

/** Discovery of one CRD group/version; null when no CRD serves it. */
export function crdResourceList(k: KubeClusterState, group: string, version: string): KubeResponse | null {
  const resources = crdsOf(k)
    .map(specOf)
    .filter((s) => s.group === group && s.versions.some((v) => v.name === version && v.served))
    .map((s) => ({
      name: s.names.plural,
      singularName: s.names.singular ?? s.names.kind.toLowerCase(),
      namespaced: s.scope === "Namespaced",
      kind: s.names.kind,
      verbs: ["create", "delete", "get", "list"],
      ...(s.names.shortNames?.length ? { shortNames: s.names.shortNames } : {}),
    }));
  if (resources.length === 0) return null;
  return {
    status: 200,
    body: { kind: "APIResourceList", apiVersion: "v1", groupVersion: `${group}/${version}`, resources },
  };
}

const objectKey = (apiGroup: string, kind: string, ns: string | null, name: string) =>
  `${apiGroup}/${kind}/${ns ?? ""}/${name}`;

/** The custom objects' routes: registered last, they answer only for a CRD's group, version and plural. */
export function customObjectRoutes(router: KubeRouter): void {
  const collection = (call: KubeCall, p: Record<string, string>, ns: string | null): KubeResponse => {
    const hit = served(call.ctx.k, p.group!, p.version!, p.plural!);
    if (!hit) return noSuchResource();
    const namespaced = hit.spec.scope === "Namespaced";
    if (ns !== null && !namespaced) return noSuchResource();
    if (call.req.method === "GET") return listObjects(call, hit, ns);
    // A namespaced kind is created in a namespace.
    if (ns === null && namespaced) return noSuchResource();
    return createObject(call, hit, ns);
  };
  const single = (call: KubeCall, p: Record<string, string>, ns: string | null): KubeResponse => {
    const { k, engine } = call.ctx;
    const hit = served(k, p.group!, p.version!, p.plural!);
    if (!hit || (hit.spec.scope === "Namespaced") !== (ns !== null)) return noSuchResource();
    const key = objectKey(hit.spec.group, hit.spec.names.kind, ns, p.name!);
    const o = k.customObjects?.[key];
    if (!o) return notFound(hit.spec.names.plural, p.name!, hit.spec.group);
    if (call.req.method === "GET") return { status: 200, body: o };
    if (call.req.method === "DELETE") {
      delete k.customObjects![key];
      k.resourceVersion++;
      engine.markDirty();
      return { status: 200, body: o };
    }
    return status(405, "MethodNotAllowed", `${call.req.method} is not supported on ${p.plural}`);
  };
  // Discovery of a CRD's group and version.
  router.on(
    "GET",
    "/apis/:group/:version",
    ({ ctx: { k } }, p) => crdResourceList(k, p.group!, p.version!) ?? noSuchResource(),
  );
  for (const method of ["GET", "POST"]) {
    router.on(method, "/apis/:group/:version/namespaces/:ns/:plural", (call, p) =>
      collection(call, p, p.ns!),
    );
    router.on(method, "/apis/:group/:version/:plural", (call, p) => collection(call, p, null));
  }
  for (const method of ["GET", "DELETE"]) {
    router.on(method, "/apis/:group/:version/namespaces/:ns/:plural/:name", (call, p) =>
      single(call, p, p.ns!),
    );
    router.on(method, "/apis/:group/:version/:plural/:name", (call, p) => single(call, p, null));
  }
}

function listObjects(
  call: KubeCall,
  hit: NonNullable<ReturnType<typeof served>>,
  ns: string | null,
): KubeResponse {
  const { k } = call.ctx;
  const sel = call.req.query.get("labelSelector");
  const items = Object.values(k.customObjects ?? {}).filter(
    (o) =>
      o.apiVersion.split("/")[0] === hit.spec.group &&
      o.kind === hit.spec.names.kind &&
      (ns === null || o.metadata.namespace === ns) &&
      labelMatch(sel, o.metadata.labels ?? {}),
  );
  return {
    status: 200,
    body: list(hit.spec.names.kind, `${hit.spec.group}/${hit.version.name}`, items, k.resourceVersion),
  };
}

function createObject(
  call: KubeCall,
  hit: NonNullable<ReturnType<typeof served>>,
  ns: string | null,
): KubeResponse {
  const { k, engine } = call.ctx;
  const { spec: s, version } = hit;
  const b = bodyOf(call);
  if (!b) return status(400, "BadRequest", "the body of the request is not a JSON object");
  const apiVersion = `${s.group}/${version.name}`;
  if (b.apiVersion !== apiVersion || b.kind !== s.names.kind)
    return status(400, "BadRequest", `the object is not a ${s.names.kind} of ${apiVersion}`);
  const name = b.metadata?.name;
  if (typeof name !== "string" || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253)
    return status(
      422,
      "Invalid",
      `${s.names.kind}.${s.group} "${String(name)}" is invalid: metadata.name: Invalid value`,
    );
  if (ns !== null && !namespaceNames(k).includes(ns)) return notFound("namespaces", ns);
  const key = objectKey(s.group, s.names.kind, ns, name);
  if (k.customObjects?.[key])
    return status(409, "AlreadyExists", `${s.names.plural}.${s.group} "${name}" already exists`);
  if (Object.keys(k.customObjects ?? {}).length >= MAX_OBJECTS)
    return status(429, "TooManyRequests", "this emulated API server stores at most 5000 custom objects");
  const validate = validatorFor(hit.crd, version);
  if (typeof validate === "string")
    return status(500, "InternalError", `the CRD's schema does not compile: ${validate}`);
  const { metadata: _m, ...content } = b as StoredObject;
  if (!validate(content)) {
    const causes = (validate.errors ?? []).slice(0, 10).map((e: ErrorObject) => {
      const field = e.instancePath.replace(/^\//, "").replace(/\//g, ".");
      return `${field || "<root>"}: ${e.message ?? "invalid"}`;
    });
    return status(422, "Invalid", `${s.names.kind}.${s.group} "${name}" is invalid: ${causes.join(", ")}`);
  }
  k.resourceVersion++;
  const o: StoredObject = {
    ...content,
    apiVersion,
    kind: s.names.kind,
    metadata: {
      name,
      ...(ns !== null ? { namespace: ns } : {}),
      ...(b.metadata?.labels ? { labels: b.metadata.labels } : {}),
      ...(b.metadata?.annotations ? { annotations: b.metadata.annotations } : {}),
      uid: `${k.id.slice(0, 8)}-cr-${k.resourceVersion.toString(16).padStart(8, "0")}`,
      resourceVersion: String(k.resourceVersion),
      generation: 1,
      creationTimestamp: iso(call.now),
    },
  };
  (k.customObjects ??= {})[key] = o;
  engine.markDirty();
  return { status: 201, body: o };
}
