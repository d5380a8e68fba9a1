import Ajv, { type ErrorObject, type Options, type ValidateFunction } from "ajv";
import { RE2JS } from "re2js";
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";

type RegExpEngine = NonNullable<NonNullable<Options["code"]>["regExp"]>;

/**
 * JSON Schema checks (ajv) of YAML a user typed, with every error pointing
 * at the line it is about. Used by the addon values editor and the
 * Gatekeeper constraint parameters.
 *
 * Schemas can come from users (custom ConstraintTemplates), so: every
 * `pattern` runs on RE2 (linear time in the input, never JavaScript's
 * backtracking RegExp), schemas and values have size and depth caps, and
 * every schema gets an ajv instance of its own (one schema's `$id` cannot
 * clash with another's, and nothing grows without bound).
 */

export interface SchemaIssue {
  /** 1-based line in the YAML text, when the error is about a place in it. */
  line: number | null;
  /** Dotted path of the value (`controller.service.nodePorts.http`), "" for the document. */
  path: string;
  message: string;
}

/** What a schema, a value and a YAML text may be at most. */
export const SCHEMA_LIMITS = {
  schemaBytes: 64 * 1024,
  schemaDepth: 32,
  valueBytes: 256 * 1024,
  valueDepth: 32,
  yamlBytes: 128 * 1024,
  /** yaml's guard against alias bombs ("billion laughs"): expanded alias nodes per document. */
  yamlAliases: 100,
} as const;

/** ajv's regex engine: RE2, whose matching time is linear in the input whatever the pattern. */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string) => {
    try {
      return RE2JS.compile(RE2JS.translateRegExp(pattern));
    } catch (err) {
      throw new Error(
        `pattern ${JSON.stringify(pattern.slice(0, 200))} is not supported (${
          err instanceof Error ? err.message : String(err)
        }; lookaround and backreferences are not available)`,
      );
    }
  },
  { code: "linearRegExp" },
);

const newAjv = () => new Ajv({ allErrors: true, strict: false, code: { regExp: linearRegExp } });

/**
 * Why `value` is too big or too deep to look at, or null. Iterative (a hostile
 * value cannot overflow the stack) and stops at the first cap it passes, so a
 * cyclic or alias-expanded value costs at most the caps.
 */
export function sizeError(value: unknown, maxBytes: number, maxDepth: number): string | null {
  const stack: Array<[unknown, number]> = [[value, 0]];
  let bytes = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === "string") bytes += v.length + 2;
    else if (v !== null && typeof v === "object") {
      if (depth >= maxDepth) return `is nested too deeply (at most ${maxDepth} levels)`;
      bytes += 2;
      if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1]);
      else
        for (const [k, x] of Object.entries(v)) {
          bytes += k.length + 3;
          stack.push([x, depth + 1]);
        }
    } else bytes += 8;
    if (bytes > maxBytes) return `is too large (at most ${Math.round(maxBytes / 1024)} KB)`;
  }
  return null;
}

/** Validators by schema object (the library's and the catalog's live for the process), ... */
const byObject = new WeakMap<object, ValidateFunction>();
/** ... and by schema text, the last few (a custom template is parsed anew on every check). */
const byText = new Map<string, ValidateFunction>();
const BY_TEXT_MAX = 64;

/**
 * Compile once per schema, each in an ajv instance of its own. Throws when
 * the schema is invalid, too large or too deep, or uses a pattern RE2 cannot run.
 */
export function compileSchema(schema: object): ValidateFunction {
  const known = byObject.get(schema);
  if (known) return known;
  const tooBig = sizeError(schema, SCHEMA_LIMITS.schemaBytes, SCHEMA_LIMITS.schemaDepth);
  if (tooBig) throw new Error(`the schema ${tooBig}`);
  const key = JSON.stringify(schema);
  let v = byText.get(key);
  if (v) byText.delete(key);
  else v = newAjv().compile(schema);
  byText.set(key, v);
  if (byText.size > BY_TEXT_MAX) byText.delete(byText.keys().next().value!);
  byObject.set(schema, v);
  return v;
}

/** Whether `schema` is a schema ajv can use, and why not. */
export function schemaError(schema: unknown): string | null {
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return "must be an object";
  try {
    compileSchema(schema);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export interface ParsedYaml {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain data; null when `issues` is not empty. */
  value: unknown;
  issues: SchemaIssue[];
}

/**
 * One YAML document from a user: size-capped, aliases capped (an alias bomb
 * is an issue, not a crash), too-deep nesting an issue.
 */
export function parseUserYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const fail = (message: string, line: number | null = null): ParsedYaml => ({
    doc: parseDocument("", { lineCounter }),
    lineCounter,
    value: null,
    issues: [{ line, path: "", message }],
  });
  if (text.length > SCHEMA_LIMITS.yamlBytes)
    return fail(`The YAML is too large (at most ${SCHEMA_LIMITS.yamlBytes / 1024} KB)`);
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    if (err instanceof RangeError) return fail("The YAML is nested too deeply");
    throw err;
  }
  if (doc.errors.length > 0) {
    // The first few distinct ones: a hostile text can have thousands.
    const issues = new Map<string, SchemaIssue>();
    for (const e of doc.errors) {
      const message = `YAML syntax: ${e.message.split("\n")[0]}`;
      if (issues.has(message)) continue;
      const line =
        e.linePos?.[0]?.line ?? (e.pos[0] === undefined ? null : lineCounter.linePos(e.pos[0]).line);
      issues.set(message, { line, path: "", message });
      if (issues.size === 10) break;
    }
    return { doc, lineCounter, value: null, issues: [...issues.values()] };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: SCHEMA_LIMITS.yamlAliases });
  } catch (err) {
    if (err instanceof RangeError) return fail("The YAML is nested too deeply");
    if (err instanceof ReferenceError)
      return fail(
        `The YAML expands too many aliases (*references to &anchors; at most ${SCHEMA_LIMITS.yamlAliases})`,
      );
    throw err;
  }
  const tooBig = sizeError(value, SCHEMA_LIMITS.valueBytes, SCHEMA_LIMITS.valueDepth);
  if (tooBig) return fail(`The YAML document ${tooBig}`);
  return { doc, lineCounter, value, issues: [] };
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
  const p = parseUserYaml(text);
  if (p.issues.length > 0) return { value: null, issues: p.issues };
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? null : p.lineCounter.linePos(offset).line;
  const value = p.value ?? {};
  return {
    value: value as T,
    issues: checkValue(value, schema, prefix, p.doc.contents as Node | null, lineOf),
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
  const name = prefix || "The value";
  const tooBig = sizeError(value, SCHEMA_LIMITS.valueBytes, SCHEMA_LIMITS.valueDepth);
  if (tooBig) return [{ line: null, path: prefix, message: `${name} ${tooBig}` }];
  let validate: ValidateFunction;
  try {
    validate = compileSchema(schema);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return [{ line: null, path: prefix, message: `${name} cannot be checked: ${why}` }];
  }
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
