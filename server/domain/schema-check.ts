import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { isMap, isSeq, LineCounter, parseDocument, type Node } from "yaml";

/**
 * JSON Schema checks (ajv) of YAML a user typed, with every error pointing
 * at the line it is about. Used by the addon values editor and the
 * Gatekeeper constraint parameters, in the browser and on the server alike.
 */

export interface SchemaIssue {
  /** 1-based line in the YAML text, when the error is about a place in it. */
  line: number | null;
  /** Dotted path of the value (`controller.service.nodePorts.http`), "" for the document. */
  path: string;
  message: string;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** Compile once per schema object. Throws when the schema itself is invalid. */
export function compileSchema(schema: object): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

/** Whether `schema` is a schema ajv can use, and why not. */
export function schemaError(schema: unknown): string | null {
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return "must be an object";
  try {
    new Ajv({ allErrors: true, strict: false }).compile(schema);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const pathOf = (pointer: string): string[] =>
  pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));

const dotted = (parts: Array<string | number>) =>
  parts.reduce<string>(
    (acc, p) =>
      typeof p === "number" || /^\d+$/.test(String(p)) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : String(p),
    "",
  );

/** A human sentence for one ajv error, naming the field. */
function describe(e: ErrorObject, prefix: string): { path: string; message: string; keyPath: string[] } {
  const base = pathOf(e.instancePath);
  const at = (parts: Array<string | number>) =>
    dotted([...(prefix ? [prefix] : []), ...parts]) || "(document)";
  switch (e.keyword) {
    case "required": {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      return {
        path: at([...base, missing]),
        message: `${at([...base, missing])} is required`,
        keyPath: base,
      };
    }
    case "additionalProperties": {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      return {
        path: at([...base, extra]),
        message: `${at([...base, extra])} is not a known field here`,
        keyPath: [...base, extra],
      };
    }
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
      return { path: at(base), message: `${at(base)} must be one of ${allowed.join(", ")}`, keyPath: base };
    }
    case "pattern":
      return {
        path: at(base),
        message: `${at(base)} has an invalid format (must match ${(e.params as { pattern: string }).pattern})`,
        keyPath: base,
      };
    default:
      return { path: at(base), message: `${at(base)} ${e.message ?? "is invalid"}`, keyPath: base };
  }
}

/** The node at `path`, or the deepest existing ancestor; for a key that should not be there, its key node. */
export function nodeAt(root: Node | null, path: string[], keyOfLast: boolean): Node | null {
  let cur: Node | null = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (isMap(cur)) {
      const pair = cur.items.find(
        (p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === seg,
      );
      if (!pair) return cur;
      if (keyOfLast && i === path.length - 1) return (pair.key as Node) ?? cur;
      cur = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(cur)) {
      const item = cur.items[Number(seg)] as Node | undefined;
      if (!item) return cur;
      cur = item;
    } else return cur;
  }
  return cur;
}

export interface YamlCheck<T> {
  value: T | null;
  issues: SchemaIssue[];
}

/**
 * Parse `text` as one YAML document and check it against `schema`.
 * `prefix` names the value in messages (e.g. "parameters").
 */
export function checkYaml<T = unknown>(text: string, schema: object, prefix = ""): YamlCheck<T> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number | undefined) => (offset === undefined ? null : lc.linePos(offset).line);
  if (doc.errors.length > 0)
    return {
      value: null,
      issues: doc.errors.map((e) => ({
        line: e.linePos?.[0]?.line ?? lineOf(e.pos[0]),
        path: "",
        message: `YAML syntax: ${e.message.split("\n")[0]}`,
      })),
    };
  const value = (doc.toJS() ?? {}) as unknown;
  return {
    value: value as T,
    issues: checkValue(value, schema, prefix, doc.contents as Node | null, lineOf),
  };
}

/** Check an already-parsed value; with a YAML tree, issues carry lines. */
export function checkValue(
  value: unknown,
  schema: object,
  prefix = "",
  root: Node | null = null,
  lineOf: (offset: number | undefined) => number | null = () => null,
): SchemaIssue[] {
  const validate = compileSchema(schema);
  if (validate(value)) return [];
  const seen = new Set<string>();
  const out: SchemaIssue[] = [];
  for (const e of validate.errors ?? []) {
    // if/then failures repeat the inner error: keep the inner one.
    if (e.keyword === "if") continue;
    const d = describe(e, prefix);
    if (seen.has(d.message)) continue;
    seen.add(d.message);
    const node = root ? nodeAt(root, d.keyPath, e.keyword === "additionalProperties") : null;
    out.push({ line: node?.range ? lineOf(node.range[0]) : null, path: d.path, message: d.message });
  }
  return out;
}
