import type { IncomingHttpHeaders } from "node:http";
import { uuid, type Base, type Token } from "./state";

export type Service = "identity" | "compute" | "network" | "load-balancer" | "volume" | "image" | "admin";

export interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Set for authenticated service calls. */
  auth?: Token & { id: string };
  /** Nova microversion minor: 79 for 2.79 (1 when not asked for). */
  microversion: number;
  baseUrl: string;
  /** Largest page the server returns, like Nova's osapi_max_limit (1000 by default). */
  maxPageSize: number;
}

export interface Res {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A route's handler: the request and the `:name` path parameters, decoded. */
export type Handler<Q = Req, R = Res> = (req: Q, params: Record<string, string>) => R;

/** An error answered in the service's own fault format. */
export class Fault extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

const NOVA_KINDS: Record<number, string> = {
  400: "badRequest",
  401: "unauthorized",
  403: "forbidden",
  404: "itemNotFound",
  409: "conflictingRequest",
  413: "overLimit",
  429: "overLimit",
  500: "computeFault",
  503: "serviceUnavailable",
};
const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Request Entity Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** The body each real service sends for an error. */
export function faultBody(service: Service, status: number, message: string, neutronType?: string): unknown {
  switch (service) {
    case "identity":
      return { error: { code: status, message, title: TITLES[status] ?? "Error" } };
    case "network":
      return {
        NeutronError: {
          type: neutronType ?? TITLES[status]?.replace(/\s/g, "") ?? "Error",
          message,
          detail: "",
        },
      };
    case "load-balancer":
      return { faultcode: status >= 500 ? "Server" : "Client", faultstring: message, debuginfo: null };
    case "compute":
    case "volume":
    case "image":
    case "admin":
      return { [NOVA_KINDS[status] ?? "computeFault"]: { code: status, message } };
  }
}

export function fault(service: Service, status: number, message: string, neutronType?: string): Fault {
  return new Fault(status, faultBody(service, status, message, neutronType));
}

interface Route<Q, R> {
  method: string;
  regex: RegExp;
  keys: string[];
  handler: Handler<Q, R>;
}

/** Any method: the handler answers the methods it does not serve itself. */
export const ANY_METHOD = "*";

/**
 * Path patterns like `/servers/:id/action`: literal text (dots included)
 * and `:name` segments; one trailing slash is allowed. First match wins.
 * Generic over the request and response, so the OpenStack services and the
 * emulated Kubernetes API share it.
 */
export class Router<Q = Req, R = Res> {
  private routes: Array<Route<Q, R>> = [];

  on(method: string, pattern: string, handler: Handler<Q, R>): this {
    const keys: string[] = [];
    const source = pattern
      .split(/(:\w+)/)
      .map((part) => {
        if (!part.startsWith(":")) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        keys.push(part.slice(1));
        return "([^/]+)";
      })
      .join("");
    this.routes.push({ method, regex: new RegExp(`^${source}/?$`), keys, handler });
    return this;
  }

  match(
    method: string,
    path: string,
  ): { handler: Handler<Q, R>; params: Record<string, string> } | "method-not-allowed" | null {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method && r.method !== ANY_METHOD) continue;
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1] ?? "")));
      return { handler: r.handler, params };
    }
    return pathMatched ? "method-not-allowed" : null;
  }
}

/** ISO timestamps in the formats the services use. */
export const iso = {
  nova: (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z"),
  novaMicro: (t: number) => new Date(t).toISOString().replace(/\.(\d{3})Z$/, ".$1000"),
  neutron: (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z"),
  octavia: (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, ""),
  cinder: (t: number) => new Date(t).toISOString().replace(/\.(\d{3})Z$/, ".$1000"),
  keystone: (t: number) => new Date(t).toISOString().replace(/Z$/, "000Z"),
};

/** Body helpers: the object under `key`, or a 400 in the service's format. */
export function bodyObject(req: Req, key: string, service: Service): Record<string, unknown> {
  const b = req.body;
  if (
    typeof b !== "object" ||
    b === null ||
    typeof (b as Record<string, unknown>)[key] !== "object" ||
    (b as Record<string, unknown>)[key] === null
  ) {
    throw fault(service, 400, `Missing or invalid '${key}' in request body.`, "BadRequest");
  }
  return (b as Record<string, Record<string, unknown>>)[key]!;
}

export function str(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  return typeof v === "string" ? v : undefined;
}

export function num(o: Record<string, unknown>, k: string): number | undefined {
  const v = o[k];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export function strList(o: Record<string, unknown>, k: string): string[] | undefined {
  const v = o[k];
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
}

/**
 * limit/marker pagination over items sorted by the caller; `links` carries
 * the next page's URL, as Nova, Neutron, Octavia and Cinder do.
 */
export function paginate<T extends { id: string }>(
  req: Req,
  items: T[],
  collection: string,
): { page: T[]; links: Array<{ rel: string; href: string }> } {
  const limitRaw = req.query.get("limit");
  const marker = req.query.get("marker");
  let start = 0;
  if (marker) {
    const i = items.findIndex((x) => x.id === marker);
    if (i < 0) throw new Fault(400, { badRequest: { code: 400, message: `marker [${marker}] not found` } });
    start = i + 1;
  }
  const asked = limitRaw ? Number.parseInt(limitRaw, 10) : Number.POSITIVE_INFINITY;
  if (limitRaw && (!Number.isInteger(asked) || asked < 0)) {
    throw new Fault(400, { badRequest: { code: 400, message: "limit must be a non-negative integer" } });
  }
  const limit = Math.min(asked, req.maxPageSize);
  const page = items.slice(start, start + limit);
  const links: Array<{ rel: string; href: string }> = [];
  if (Number.isFinite(limit) && start + limit < items.length && page.length > 0) {
    const next = new URLSearchParams(req.query);
    next.set("marker", page[page.length - 1]!.id);
    links.push({ rel: "next", href: `${req.baseUrl}${req.path}?${next.toString()}` });
  }
  void collection;
  return { page, links };
}

/** Neutron and Octavia tag filters: tags (all), tags-any, not-tags, not-tags-any. */
export function matchesTags(tags: string[], q: URLSearchParams): boolean {
  const list = (k: string) => (q.get(k) ?? "").split(",").filter(Boolean);
  const all = list("tags");
  const any = list("tags-any");
  const notAll = list("not-tags");
  const notAny = list("not-tags-any");
  if (all.length && !all.every((t) => tags.includes(t))) return false;
  if (any.length && !any.some((t) => tags.includes(t))) return false;
  if (notAll.length && notAll.every((t) => tags.includes(t))) return false;
  if (notAny.length && notAny.some((t) => tags.includes(t))) return false;
  return true;
}

/** Pagination and tag query parameters: never attribute filters (Neutron, Octavia). */
export const LIST_CONTROL_PARAMS = [
  "limit",
  "marker",
  "tags",
  "tags-any",
  "not-tags",
  "not-tags-any",
  "fields",
];

/** The standard attributes of a resource created from request body `body` (Neutron, Octavia). */
export function standardAttrs(projectId: string, body: Record<string, unknown>, now: () => number): Base {
  return {
    id: uuid(),
    projectId,
    name: str(body, "name") ?? "",
    description: str(body, "description") ?? "",
    tags: strList(body, "tags") ?? [],
    createdAt: now(),
    updatedAt: now(),
    revision: 0,
  };
}
