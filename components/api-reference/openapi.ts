/**
 * Reading an OpenAPI 3.1 document for the API reference page: the subset of
 * the format the page shows, and pure helpers (grouping, `$ref` resolution,
 * type labels, the children of a schema node, request examples, curl).
 * No React here, so the helpers are unit-tested against the real document.
 */

export interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  deprecated?: boolean;
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  description?: string;
  schema?: Schema;
}

export interface ResponseObject {
  description?: string;
  headers?: Record<string, { description?: string; schema?: Schema }>;
  content?: Record<string, { schema?: Schema }>;
}

export interface OperationObject {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  deprecated?: boolean;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; description?: string; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, ResponseObject>;
}

export interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: Array<{ url: string }>;
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, Schema> };
}

export const METHODS = ["get", "post", "put", "patch", "delete"] as const;
export type Method = Uppercase<(typeof METHODS)[number]>;

/** One operation as the page lists it. */
export interface Op {
  /** The anchor: the operationId (or one made from method and path). */
  id: string;
  method: Method;
  path: string;
  op: OperationObject;
  /** Path-level parameters first, then the operation's (an operation's own win on name + in). */
  parameters: Parameter[];
}

export interface TagGroup {
  name: string;
  description?: string;
  operations: Op[];
}

/** The document, or an error saying why the JSON is not one this page can show. */
export function asOpenApiDoc(json: unknown): OpenApiDoc {
  const d = json as Partial<OpenApiDoc> | null;
  if (!d || typeof d !== "object" || typeof d.openapi !== "string" || !d.openapi.startsWith("3.")) {
    throw new Error("The answer is not an OpenAPI 3 document.");
  }
  if (!d.paths || typeof d.paths !== "object") throw new Error("The OpenAPI document has no paths.");
  return { ...d, info: d.info ?? { title: "API", version: "" } } as OpenApiDoc;
}

/** Every operation, in the document's order. */
export function listOperations(doc: OpenApiDoc): Op[] {
  const out: Op[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const shared = ((item as { parameters?: Parameter[] }).parameters ?? []).filter(isParameter);
    for (const m of METHODS) {
      const op = (item as Record<string, OperationObject | undefined>)[m];
      if (!op || typeof op !== "object") continue;
      const own = (op.parameters ?? []).filter(isParameter);
      const parameters = [
        ...shared.filter((s) => !own.some((p) => p.name === s.name && p.in === s.in)),
        ...own,
      ];
      const method = m.toUpperCase() as Method;
      out.push({ id: op.operationId ?? slug(`${m}${path}`), method, path, op, parameters });
    }
  }
  return out;
}

function isParameter(p: unknown): p is Parameter {
  return !!p && typeof p === "object" && typeof (p as Parameter).name === "string";
}

const slug = (s: string) =>
  s
    .replace(/[{}]/g, "")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** Operations grouped by their first tag, in the order the document declares its tags. */
export function groupByTag(doc: OpenApiDoc): TagGroup[] {
  const groups = new Map<string, TagGroup>();
  for (const t of doc.tags ?? [])
    groups.set(t.name, { name: t.name, description: t.description, operations: [] });
  for (const op of listOperations(doc)) {
    const name = op.op.tags?.[0] ?? "Other";
    if (!groups.has(name)) groups.set(name, { name, operations: [] });
    groups.get(name)!.operations.push(op);
  }
  return [...groups.values()].filter((g) => g.operations.length > 0);
}

/** The DOM id of a tag's section. */
export const tagAnchor = (tag: string) => `tag-${slug(tag).toLowerCase()}`;
/** The DOM id of a component schema's section. */
export const schemaAnchor = (name: string) => `schema-${name}`;

/** `#/components/schemas/Cluster` → `Cluster` (the last segment of any local reference). */
export function refName(ref: string): string {
  const last = ref.split("/").pop() ?? ref;
  return last.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** What a local `$ref` points at, or undefined (remote or broken references). */
export function resolveRef(doc: OpenApiDoc, ref: string): Schema | undefined {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!node || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node && typeof node === "object" ? (node as Schema) : undefined;
}

/** Whether `ref` names a component schema the page has a section for. */
export const isComponentRef = (ref: string) => ref.startsWith("#/components/schemas/");

const isNull = (s: Schema) => s.type === "null" || (s.const === null && s.type === undefined);

/** The variants of anyOf/oneOf, and whether one of them is null. */
function variantsOf(s: Schema): { variants: Schema[]; nullable: boolean } | null {
  const all = s.anyOf ?? s.oneOf;
  if (!all) return null;
  const variants = all.filter((v) => !isNull(v));
  return { variants, nullable: variants.length < all.length };
}

function typesOf(s: Schema): string[] {
  return Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
}

/** A schema's literal values: `enum`, a single `const`, or an anyOf/oneOf of consts (1 | 3 | 5). */
export function literalValues(s: Schema): unknown[] | null {
  if (s.enum) return s.enum;
  if (s.const !== undefined) return [s.const];
  const v = variantsOf(s);
  if (v && v.variants.length > 1 && v.variants.every((x) => x.const !== undefined)) {
    return v.variants.map((x) => x.const);
  }
  return null;
}

export interface TypeLabel {
  /** `string · uuid`, `array of object`, `one of 2`, … (a component's name when `ref` is set). */
  text: string;
  /** The component schema the type is (or is an array of): the label links to it. */
  ref?: string;
  nullable: boolean;
  /** An object that takes any other properties. */
  open?: boolean;
}

/** How a schema's type reads in one short label. */
export function typeLabel(s: Schema): TypeLabel {
  if (s.$ref)
    return {
      text: refName(s.$ref),
      ref: isComponentRef(s.$ref) ? refName(s.$ref) : undefined,
      nullable: false,
    };
  const v = variantsOf(s);
  if (v) {
    if (v.variants.length === 1) {
      const inner = typeLabel(v.variants[0]!);
      return { ...inner, nullable: inner.nullable || v.nullable };
    }
    const lits = literalValues(s);
    if (lits) {
      const kinds = [...new Set(lits.map((l) => (Number.isInteger(l) ? "integer" : typeof l)))];
      return { text: kinds.join(" | "), nullable: v.nullable };
    }
    return { text: `one of ${v.variants.length}`, nullable: v.nullable };
  }
  if (s.allOf?.length === 1) return typeLabel(s.allOf[0]!);
  const types = typesOf(s);
  const nullable = types.includes("null");
  const t = types.filter((x) => x !== "null");
  if (t.length > 1) return { text: t.join(" | "), nullable };
  const type =
    t[0] ??
    (s.const !== undefined ? typeof s.const : s.properties ? "object" : s.items ? "array" : undefined);
  if (type === "array") {
    if (!s.items) return { text: "array", nullable };
    const inner = typeLabel(s.items);
    return { text: `array of ${inner.text}`, ref: inner.ref, nullable };
  }
  if (type === "object") {
    const addl = s.additionalProperties;
    const hasProps = Object.keys(s.properties ?? {}).length > 0;
    if (!hasProps && addl && typeof addl === "object" && Object.keys(addl).length > 0) {
      const inner = typeLabel(addl);
      return { text: `map of ${inner.text}`, ref: inner.ref, nullable };
    }
    const open = addl === true || (!!addl && typeof addl === "object" && Object.keys(addl).length === 0);
    return { text: "object", nullable, open: open || undefined };
  }
  if (!type) return { text: "any", nullable };
  return { text: s.format ? `${type} · ${s.format}` : type, nullable };
}

/** The rules a value must keep, each a short phrase: `1–30 characters`, `0 to 100`, `≤ 10 items`, a pattern. */
export function constraintsOf(s: Schema): string[] {
  const out: string[] = [];
  const range = (min: number | undefined, max: number | undefined, unit: string) => {
    if (min !== undefined && max !== undefined)
      out.push(min === max ? `${min} ${unit}` : `${min}–${max} ${unit}`);
    else if (min !== undefined && min > 0) out.push(`at least ${min} ${unit}`);
    else if (max !== undefined) out.push(`at most ${max} ${unit}`);
  };
  range(s.minLength, s.maxLength, "characters");
  range(s.minItems, s.maxItems, "items");
  // zod writes ±(2^53 − 1) on every integer: no bound worth reading.
  const bound = (n: number | undefined) =>
    n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined;
  const lo = bound(s.minimum ?? s.exclusiveMinimum);
  const hi = bound(s.maximum ?? s.exclusiveMaximum);
  if (lo !== undefined || hi !== undefined) {
    const left = lo === undefined ? "" : `${lo} ${s.minimum === undefined ? "<" : "≤"} `;
    const right = hi === undefined ? "" : ` ${s.maximum === undefined ? "<" : "≤"} ${hi}`;
    out.push(`${left}value${right}`);
  }
  // A format says more than the regular expression that checks it (uuid, date-time).
  if (s.pattern && !s.format) out.push(`pattern ${s.pattern}`);
  return out;
}

/** A child row of a schema tree: a property, a variant of anyOf/oneOf, or the values of a map. */
export interface SchemaChild {
  key: string;
  /** The row's name: a property name, `mode = "new"` for a variant, `{key}` for a map's values. */
  label: string;
  kind: "property" | "variant" | "entry";
  schema: Schema;
  required: boolean;
  /** Component schemas already opened above this row: a `$ref` to one of them is not opened again. */
  seen: readonly string[];
}

/** A `$ref` to a component already open above: shown as a link, never expanded (cycles). */
export function isCycle(s: Schema, seen: readonly string[]): boolean {
  return !!s.$ref && seen.includes(refName(s.$ref));
}

/** What a schema node opens into (its rows one level down); [] for leaves and cycles. */
export function childrenOf(doc: OpenApiDoc, s: Schema, seen: readonly string[] = []): SchemaChild[] {
  if (s.$ref) {
    if (isCycle(s, seen)) return [];
    const target = resolveRef(doc, s.$ref);
    return target ? childrenOf(doc, target, [...seen, refName(s.$ref)]) : [];
  }
  const v = variantsOf(s);
  if (v) {
    if (v.variants.length === 1) return childrenOf(doc, v.variants[0]!, seen);
    if (literalValues(s)) return [];
    return v.variants.map((variant, i) => ({
      key: `variant-${i}`,
      label: variantLabel(doc, variant, i),
      kind: "variant",
      schema: variant,
      required: false,
      seen,
    }));
  }
  if (s.allOf?.length === 1) return childrenOf(doc, s.allOf[0]!, seen);
  if (s.items) return childrenOf(doc, s.items, seen);
  const rows: SchemaChild[] = Object.entries(s.properties ?? {}).map(([name, schema]) => ({
    key: `p-${name}`,
    label: name,
    kind: "property",
    schema,
    required: s.required?.includes(name) ?? false,
    seen,
  }));
  const addl = s.additionalProperties;
  if (addl && typeof addl === "object" && Object.keys(addl).length > 0) {
    rows.push({ key: "entry", label: "{key}", kind: "entry", schema: addl, required: false, seen });
  }
  return rows;
}

/** `mode = "new"` when the variant pins a property to a constant (a discriminator), else `option 2: object`. */
function variantLabel(doc: OpenApiDoc, variant: Schema, i: number): string {
  const target = variant.$ref ? resolveRef(doc, variant.$ref) : variant;
  for (const [name, p] of Object.entries(target?.properties ?? {})) {
    if (p.const !== undefined) return `${name} = ${JSON.stringify(p.const)}`;
  }
  return `option ${i + 1}: ${typeLabel(variant).text}`;
}

/** "Needs the member role or higher." split off an operation's description (the page shows it on its own line). */
export function splitRole(description: string | undefined): { text: string; role: string | null } {
  const text = description ?? "";
  const m = /(?:^|\n\n)(Needs the [\w -]+ role(?: or higher)?\.)\s*$/.exec(text);
  if (!m) return { text: text.trim(), role: null };
  return { text: text.slice(0, m.index).trim(), role: m[1]! };
}

/** Text split on backticks: the odd parts are code. */
export function splitCode(text: string): Array<{ code: boolean; text: string }> {
  return text
    .split("`")
    .map((t, i) => ({ code: i % 2 === 1, text: t }))
    .filter((p) => p.text !== "");
}

/**
 * Shorter paths for the navigation: a prefix that ends in a parameter and
 * starts at least three other paths becomes `…` (`…/stop` under
 * `/projects/{projectId}/clusters/{clusterId}`). Pages show the full path
 * wherever there is room; the navigation names it in full for screen readers.
 */
export function shortPaths(paths: string[]): Map<string, string> {
  const unique = [...new Set(paths)];
  const bases = unique
    .filter((p) => p.endsWith("}") && unique.filter((q) => q.startsWith(`${p}/`)).length >= 3)
    .sort((a, b) => b.length - a.length);
  return new Map(
    unique.map((p) => {
      const base = bases.find((b) => p.startsWith(`${b}/`));
      return [p, base ? `…${p.slice(base.length)}` : p];
    }),
  );
}

const MAX_EXAMPLE_DEPTH = 8;
const EXAMPLE_UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

/**
 * A request example from a schema: required properties only, each with its
 * default, first allowed value, or a placeholder of its type and format.
 */
export function exampleOf(doc: OpenApiDoc, s: Schema, seen: readonly string[] = [], depth = 0): unknown {
  if (depth > MAX_EXAMPLE_DEPTH) return null;
  if (s.$ref) {
    const name = refName(s.$ref);
    const target = resolveRef(doc, s.$ref);
    if (!target || seen.includes(name)) return null;
    return exampleOf(doc, target, [...seen, name], depth);
  }
  if (s.default !== undefined) return s.default;
  const lits = literalValues(s);
  if (lits?.length) return lits[0];
  const v = variantsOf(s);
  if (v) return v.variants[0] ? exampleOf(doc, v.variants[0], seen, depth) : null;
  if (s.allOf?.length === 1) return exampleOf(doc, s.allOf[0]!, seen, depth);
  const type =
    typesOf(s).find((t) => t !== "null") ?? (s.properties ? "object" : s.items ? "array" : undefined);
  switch (type) {
    case "object":
      return Object.fromEntries(
        Object.entries(s.properties ?? {})
          .filter(([name]) => s.required?.includes(name))
          .map(([name, p]) => [name, exampleOf(doc, p, seen, depth + 1)]),
      );
    case "array":
      return s.items && (s.minItems ?? 0) > 0 ? [exampleOf(doc, s.items, seen, depth + 1)] : [];
    case "integer":
    case "number":
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
    case "boolean":
      return false;
    case "string":
      if (s.format === "uuid") return EXAMPLE_UUID;
      if (s.format === "date-time") return "2026-01-01T00:00:00Z";
      return "string";
    default:
      return null;
  }
}

/** `projectId` → `PROJECT_ID`, `If-Match` → `IF_MATCH`: a shell variable's name. */
export const shellName = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .toUpperCase();

/** The JSON schema of an operation's request body, if it takes JSON. */
export function requestSchema(op: OperationObject): Schema | undefined {
  return op.requestBody?.content?.["application/json"]?.schema;
}

/**
 * A curl command for an operation: path parameters, required query
 * parameters and headers as shell variables (`$PROJECT_ID`), the token as
 * `$TOKEN`, a fresh Idempotency-Key, and an example body.
 */
export function curlExample(doc: OpenApiDoc, op: Op, baseUrl: string): string {
  const path = op.path.replace(/\{(\w+)\}/g, (_, n: string) => `$${shellName(n)}`);
  const query = op.parameters
    .filter((p) => p.in === "query" && p.required)
    .map((p) => `${encodeURIComponent(p.name)}=$${shellName(p.name)}`)
    .join("&");
  const lines = [
    `curl${op.method === "GET" ? "" : ` -X ${op.method}`} "${baseUrl}${path}${query ? `?${query}` : ""}"`,
  ];
  lines.push(`-H "Authorization: Bearer $TOKEN"`);
  for (const p of op.parameters.filter((x) => x.in === "header")) {
    lines.push(
      `-H "${p.name}: ${p.name.toLowerCase() === "idempotency-key" ? "$(uuidgen)" : `$${shellName(p.name)}`}"`,
    );
  }
  const body = requestSchema(op.op);
  if (body) {
    const json = JSON.stringify(exampleOf(doc, body), null, 2).replace(/'/g, `'\\''`);
    lines.push(`-H "Content-Type: application/json"`, `-d '${json}'`);
  }
  return lines.join(" \\\n  ");
}

/** The schema a response carries as JSON, if any. */
export function responseSchema(r: ResponseObject): Schema | undefined {
  return r.content?.["application/json"]?.schema;
}
