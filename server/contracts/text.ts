import { z } from "zod";

/**
 * Text and dates from users, refused at the boundary when they cannot be
 * stored or shown: NUL and other control characters (PostgreSQL refuses NUL
 * in text; the others hide or forge what is shown), dates outside what
 * both JavaScript and PostgreSQL hold, and inputs nested deeper than any
 * form produces.
 */

/** C0 and C1 control characters and DEL; multi-line text may still hold tab, line feed and carriage return. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Half of a surrogate pair without the other half: not text, and PostgreSQL's jsonb refuses it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const CONTROL_CHAR_MESSAGE =
  "Must not contain control characters (such as NUL or line breaks) or broken Unicode";
export const CONTROL_CHAR_MULTILINE_MESSAGE =
  "Must not contain control characters (such as NUL) or broken Unicode";

export const hasControlChars = (s: string, multiline = false): boolean =>
  (multiline ? CONTROL_MULTILINE : CONTROL).test(s) || LONE_SURROGATE.test(s);

/** One line of text (names, searches, filters, secrets). */
export const line = () => z.string().refine((s) => !hasControlChars(s), CONTROL_CHAR_MESSAGE);

/** Text that may span lines (YAML, Rego). */
export const multiline = () =>
  z.string().refine((s) => !hasControlChars(s, true), CONTROL_CHAR_MULTILINE_MESSAGE);

export const MIN_DATE = new Date("1970-01-01T00:00:00Z");
export const MAX_DATE = new Date("9999-12-31T23:59:59Z");
const DATE_MESSAGE = "Choose a date between 1970 and 9999";

/** A date both JavaScript and PostgreSQL hold (±275760-year dates are valid in one and not the other). */
export const dateInRange = () =>
  z.date({ message: "Enter a valid date" }).min(MIN_DATE, DATE_MESSAGE).max(MAX_DATE, DATE_MESSAGE);

/** The same, from a string or a number as well. */
export const coercedDateInRange = () =>
  z.coerce.date({ message: "Enter a valid date" }).min(MIN_DATE, DATE_MESSAGE).max(MAX_DATE, DATE_MESSAGE);

/** How deep any procedure's input may nest (objects and arrays); forms stay far below. */
export const MAX_INPUT_DEPTH = 40;

/**
 * Every string and key in a procedure's raw input holding NUL or another
 * control character other than tab and line breaks, and inputs nested too
 * deeply: the last guard in front of every procedure, whatever its schema
 * (free-form parameters included). Paths are dotted, as forms key their errors.
 */
export function hostileInputIssues(input: unknown, maxIssues = 10): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  const stack: Array<[unknown, string[]]> = [[input, []]];
  while (stack.length > 0 && out.length < maxIssues) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      if (hasControlChars(v, true))
        out.push({ path: path.join("."), message: CONTROL_CHAR_MULTILINE_MESSAGE });
    } else if (v !== null && typeof v === "object" && (Array.isArray(v) || isPlain(v))) {
      if (path.length >= MAX_INPUT_DEPTH) {
        out.push({
          path: path.join("."),
          message: `Is nested too deeply (at most ${MAX_INPUT_DEPTH} levels)`,
        });
        continue;
      }
      const entries: Array<[string, unknown]> = Array.isArray(v)
        ? v.map((x, i) => [String(i), x])
        : Object.entries(v);
      for (const [k, x] of entries) {
        if (hasControlChars(k, true)) {
          out.push({
            path: [...path, k.replace(CONTROL_ALL, "?")].join("."),
            message: CONTROL_CHAR_MULTILINE_MESSAGE,
          });
          continue;
        }
        stack.push([x, [...path, k]]);
      }
    }
  }
  return out;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
