import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { z } from "zod";
import { fieldErrorsFromIssues, type FieldErrors } from "@/server/contracts/field-errors";
import { log } from "@/server/log";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  requestHash,
} from "@/server/services/tokens/idempotency";
import { publicError, toTRPCError } from "../errors";
import { createCaller } from "../root";
import type { Context } from "../trpc";
import { openApiDocument } from "./openapi";
import { ROUTES, type RestRoute } from "./routes";
import type { ErrorBody } from "./schemas";

const PREFIX = "/api/v1";
const MAX_BODY_BYTES = 1024 * 1024;

type Code = z.infer<typeof ErrorBody>["error"]["code"];

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers },
  });
}

function fail(
  status: number,
  code: Code,
  message: string,
  requestId: string | null,
  fieldErrors: FieldErrors | null = null,
  headers: Record<string, string> = {},
): Response {
  return json(status, { error: { code, message, requestId, fieldErrors } }, headers);
}

/** A route whose template matches the path, with the path's parameters. */
function match(path: string): Array<{ route: RestRoute; params: Record<string, string> }> {
  const parts = path.split("/").filter(Boolean);
  const out: Array<{ route: RestRoute; params: Record<string, string> }> = [];
  for (const route of ROUTES) {
    const tpl = route.path.split("/").filter(Boolean);
    if (tpl.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    tpl.forEach((t, i) => {
      const p = parts[i]!;
      const m = /^\{(\w+)\}$/.exec(t);
      if (m) {
        try {
          params[m[1]!] = decodeURIComponent(p);
        } catch {
          ok = false;
        }
      } else if (t !== p) ok = false;
    });
    if (ok) out.push({ route, params });
  }
  return out;
}

/** `"7"` or `W/"7"`: the generation an If-Match names, or NaN when it names none. */
function generationOf(ifMatch: string): number {
  const m = /^(?:W\/)?"(\d{1,9})"$/.exec(ifMatch.trim());
  return m ? Number(m[1]) : Number.NaN;
}

/**
 * The REST API (/api/v1): each route calls the same tRPC procedure the
 * console uses, through a server-side caller whose context carries the API
 * token — authorization stays in the procedure builders, audit in the
 * services. This layer reads paths, queries and bodies, applies If-Match and
 * Idempotency-Key, and maps errors with the same mapping as tRPC.
 */
export async function handleRest(req: Request, makeContext: () => Promise<Context>): Promise<Response> {
  const url = new URL(req.url);
  const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) || "/" : url.pathname;
  if (path === "/openapi.json") {
    if (req.method !== "GET")
      return fail(405, "METHOD_NOT_SUPPORTED", "Use GET", null, null, { Allow: "GET" });
    return json(200, openApiDocument(), { "Cache-Control": "public, max-age=300" });
  }
  const candidates = match(path);
  if (candidates.length === 0) return fail(404, "NOT_FOUND", `No API endpoint at ${PREFIX}${path}`, null);
  const found = candidates.find((c) => c.route.method === req.method);
  if (!found) {
    const allow = [...new Set(candidates.map((c) => c.route.method))].join(", ");
    return fail(
      405,
      "METHOD_NOT_SUPPORTED",
      `${req.method} is not supported here; use ${allow}`,
      null,
      null,
      {
        Allow: allow,
      },
    );
  }
  const { route, params } = found;

  const ctx = await makeContext();
  const rid = ctx.requestId;
  if (!ctx.token)
    return fail(401, "UNAUTHORIZED", "Send an API token: Authorization: Bearer <token>", rid, null, {
      "WWW-Authenticate": 'Bearer realm="api"',
    });
  if (!ctx.token.ok) {
    if (ctx.token.status === 429)
      return fail(429, "TOO_MANY_REQUESTS", ctx.token.message, rid, null, {
        "Retry-After": String(ctx.token.retryAfterSeconds ?? 60),
      });
    return fail(401, "UNAUTHORIZED", ctx.token.message, rid, null, {
      "WWW-Authenticate": 'Bearer realm="api", error="invalid_token"',
    });
  }
  const principal = `token:${ctx.token.principal.tokenId}`;

  // Query and body, read with the route's schemas (the procedure checks them again with its own).
  const queryIn = Object.fromEntries(url.searchParams.entries());
  const query = route.query ? route.query.safeParse(queryIn) : { success: true as const, data: undefined };
  if (!query.success)
    return fail(
      400,
      "BAD_REQUEST",
      "Some query parameters need attention",
      rid,
      fieldErrorsFromIssues(query.error.issues),
    );
  let text = "";
  let body: unknown = undefined;
  if (route.body) {
    text = await req.text();
    if (Buffer.byteLength(text) > MAX_BODY_BYTES)
      return fail(413, "PAYLOAD_TOO_LARGE", `The body is larger than ${MAX_BODY_BYTES / 1024} KiB`, rid);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return fail(400, "BAD_REQUEST", "The body is not JSON", rid);
    }
    const parsed = route.body.safeParse(raw);
    if (!parsed.success)
      return fail(
        400,
        "BAD_REQUEST",
        "Some fields need attention",
        rid,
        fieldErrorsFromIssues(parsed.error.issues),
      );
    body = parsed.data;
  }

  const caller = createCaller(ctx);
  let generation = Number.NaN;
  if (route.precondition) {
    const ifMatch = req.headers.get("if-match");
    const inBody = (body as { generation?: number } | undefined)?.generation;
    if (ifMatch !== null) {
      generation = generationOf(ifMatch);
      if (Number.isNaN(generation))
        return fail(412, "PRECONDITION_FAILED", 'If-Match must be an ETag this API gave, such as "7"', rid);
      try {
        const current = await caller.cluster.get({
          projectId: params.projectId!,
          clusterId: params.clusterId!,
        });
        if (current.generation !== generation)
          return fail(
            412,
            "PRECONDITION_FAILED",
            `The cluster changed since you read it: its ETag is now "${current.generation}", If-Match said "${generation}"`,
            rid,
            null,
            { ETag: `"${current.generation}"` },
          );
      } catch (err) {
        return errorResponse(err, rid);
      }
    } else if (typeof inBody === "number") generation = inBody;
    else
      return fail(
        428,
        "PRECONDITION_REQUIRED",
        "This change needs If-Match with the cluster's ETag (from GET), so it never overwrites a change you have not seen",
        rid,
      );
  }

  // Idempotency-Key: a retried POST gets the first answer, never a second cluster.
  // Never for an answer that holds a secret: it would sit in the database in clear for a day.
  const key = req.method === "POST" && !route.secretResponse ? req.headers.get("idempotency-key") : null;
  if (key !== null) {
    if (!/^[\x21-\x7e]{1,255}$/.test(key))
      return fail(400, "BAD_REQUEST", "Idempotency-Key must be 1–255 visible ASCII characters", rid);
    const claim = await claimIdempotencyKey(ctx.db, principal, key, requestHash(req.method, path, text));
    if (claim.state === "mismatch")
      return fail(
        422,
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was used for a different request; use a new key for a new request",
        rid,
      );
    if (claim.state === "in-progress")
      return fail(
        409,
        "IDEMPOTENCY_KEY_IN_USE",
        "A request with this Idempotency-Key is still running; retry shortly",
        rid,
        null,
        {
          "Retry-After": "2",
        },
      );
    if (claim.state === "replay")
      return json(claim.status, claim.response, { "Idempotent-Replayed": "true" });
  }

  let out: unknown;
  try {
    out = await route.run(caller, { params, query: query.data, body, generation });
  } catch (err) {
    const res = errorResponse(err, rid);
    if (key !== null) {
      // Our failures free the key (a retry runs again); the caller's are the answer to replay.
      if (res.status >= 500) await releaseIdempotencyKey(ctx.db, principal, key);
      else await completeIdempotencyKey(ctx.db, principal, key, res.status, await res.clone().json());
    }
    return res;
  }
  // Through JSON: dates become RFC 3339 strings, as the schemas say.
  const payload: unknown = JSON.parse(JSON.stringify(out ?? null));
  if (key !== null) await completeIdempotencyKey(ctx.db, principal, key, route.status, payload);
  const etag = route.etag?.(out);
  return json(route.status, payload, etag ? { ETag: `"${etag}"` } : {});
}

function errorResponse(err: unknown, requestId: string): Response {
  const trpc = toTRPCError(err);
  const status = getHTTPStatusCodeFromError(trpc);
  const pub = publicError(trpc, requestId);
  if (status >= 500)
    log.error("API request failed", {
      requestId,
      error: trpc.cause instanceof Error ? `${trpc.cause.name}: ${trpc.cause.message}` : trpc.message,
    });
  return fail(
    status,
    pub.code as Code,
    pub.message,
    requestId,
    pub.fieldErrors,
    pub.retryAfterSeconds ? { "Retry-After": String(pub.retryAfterSeconds) } : {},
  );
}
