/**
 * Completion and hover help for a YAML text checked against a JSON Schema
 * (addon values, constraint parameters). Pure: the editor asks where the
 * cursor is in the document's key tree, and what the schema says there.
 *
 * The key path is read from indentation, not from a parser, because the
 * text being typed is usually not valid YAML yet ("controller:\n  rep").
 * Block scalars and flow collections are not understood; there the help is
 * simply absent, never wrong about the document.
 */

export type JsonSchema = { [key: string]: unknown };

/** Where the cursor is: typing a key of `path`'s object, or a value of `path`. */
export interface CursorContext {
  kind: "key" | "value";
  /** Keys from the root; "*" for an array item. For kind "value", ends with the key being set. */
  path: string[];
  /** The word already typed, replaced by a completion. */
  prefix: string;
  /** Offset where the typed word starts. */
  from: number;
  /** Column of the key (kind "key"): where a completion's nested lines indent from. */
  column: number;
  /** Keys already present beside the one being typed. */
  siblings: string[];
}

interface Line {
  /** Spaces before the first character. */
  indent: number;
  /** Column where the key or scalar starts, after any "- " item markers. */
  column: number;
  /** Columns of the "- " item markers on this line. */
  dashes: number[];
  /** The key, when the line is `key:` or `key: value`. */
  key: string | null;
  /** Text after `key:`, without a comment. */
  rest: string;
  blank: boolean;
}

const KEY = /^([^\s#'"{}[\],&*!|>%@`-][^:#]*?|"[^"]*"|'[^']*'):(?:\s+(.*))?$/;

function parseLine(text: string): Line {
  const indent = text.length - text.trimStart().length;
  let i = indent;
  const dashes: number[] = [];
  while (text[i] === "-" && (text[i + 1] === " " || i + 1 === text.length)) {
    dashes.push(i);
    i += 1;
    while (text[i] === " ") i += 1;
  }
  const body = text.slice(i).replace(/(^|\s)#.*$/, "");
  const m = KEY.exec(body.trimEnd());
  const key = m ? m[1]!.replace(/^["']|["']$/g, "") : null;
  return {
    indent,
    column: i,
    dashes,
    key,
    rest: m ? (m[2] ?? "").trim() : body.trim(),
    blank: body.trim() === "" && dashes.length === 0,
  };
}

/**
 * The parent keys of a line whose key sits at `column`, read upwards from
 * `lines[before - 1]`. `inItem` says the line itself opens an array item.
 */
function parentPath(lines: Line[], before: number, column: number, itemDash: number | null): string[] {
  const path: string[] = [];
  // A key is a parent when it sits left of `need` (or at `need` when an array hangs under it).
  let need = column;
  let arrayUnder = false;
  if (itemDash !== null) {
    path.unshift("*");
    need = itemDash;
    arrayUnder = true;
  }
  for (let n = before - 1; n >= 0 && (need > 0 || arrayUnder); n -= 1) {
    const l = lines[n]!;
    if (l.blank) continue;
    const dash = l.dashes.length > 0 ? l.dashes[l.dashes.length - 1]! : null;
    if (dash !== null && dash < need) {
      // The item this block belongs to: its container is an array.
      path.unshift("*");
      need = dash;
      arrayUnder = true;
      continue;
    }
    if (dash !== null && arrayUnder && dash === need) continue; // an earlier item of the same array
    if (l.dashes.length === 0 && (l.column < need || (arrayUnder && l.column === need))) {
      if (l.key === null || l.rest !== "") return path; // not a mapping key that opens a block
      path.unshift(l.key);
      need = l.column;
      arrayUnder = false;
    }
  }
  return path;
}

/** Keys at `column` in the block that holds line `at`, other than the line itself. */
function siblingKeys(lines: Line[], at: number, column: number): string[] {
  const keys: string[] = [];
  for (let n = at - 1; n >= 0; n -= 1) {
    const l = lines[n]!;
    if (l.blank) continue;
    if (l.column === column && l.key) keys.push(l.key);
    if (l.dashes.length > 0 && l.dashes[l.dashes.length - 1]! < column) break; // the item's first line
    if (l.column < column) break;
  }
  for (let n = at + 1; n < lines.length; n += 1) {
    const l = lines[n]!;
    if (l.blank) continue;
    if (l.column < column || (l.dashes.length > 0 && l.dashes[0]! < column)) break;
    if (l.column === column && l.key) keys.push(l.key);
  }
  return keys;
}

/** What the cursor at `pos` is typing, or null where no help applies (comments, block scalars' text). */
export function contextAt(text: string, pos: number): CursorContext | null {
  const lineStart = text.lastIndexOf("\n", pos - 1) + 1;
  const before = text.slice(lineStart, pos);
  if (/(^|\s)#/.test(before)) return null;
  const allLines = text.split("\n");
  const lineNo = text.slice(0, lineStart).split("\n").length - 1;
  const lines = allLines.map(parseLine);
  const here = parseLine(before);

  const keyTyping = /^(\s*)((?:-\s+)*)([^\s:#]*)$/.exec(before);
  if (keyTyping) {
    const column = here.column;
    const itemDash = here.dashes.length > 0 ? here.dashes[here.dashes.length - 1]! : null;
    const prefix = keyTyping[3] ?? "";
    return {
      kind: "key",
      path: parentPath(lines, lineNo, column, itemDash),
      prefix,
      from: pos - prefix.length,
      column,
      siblings:
        itemDash === null ? siblingKeys(lines, lineNo, column) : siblingKeysBelow(lines, lineNo, column),
    };
  }
  const valueTyping = /^(\s*)((?:-\s+)*)([^\s#'"][^:#]*?|"[^"]*"|'[^']*'):\s+([^\s#]*)$/.exec(before);
  if (valueTyping) {
    const itemDash = here.dashes.length > 0 ? here.dashes[here.dashes.length - 1]! : null;
    const key = valueTyping[3]!.replace(/^["']|["']$/g, "");
    const prefix = valueTyping[4] ?? "";
    return {
      kind: "value",
      path: [...parentPath(lines, lineNo, here.column, itemDash), key],
      prefix,
      from: pos - prefix.length,
      column: here.column,
      siblings: [],
    };
  }
  return null;
}

/** An item's first line: its siblings are the keys below it, at the same column. */
function siblingKeysBelow(lines: Line[], at: number, column: number): string[] {
  const keys: string[] = [];
  for (let n = at + 1; n < lines.length; n += 1) {
    const l = lines[n]!;
    if (l.blank) continue;
    if (l.dashes.length > 0 || l.column < column) break;
    if (l.column === column && l.key) keys.push(l.key);
  }
  return keys;
}

function isSchema(v: unknown): v is JsonSchema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Follows a local `$ref` ("#/definitions/x", "#/$defs/x") and merges `allOf`. */
function resolve(root: JsonSchema, s: JsonSchema, depth = 0): JsonSchema {
  if (depth > 16) return s;
  let out = s;
  const ref = s.$ref;
  if (typeof ref === "string" && ref.startsWith("#/")) {
    let target: unknown = root;
    for (const part of ref.slice(2).split("/")) {
      const k = part.replace(/~1/g, "/").replace(/~0/g, "~");
      target = isSchema(target) ? target[k] : undefined;
    }
    if (isSchema(target)) out = { ...resolve(root, target, depth + 1), ...withoutRef(s) };
  }
  if (Array.isArray(out.allOf)) {
    const parts = out.allOf.filter(isSchema).map((p) => resolve(root, p, depth + 1));
    const properties = Object.assign(
      {},
      ...parts.map((p) => (isSchema(p.properties) ? p.properties : {})),
      out.properties,
    );
    const required = [
      ...parts.flatMap((p) => (Array.isArray(p.required) ? p.required : [])),
      ...(Array.isArray(out.required) ? out.required : []),
    ];
    out = { ...Object.assign({}, ...parts), ...out, properties, required };
  }
  return out;
}

function withoutRef(s: JsonSchema): JsonSchema {
  const rest = { ...s };
  delete rest.$ref;
  return rest;
}

/** The schema of the value at `path` ("*" = an array item), or null when the schema does not say. */
export function schemaAt(root: JsonSchema, path: string[]): JsonSchema | null {
  let s: JsonSchema | null = resolve(root, root);
  for (const part of path) {
    if (!s) return null;
    let next: unknown;
    if (part === "*") next = s.items;
    else {
      next = isSchema(s.properties) ? s.properties[part] : undefined;
      if (next === undefined && isSchema(s.additionalProperties)) next = s.additionalProperties;
      if (next === undefined && isSchema(s.patternProperties)) {
        for (const [pattern, sub] of Object.entries(s.patternProperties)) {
          if (safeTest(pattern, part)) {
            next = sub;
            break;
          }
        }
      }
    }
    if (next === undefined) {
      // anyOf/oneOf: the branches that know the key (or have items); several are offered as one anyOf.
      const branches = [
        ...(Array.isArray(s.anyOf) ? s.anyOf : []),
        ...(Array.isArray(s.oneOf) ? s.oneOf : []),
      ];
      const subs = branches
        .filter(isSchema)
        .map((x) => resolve(root, x))
        .map((b) => (part === "*" ? b.items : isSchema(b.properties) ? b.properties[part] : undefined))
        .filter(isSchema);
      if (subs.length === 1) next = subs[0];
      else if (subs.length > 1) next = { anyOf: subs };
    }
    s = isSchema(next) ? resolve(root, next) : null;
  }
  return s;
}

/** Patterns come from schemas the console ships or a template's author: bounded and never thrown. */
function safeTest(pattern: string, value: string): boolean {
  if (pattern.length > 200) return false;
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return false;
  }
}

function typeOf(s: JsonSchema): string {
  const t = s.type;
  if (Array.isArray(t)) return t.join(" | ");
  if (typeof t === "string") return t;
  if (Array.isArray(s.enum)) return "enum";
  const branches = [
    ...(Array.isArray(s.anyOf) ? s.anyOf : []),
    ...(Array.isArray(s.oneOf) ? s.oneOf : []),
  ].filter(isSchema);
  const types = [...new Set(branches.map((b) => typeOf(b)))];
  if (types.length === 1) return types[0]!;
  if (isSchema(s.properties)) return "object";
  return "any";
}

/** A short type line: "integer 1–10", "array of string", "one of: a, b". */
export function typeLine(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return `one of: ${s.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  const t = typeOf(s);
  if (t === "array") {
    const items = isSchema(s.items) ? typeOf(s.items) : "any";
    return `array of ${items}`;
  }
  const min = typeof s.minimum === "number" ? s.minimum : null;
  const max = typeof s.maximum === "number" ? s.maximum : null;
  if (min !== null && max !== null) return `${t} ${min}–${max}`;
  if (min !== null) return `${t} ≥ ${min}`;
  if (max !== null) return `${t} ≤ ${max}`;
  if (typeof s.maxLength === "number") return `${t}, up to ${s.maxLength} characters`;
  return t;
}

/** The help text of one key: its path, type, description, default and pattern. */
export function describeKey(path: string[], s: JsonSchema): string {
  const lines = [`${path.filter((p) => p !== "*").join(".")}: ${typeLine(s)}`];
  if (typeof s.description === "string") lines.push(s.description);
  if (s.default !== undefined) lines.push(`Default: ${JSON.stringify(s.default)}`);
  if (typeof s.pattern === "string") lines.push(`Pattern: ${s.pattern}`);
  return lines.join("\n");
}

export interface Suggestion {
  label: string;
  /** Text put in place of the typed word. */
  insert: string;
  detail: string;
  info?: string;
  required?: boolean;
}

/** Keys the object at the cursor may have and does not yet, required ones first; or the value's choices. */
export function suggestions(root: JsonSchema, ctx: CursorContext): Suggestion[] {
  const s = schemaAt(root, ctx.path);
  if (!s) return [];
  if (ctx.kind === "key") {
    const { properties, required } = objectShape(root, s);
    const present = new Set(ctx.siblings);
    const pad = " ".repeat(ctx.column + 2);
    return Object.entries(properties)
      .filter(([k]) => !present.has(k))
      .map(([k, raw]) => {
        const sub = isSchema(raw) ? resolve(root, raw) : {};
        const t = typeOf(sub);
        const insert = t === "object" ? `${k}:\n${pad}` : t === "array" ? `${k}:\n${pad}- ` : `${k}: `;
        return {
          label: k,
          insert,
          detail: `${typeLine(sub)}${required.has(k) ? " · required" : ""}`,
          info: typeof sub.description === "string" ? sub.description : undefined,
          required: required.has(k),
        };
      })
      .sort((a, b) => Number(b.required) - Number(a.required) || a.label.localeCompare(b.label));
  }
  const choices: unknown[] = Array.isArray(s.enum)
    ? s.enum
    : s.const !== undefined
      ? [s.const]
      : branchConsts(root, s).length > 0
        ? branchConsts(root, s)
        : typeOf(s) === "boolean"
          ? [true, false]
          : s.default !== undefined && typeof s.default !== "object"
            ? [s.default]
            : [];
  return choices.map((v) => {
    const text =
      typeof v === "string" && /^[\w./-]+$/.test(v) && !/^(true|false|null|~|\d.*)$/i.test(v)
        ? v
        : JSON.stringify(v);
    return { label: text, insert: text, detail: v === s.default ? "default" : typeLine(s) };
  });
}

/** An object's keys, with those of its anyOf/oneOf branches (a key required only where every branch requires it). */
function objectShape(root: JsonSchema, s: JsonSchema): { properties: JsonSchema; required: Set<string> } {
  const branches = [...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])]
    .filter(isSchema)
    .map((b) => resolve(root, b));
  const properties: JsonSchema = Object.assign(
    {},
    ...branches.map((b) => (isSchema(b.properties) ? b.properties : {})),
    isSchema(s.properties) ? s.properties : {},
  );
  const requiredOf = (x: JsonSchema) => new Set(Array.isArray(x.required) ? x.required.map(String) : []);
  const required = requiredOf(s);
  if (branches.length > 0) {
    const sets = branches.map(requiredOf);
    for (const k of sets[0]!) if (sets.every((set) => set.has(k))) required.add(k);
  }
  return { properties, required };
}

/** The constants a value may take across anyOf/oneOf branches ("fixed" | "autoscale"). */
function branchConsts(root: JsonSchema, s: JsonSchema): unknown[] {
  const branches = [...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])];
  return branches
    .filter(isSchema)
    .map((b) => resolve(root, b).const)
    .filter((c) => c !== undefined);
}

/** The key under offset `pos` (hover), with its full path; null off a key. */
export function keyAt(text: string, pos: number): { path: string[]; from: number; to: number } | null {
  const lineStart = text.lastIndexOf("\n", pos - 1) + 1;
  const lineEnd = text.indexOf("\n", pos) === -1 ? text.length : text.indexOf("\n", pos);
  const line = text.slice(lineStart, lineEnd);
  const l = parseLine(line);
  if (!l.key) return null;
  const from = lineStart + l.column;
  const rawKey = line.slice(l.column).split(":")[0] ?? "";
  const to = from + rawKey.length;
  if (pos < from || pos > to) return null;
  const ctx = contextAt(text, from);
  if (!ctx || ctx.kind !== "key") return null;
  return { path: [...ctx.path, l.key], from, to };
}
