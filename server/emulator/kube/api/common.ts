import type { Engine } from "../../engine";
import type { Router } from "../../http";
import type { NodeView } from "../model";
import type { KubeClusterState } from "../types";

/** One request to an emulated cluster's API server, as the TLS listener read it. */
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

export interface ApiContext {
  engine: Engine;
  k: KubeClusterState;
  nodes: NodeView[];
  /** host:port the client reached, for discovery. */
  serverAddress: string;
}

/** What a route handler gets: the cluster, the request, its nodes by name and the time. */
export interface KubeCall {
  ctx: ApiContext;
  req: KubeRequest;
  nodes: Map<string, NodeView>;
  now: number;
}
export type KubeRouter = Router<KubeCall, KubeResponse>;

export const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

export function status(code: number, reason: string, message: string, details?: unknown): KubeResponse {
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
export const notFound = (kind: string, name: string, group = "") =>
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

/** The answer when no route serves a path (or not with that method). */
export const noSuchResource = () =>
  status(404, "NotFound", "the server could not find the requested resource");

export function list(kind: string, apiVersion: string, items: unknown[], rv: number) {
  return { kind: `${kind}List`, apiVersion, metadata: { resourceVersion: String(rv) }, items };
}

export function table(
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
export function fieldMatch(selector: string | null, fields: Record<string, string | undefined>): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const neg = term.includes("!=");
    const [k, v] = term.split(neg ? "!=" : /==?/) as [string, string | undefined];
    const actual = fields[k.trim()] ?? "";
    return neg ? actual !== (v ?? "") : actual === (v ?? "");
  });
}

/** `app=web`, `app in (web,api)` are enough for the workload's single label. */
export function labelMatch(selector: string | null, labels: Record<string, string>): boolean {
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

export function wantsTable(accept: string) {
  return accept.includes("as=Table");
}

/**
 * A collection served cluster-wide (`{prefix}/{path}`) and in a namespace
 * (`{prefix}/namespaces/:ns/{path}`); the handler gets the namespace, or
 * null for all of them.
 */
export function inAnyNamespace(
  router: KubeRouter,
  method: string,
  prefix: string,
  path: string,
  handler: (call: KubeCall, ns: string | null, params: Record<string, string>) => KubeResponse,
): void {
  router.on(method, `${prefix}/${path}`, (call, params) => handler(call, null, params));
  router.on(method, `${prefix}/namespaces/:ns/${path}`, (call, params) =>
    handler(call, params.ns ?? null, params),
  );
}
