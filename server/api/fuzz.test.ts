import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { Db } from "@/db/client";
import { callerFor, makeUser } from "@/db/testing";
import { ADDONS, defaultValuesYaml } from "@/server/domain/addons";
import { NEWEST_VERSION } from "@/server/domain/versions";
import { CUSTOM_TEMPLATE } from "@/server/testing/policies";
import { createAsNewUser, smallSpec } from "@/server/testing/specs";
import { withTestDb } from "@/server/testing/suite";
import { appRouter } from "./root";

let db: Db;
withTestDb((d) => (db = d));

/**
 * Every tRPC procedure, driven with inputs built from its own zod schema
 * (a valid baseline) with one place at a time replaced by something hostile:
 * NUL and control characters, huge and non-finite numbers, dates JavaScript
 * holds and PostgreSQL does not, YAML alias bombs, deep nesting, wrong types.
 * No call may end in INTERNAL_SERVER_ERROR (HTTP 500) or take longer than
 * a generous bound. Deterministic: a seeded generator picks the mutations.
 */

type Schema = z.core.$ZodType;
type Def = { type: string } & Record<string, unknown>;
const defOf = (s: Schema) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Strings tried, in order, for a string field without a hint: the first its schema accepts. */
const STRING_CANDIDATES = [
  "web",
  "STD2-2-4",
  "ru-msk-a",
  NEWEST_VERSION,
  "Fuzz project",
  "fuzz@example.com",
  "correct-horse-battery-9",
  "20:00",
  "Europe/Moscow",
  "10.0.0.0/24",
  "K8sRequiredLabels",
  "http://127.0.0.1:9/v3",
  "00000000-0000-4000-8000-000000000001",
  "x",
];

/** A value `schema` accepts (best effort), preferring `hints[key]` where given. */
function sample(schema: Schema, hints: Record<string, unknown>, key = "", depth = 0): unknown {
  if (key && key in hints) return structuredClone(hints[key]);
  const d = defOf(schema);
  const inner = (k = key) => sample(d.innerType as Schema, hints, k, depth + 1);
  switch (d.type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(d.shape as Record<string, Schema>)) {
        const t = defOf(v).type;
        if ((t === "optional" || t === "default" || t === "prefault") && !(k in hints) && depth > 1) continue;
        const x = sample(v, hints, k, depth + 1);
        if (x !== undefined) out[k] = x;
      }
      return out;
    }
    case "string":
    case "email":
    case "url":
      return STRING_CANDIDATES.find((c) => (schema as z.ZodType).safeParse(c).success) ?? "x";
    case "number":
    case "int":
      return [1, 2, 10, 20, 50].find((c) => (schema as z.ZodType).safeParse(c).success) ?? 1;
    case "boolean":
      return true;
    case "date":
      return new Date();
    case "enum":
      return Object.values(d.entries as Record<string, unknown>)[0];
    case "literal":
      return (d.values as unknown[])[0];
    case "union":
      return sample((d.options as Schema[])[0]!, hints, key, depth + 1);
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
    case "nonoptional":
      return inner();
    case "pipe":
      return (
        STRING_CANDIDATES.find((c) => (schema as z.ZodType).safeParse(c).success) ??
        sample(d.in as Schema, hints, key, depth + 1)
      );
    case "array":
      return [sample(d.element as Schema, hints, "", depth + 1)];
    case "record":
      return {};
    case "lazy":
      return sample((d.getter as () => Schema)(), hints, key, depth + 1);
    default:
      return {};
  }
}

const deepObject = (levels: number) => {
  let v: unknown = "leaf";
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};
const deepArray = (levels: number) => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};
const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
  "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
  "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
  "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
].join("\n");

const HOSTILE: Array<[string, () => unknown]> = [
  ["NUL", () => "web\u0000x"],
  ["NUL alone", () => "\u0000"],
  ["control chars", () => "a\u0001\u0007\u001b[31mb\u007f"],
  ["line break", () => "web\nx"],
  ["lone surrogate", () => "a\ud800b"],
  ["SQL and LIKE metacharacters", () => "%' OR 1=1 --_\\"],
  ["long string", () => "x".repeat(200_000)],
  ["alias bomb", () => ALIAS_BOMB],
  ["self-referencing alias", () => "a: &x [*x]"],
  ["deep YAML", () => "[".repeat(20_000)],
  ["huge number", () => 1e308],
  ["negative huge number", () => -1e308],
  ["beyond int32", () => 2 ** 31],
  ["beyond safe integer", () => Number.MAX_SAFE_INTEGER + 2],
  ["NaN", () => NaN],
  ["Infinity", () => Infinity],
  ["-0", () => -0],
  ["year +275760", () => new Date(8.64e15)],
  ["year -271821", () => new Date(-8.64e15)],
  ["invalid date", () => new Date(NaN)],
  ["date string +275760", () => "+275760-09-13T00:00:00.000Z"],
  ["deep object", () => deepObject(5_000)],
  ["deep array", () => deepArray(5_000)],
  ["NUL key", () => ({ "\u0000": 1, "a\u0001": "b" })],
  ["null", () => null],
  ["wrong type", () => ({ toString: "x" })],
];

/** Paths to every leaf (and every object/array) of a baseline, the root included. */
function placesOf(v: unknown, path: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  out.push(path);
  if (Array.isArray(v)) v.forEach((x, i) => placesOf(x, [...path, i], out));
  else if (v && typeof v === "object" && !(v instanceof Date))
    for (const [k, x] of Object.entries(v)) placesOf(x, [...path, k], out);
  return out;
}

function replaced(base: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let cur = copy;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  cur[path.at(-1)!] = value;
  return copy;
}

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hints of one procedure (a constraint the fixture has; the cluster's own name for an update). */
const OVERRIDES: Record<string, Record<string, unknown>> = {
  "cluster.update": { spec: smallSpec("fuzz") },
  "policy.saveConstraint": { originalName: "psp-seccomp" },
  "policy.setEnforcement": { name: "team-label" },
  "policy.setEnabled": { name: "team-label" },
  "policy.deleteConstraint": { name: "team-label" },
};

/** Procedures that remove what the others need: run last. */
const LAST = [
  "cloud.set",
  "cloud.clear",
  "policy.deleteConstraint",
  "policy.deleteTemplate",
  "addon.uninstall",
  "nodeGroup.remove",
  "member.cancelInvitation",
  "member.remove",
  "cluster.delete",
];

const SLOW_MS = 5_000;
const RANDOM_PER_PROCEDURE = 6;

/** What every place of a baseline gets, by the type of its valid value. */
const TARGETED = (v: unknown): string[] =>
  typeof v === "string"
    ? ["NUL", ...(v.includes("\n") ? ["alias bomb"] : [])]
    : typeof v === "number"
      ? ["huge number"]
      : v instanceof Date
        ? ["year +275760", "year -271821", "date string +275760"]
        : v && typeof v === "object"
          ? ["deep object"]
          : [];

describe("fuzz: every procedure with hostile input", () => {
  it("answers 4xx, never 500, and within the time bound", async () => {
    const started = Date.now();
    const { u, ref } = await createAsNewUser(db, smallSpec("fuzz"));
    const other = await makeUser(db);
    await u.caller.member.add({ projectId: u.personalProjectId, email: other.email, role: "viewer" });
    const certManager = ADDONS.find((a) => a.id === "cert-manager")!;
    const hints: Record<string, unknown> = {
      ...ref,
      userId: other.userId,
      spec: smallSpec("fuzz2"),
      nodeGroup: { name: "more", flavor: "STD2-2-4", zone: "ru-msk-b", scaling: { mode: "fixed", size: 1 } },
      constraint: {
        name: "team-label",
        kind: "K8sRequiredLabels",
        enforcementAction: "dryrun",
        enabled: true,
        parameters: { labels: [{ key: "team" }] },
        match: {
          kinds: [{ apiGroups: [""], kinds: ["Pod"] }],
          namespaces: [],
          excludedNamespaces: [],
          labelSelector: { matchLabels: {} },
        },
      },
      addon: {
        id: certManager.id,
        version: certManager.versions[0]!.version,
        values: defaultValuesYaml(certManager),
      },
      caCertPem: "",
      email: "fuzz@example.com",
      password: "correct-horse-battery-9",
      secret: "s3cret-value",
      yaml: CUSTOM_TEMPLATE,
      custom: [CUSTOM_TEMPLATE],
      parameters: "labels:\n  - key: team\n",
      values: defaultValuesYaml(certManager),
      target: "1.36.1",
      confirmName: "not-the-cluster-name",
      from: new Date(Date.now() - 3_600_000),
      to: new Date(),
      schedule: {
        enabled: true,
        timezone: "Europe/Moscow",
        events: [
          { action: "stop", days: ["Mon", "Tue"], at: "20:00" },
          { action: "start", days: ["Mon", "Tue"], at: "08:00" },
        ],
      },
      window: { day: "Tue", start: "03:00", durationHours: 4, timezone: "Europe/Moscow" },
      load: { profile: "ramp", base: 1, peak: 4, periodMinutes: 10 },
    };

    const procedures = appRouter._def.procedures as unknown as Record<
      string,
      { _def: { type: "query" | "mutation"; inputs: Schema[] } }
    >;
    const names = Object.keys(procedures).sort(
      (a, b) => (LAST.indexOf(a) + 1 || 0) - (LAST.indexOf(b) + 1 || 0),
    );
    expect(names.length).toBeGreaterThan(50);

    const failures: string[] = [];
    let calls = 0;
    let refused = 0;
    let baselinesOk = 0;
    let generation: number | null = null;
    const random = prng(19);
    for (const name of names) {
      const proc = procedures[name]!;
      const own = { ...hints, ...OVERRIDES[name] };
      const base = Object.assign({}, ...proc._def.inputs.map((s) => sample(s, own) as object)) as Record<
        string,
        unknown
      >;
      const places = proc._def.inputs.length > 0 ? placesOf(base) : [[]];
      const cases: Array<[Array<string | number>, string, () => unknown]> = [[[], "baseline", () => base]];
      // Every place gets what is most hostile for its type; every hostile value lands somewhere at
      // random; then random pairs.
      const byName = new Map(HOSTILE);
      for (const path of places) {
        const v = path.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], base);
        for (const label of TARGETED(v)) cases.push([path, label, byName.get(label)!]);
      }
      for (const [label, make] of HOSTILE)
        cases.push([places[Math.floor(random() * places.length)]!, label, make]);
      for (let i = 0; i < RANDOM_PER_PROCEDURE; i++) {
        const [label, make] = HOSTILE[Math.floor(random() * HOSTILE.length)]!;
        cases.push([places[Math.floor(random() * places.length)]!, label, make]);
      }
      // The callers: the project's owner, and anyone signed out for the public ones.
      const caller = name === "auth.signUp" ? callerFor(db, null) : u.caller;
      const [group, verb] = name.split(".") as [string, string];
      for (const [path, label, make] of cases) {
        const input = proc._def.inputs.length > 0 ? replaced(base, path, make()) : undefined;
        // Edits name the revision they saw: the current one, unless that is the place under test.
        if (input && typeof input === "object" && "generation" in input && path[0] !== "generation")
          (input as { generation: unknown }).generation = generation ??= (await u.caller.cluster.get(ref))
            .generation;
        const fn = (caller as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>)[
          group
        ]![verb]!;
        const t0 = performance.now();
        const err = await fn(input).then(
          () => null,
          (e: unknown) => e,
        );
        const ms = performance.now() - t0;
        calls++;
        const where = `${name} ${JSON.stringify(path)} = ${label}`;
        if (label === "baseline" && !err) baselinesOk++;
        // A mutation that went through may have moved the cluster to a new revision.
        if (!err && proc._def.type === "mutation") generation = null;
        if (err) {
          refused++;
          if (!(err instanceof TRPCError)) failures.push(`${where}: threw ${String(err)}`);
          else if (err.code === "INTERNAL_SERVER_ERROR")
            failures.push(`${where}: 500 (${err.cause ? String(err.cause).slice(0, 200) : err.message})`);
        }
        if (ms > SLOW_MS) failures.push(`${where}: took ${Math.round(ms)} ms`);
      }
    }
    console.log(
      `fuzz: ${names.length} procedures (${baselinesOk} valid baselines), ${calls} calls, ${refused} refused, ${failures.length} failures, ${Date.now() - started} ms`,
    );
    // The baselines reach the services (a generator that only made invalid input would test zod alone).
    expect(baselinesOk).toBeGreaterThanOrEqual(40);
    expect(failures).toEqual([]);
  }, 120_000);
});

describe("YAML alias bombs where users upload YAML", () => {
  it("addon values and a template upload are refused with the YAML's own message", async () => {
    const { u, ref } = await createAsNewUser(db, smallSpec("bombs"));
    const certManager = ADDONS.find((a) => a.id === "cert-manager")!;
    const generation = async () => (await u.caller.cluster.get(ref)).generation;
    const install = await u.caller.addon
      .install({
        ...ref,
        generation: await generation(),
        addon: { id: certManager.id, version: certManager.versions[0]!.version, values: ALIAS_BOMB },
      })
      .catch((e: unknown) => e);
    const upload = await u.caller.policy
      .addTemplate({ ...ref, generation: await generation(), yaml: ALIAS_BOMB })
      .catch((e: unknown) => e);
    for (const err of [install, upload]) {
      expect(err).toBeInstanceOf(TRPCError);
      expect((err as TRPCError).code).toBe("BAD_REQUEST");
      expect((err as TRPCError).message).toMatch(/too many aliases/);
    }
  });
});
