import { z } from "zod";
import { ROLE_LABELS } from "@/server/contracts/roles";
import { ROUTES, type RestRoute } from "./routes";
import { ErrorBody } from "./schemas";

type JsonSchema = Record<string, unknown>;

/** Named schemas (`.meta({ id })`) become components; the rest is inlined. */
function toSchema(schema: z.ZodType, io: "input" | "output", registry: Map<string, JsonSchema>): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
    reused: "inline",
  }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
  const { $defs, $schema: _s, ...rest } = json;
  for (const [id, def] of Object.entries($defs ?? {})) registry.set(id, def);
  const id = (schema.meta() as { id?: string } | undefined)?.id;
  if (id) {
    // zod puts a root with an id in $defs and answers a $ref to it.
    if (!("$ref" in rest)) registry.set(id, rest);
    return { $ref: `#/components/schemas/${id}` };
  }
  return rest;
}

/** `#/$defs/X` references (zod's) point at components in OpenAPI. */
function relink(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(relink);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        k === "$ref" && typeof v === "string"
          ? v.replace(/^#\/\$defs\//, "#/components/schemas/")
          : relink(v);
    }
    return out;
  }
  return value;
}

const ERRORS: Record<string, string> = {
  "400": "The input is not valid: `fieldErrors` names each field",
  "401": "No API token, or it is unknown, expired or revoked",
  "403": "The token's role (or its owner's) does not allow this",
  "404": "Not found — or not visible to this token (the two look the same)",
  "409": "Conflicts with the current state",
  "412": "If-Match does not match the cluster's current ETag, or the state does not allow this now",
  "422": "The Idempotency-Key was used before with a different request",
  "428": "This change needs If-Match",
  "429": "Too many requests for this token this minute: wait `Retry-After` seconds",
};

function operation(r: RestRoute, registry: Map<string, JsonSchema>): JsonSchema {
  const params: JsonSchema[] = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: /Id$/.test(m[1]!) && m[1] !== "addonId" ? { type: "string", format: "uuid" } : { type: "string" },
  }));
  if (r.query) {
    const q = toSchema(r.query, "input", registry) as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      params.push({ name, in: "query", required: q.required?.includes(name) ?? false, schema });
    }
  }
  if (r.precondition)
    params.push({
      name: "If-Match",
      in: "header",
      required: false,
      description: "The ETag of the cluster as you read it; required unless the body carries `generation`.",
      schema: { type: "string" },
    });
  if (r.method === "POST" && !r.secretResponse)
    params.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description:
        "Any unique string (≤ 255 characters); a retry with the same key returns the first answer (24 h).",
      schema: { type: "string", maxLength: 255 },
    });
  const errorResponses = Object.fromEntries(
    Object.entries(ERRORS)
      .filter(([code]) => (code === "428" || code === "412" ? r.precondition || code === "412" : true))
      .filter(([code]) => code !== "422" || (r.method === "POST" && !r.secretResponse))
      .map(([code, description]) => [
        code,
        { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
      ]),
  );
  return {
    operationId: r.operationId,
    summary: r.summary,
    description: [r.description, `Needs the ${ROLE_LABELS[r.minRole].toLowerCase()} role or higher.`]
      .filter(Boolean)
      .join("\n\n"),
    tags: [r.tag],
    parameters: params,
    ...(r.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: toSchema(r.body, "input", registry) } },
          },
        }
      : {}),
    responses: {
      [String(r.status)]: {
        description: r.status === 202 ? "Accepted: an operation converges the change" : "OK",
        ...(r.etag
          ? { headers: { ETag: { schema: { type: "string" }, description: "The cluster's generation" } } }
          : {}),
        content: { "application/json": { schema: toSchema(r.response, "output", registry) } },
      },
      ...errorResponses,
    },
  };
}

let cached: JsonSchema | null = null;

/** The OpenAPI 3.1 document of /api/v1, generated from the routes and their zod contracts. */
export function openApiDocument(): JsonSchema {
  if (cached) return cached;
  const registry = new Map<string, JsonSchema>();
  toSchema(ErrorBody, "output", registry);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of ROUTES) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r, registry);
  cached = relink({
    openapi: "3.1.0",
    info: {
      title: "Kubernetes console API",
      version: "1.0.0",
      description:
        "Everything the console does with clusters, for scripts and CI. Authenticate with an API token " +
        "(a personal token or a project service account's) as `Authorization: Bearer <token>`. " +
        "Long changes answer 202 with the operation that converges them; `GET …/operations/{id}?wait=60` waits for it.",
    },
    servers: [{ url: "/api/v1" }],
    security: [{ bearer: [] }],
    tags: [
      { name: "Projects", description: "Projects the token reaches, their members, quotas and estimates." },
      {
        name: "Clusters",
        description: "Create, change, stop, start, upgrade and delete clusters; kubeconfigs.",
      },
      { name: "Node groups", description: "A cluster's node groups: add, scale, remove." },
      { name: "Addons", description: "Software the console installs in a cluster (Helm charts)." },
      { name: "Operations", description: "What converges an accepted change, and its events." },
    ],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "kcp_… or kcs_… API token" },
      },
      schemas: Object.fromEntries([...registry.entries()].sort(([a], [b]) => a.localeCompare(b))),
    },
  }) as JsonSchema;
  return cached;
}
