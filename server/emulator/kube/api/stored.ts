import { ANY_METHOD } from "../../http";
import type { StoredObject } from "../types";
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

/** Objects the emulated API keeps as they were written: ConfigMaps here, Gatekeeper's in gatekeeper.ts. */

/** The request body as a stored object (possibly partial). */
export const storedBody = (call: KubeCall) => (call.req.body ?? {}) as Partial<StoredObject>;

/** Create (POST) or replace (PUT, optimistic on resourceVersion) an object in `store`. */
export function writeObject(
  { ctx: { engine, k }, req, now }: KubeCall,
  store: Record<string, StoredObject>,
  key: string,
  meta: { apiVersion: string; kind: string; name: string; namespace?: string },
  existing: StoredObject | undefined,
): KubeResponse {
  const body = (req.body ?? {}) as Partial<StoredObject>;
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
          Object.entries(existing).filter(([x]) => !["metadata", "apiVersion", "kind", "status"].includes(x)),
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
}

export function removeObject(
  { ctx: { engine, k } }: KubeCall,
  store: Record<string, StoredObject>,
  key: string,
  kind: string,
  name: string,
): KubeResponse {
  const existing = store[key];
  if (!existing) return notFound(kind, name);
  delete store[key];
  k.resourceVersion++;
  engine.markDirty();
  return status(200, "", `${kind} "${name}" deleted`, { name, kind });
}

export const listOf = ({ ctx: { k } }: KubeCall, kind: string, apiVersion: string, items: unknown[]) => ({
  status: 200,
  body: list(kind, apiVersion, items, k.resourceVersion),
});

export function configMapRoutes(router: KubeRouter): void {
  inAnyNamespace(router, ANY_METHOD, "/api/v1", "configmaps", (call, ns) => configMaps(call, ns, null));
  inAnyNamespace(router, ANY_METHOD, "/api/v1", "configmaps/:name", (call, ns, { name }) =>
    configMaps(call, ns, name!),
  );
}

function configMaps(call: KubeCall, ns: string | null, pathName: string | null): KubeResponse {
  const {
    ctx: { k },
    req,
  } = call;
  const name = pathName ?? storedBody(call).metadata?.name ?? null;
  if (req.method === "GET" && !pathName)
    return listOf(
      call,
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
  if (req.method === "DELETE") return removeObject(call, k.configMaps, key, "configmaps", name);
  if (req.method === "POST" || req.method === "PUT")
    return writeObject(
      call,
      k.configMaps,
      key,
      { apiVersion: "v1", kind: "ConfigMap", name, namespace: ns },
      k.configMaps[key],
    );
  return status(405, "MethodNotAllowed", `${req.method} is not supported on configmaps`);
}
