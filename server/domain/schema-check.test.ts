import { describe, expect, it } from "vitest";
import type { PoliciesSpec } from "@/server/contracts/policies";
import { CUSTOM_TEMPLATE } from "@/server/testing/policies";
import { checkPolicies, parseTemplateYaml, templatesOf } from "./policies";
import { checkValue, checkYaml, compileSchema, schemaError, SCHEMA_LIMITS } from "./schema-check";

/** A custom template of `kind` whose parameters schema is `schema` (YAML, indented for openAPIV3Schema). */
function template(kind: string, schemaYaml: string): string {
  const indented = schemaYaml
    .trim()
    .split("\n")
    .map((l) => `          ${l}`)
    .join("\n");
  return CUSTOM_TEMPLATE.replaceAll("K8sRequiredAnnotations", kind)
    .replaceAll("k8srequiredannotations", kind.toLowerCase())
    .replace(/ {8}openAPIV3Schema:\n(?: {10}.*\n)+/, `        openAPIV3Schema:\n${indented}\n`);
}

function policies(templates: string[], constraints: Array<[string, Record<string, unknown>]>): PoliciesSpec {
  return {
    gatekeeper: true,
    templates,
    constraints: constraints.map(([kind, parameters], i) => ({
      name: `c${i}`,
      kind,
      enforcementAction: "deny",
      enabled: true,
      parameters,
      match: {
        kinds: [{ apiGroups: [""], kinds: ["Pod"] }],
        namespaces: [],
        excludedNamespaces: [],
        labelSelector: { matchLabels: {} },
      },
    })),
  };
}

const EVIL = "a".repeat(28) + "!";
const EVIL_SCHEMA = `
type: object
properties:
  name:
    type: string
    pattern: "^(a+)+$"
`;

describe("user schemas: patterns run in linear time", () => {
  it("the catastrophic-backtracking pattern answers at once, through the cluster's policy checks", () => {
    const p = policies([template("K8sEvil", EVIL_SCHEMA)], [["K8sEvil", { name: EVIL }]]);
    const t0 = performance.now();
    const issues = checkPolicies(p, "1.31.0");
    const ms = performance.now() - t0;
    // JavaScript's RegExp takes tens of seconds here (2^28 ways to split the a's).
    expect(ms).toBeLessThan(1_000);
    expect(issues).toEqual([
      {
        path: ["constraints", 0, "parameters"],
        message: "c0: parameters.name has an invalid format (must match ^(a+)+$)",
      },
    ]);
    // And the pattern still means what it says.
    expect(checkPolicies(policies(p.templates, [["K8sEvil", { name: "aaaa" }]]), "1.31.0")).toEqual([]);
    const t1 = performance.now();
    expect(
      checkYaml(`name: "${"a".repeat(5_000)}!"`, templatesOf(p).get("K8sEvil")!.parameters).issues,
    ).toHaveLength(1);
    expect(performance.now() - t1).toBeLessThan(1_000);
  });

  it("patterns compile with RE2, not RegExp: what only a backtracking engine can do is refused", () => {
    // RegExp accepts both; RE2 has no backreferences and no lookaround.
    expect(() => new RegExp("^(a)\\1$")).not.toThrow();
    expect(schemaError({ type: "string", pattern: "^(a)\\1$" })).toMatch(
      /pattern "\^\(a\)\\\\1\$" is not supported .*backreferences/,
    );
    expect(schemaError({ type: "string", pattern: "^(?=a)a$" })).toMatch(/is not supported/);
    expect(schemaError({ type: "object", patternProperties: { "^(?!x)": { type: "string" } } })).toMatch(
      /is not supported/,
    );
    const r = parseTemplateYaml(template("K8sBackref", 'type: string\npattern: "(a)\\\\1"'));
    expect(r.template).toBeNull();
    expect(r.issues[0]!.message).toMatch(
      /openAPIV3Schema: is not a valid schema: pattern .* is not supported/,
    );
    // What JSON Schema patterns usually use still works.
    const v = compileSchema({ type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\.\\d{1,3}$" });
    expect([v("web-1.42"), v("-web.1"), v("web.1234")]).toEqual([true, false, false]);
  });
});

describe("user schemas: a validator per template", () => {
  it("two tenants' templates with the same $id each validate against their own schema", () => {
    const id = "https://example.com/params.json";
    const a = template("K8sTenantA", `$id: "${id}"\ntype: object\nproperties:\n  n:\n    type: integer`);
    const b = template("K8sTenantB", `$id: "${id}"\ntype: object\nproperties:\n  n:\n    type: string`);
    expect(parseTemplateYaml(a).issues).toEqual([]);
    expect(parseTemplateYaml(b).issues).toEqual([]);
    const p = policies(
      [a, b],
      [
        ["K8sTenantA", { n: 1 }],
        ["K8sTenantB", { n: "one" }],
        ["K8sTenantA", { n: "one" }],
        ["K8sTenantB", { n: 1 }],
      ],
    );
    expect(checkPolicies(p, "1.31.0").map((i) => i.message)).toEqual([
      "c2: parameters.n must be integer",
      "c3: parameters.n must be string",
    ]);
    // Another tenant's process-wide history does not matter either: checked alone, each still compiles.
    expect(checkPolicies(policies([b], [["K8sTenantB", { n: "x" }]]), "1.31.0")).toEqual([]);
  });
});

describe("user schemas and values: size and depth caps", () => {
  const deep = (levels: number): Record<string, unknown> => {
    let s: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < levels; i++) s = { type: "object", properties: { x: s } };
    return s;
  };

  it("refuses a schema that is too deep or too large, with the reason", () => {
    expect(schemaError(deep(10))).toBeNull();
    expect(schemaError(deep(40))).toBe(
      `the schema is nested too deeply (at most ${SCHEMA_LIMITS.schemaDepth} levels)`,
    );
    const wide = {
      type: "object",
      properties: Object.fromEntries(
        Array.from({ length: 3_000 }, (_, i) => [
          `field${i}`,
          { type: "string", description: "x".repeat(20) },
        ]),
      ),
    };
    expect(schemaError(wide)).toBe(
      `the schema is too large (at most ${SCHEMA_LIMITS.schemaBytes / 1024} KB)`,
    );
    // A template carrying one is refused at upload with the field named.
    const lines = ["type: object", "properties:"];
    for (let i = 0; i < 1_500; i++) lines.push(`  f${i}: {type: string, description: ${"x".repeat(30)}}`);
    const r = parseTemplateYaml(template("K8sHuge", lines.join("\n")));
    expect(r.template).toBeNull();
    expect(r.issues[0]!.message).toMatch(
      /^spec\.crd\.spec\.validation\.openAPIV3Schema: is not a valid schema: the schema is too large/,
    );
  });

  it("refuses a value that is too deep or too large instead of validating it", () => {
    let v: unknown = "leaf";
    for (let i = 0; i < 100; i++) v = { x: v };
    expect(checkValue(v, { type: "object" }, "parameters")).toEqual([
      {
        line: null,
        path: "parameters",
        message: `parameters is nested too deeply (at most ${SCHEMA_LIMITS.valueDepth} levels)`,
      },
    ]);
    const big = { xs: Array.from({ length: 40_000 }, () => "0123456789") };
    expect(checkValue(big, { type: "object" }, "parameters")[0]!.message).toBe(
      `parameters is too large (at most ${SCHEMA_LIMITS.valueBytes / 1024} KB)`,
    );
  });

  it("YAML: an alias bomb, a self-referencing alias and an oversize text are issues, not crashes", () => {
    const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [n, p] of [
      ["b", "a"],
      ["c", "b"],
      ["d", "c"],
      ["e", "d"],
      ["f", "e"],
      ["g", "f"],
    ])
      rows.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(",")}]`);
    const bomb = rows.join("\n");
    expect(checkYaml(bomb, { type: "object" }).issues).toEqual([
      {
        line: null,
        path: "",
        message: `The YAML expands too many aliases (*references to &anchors; at most ${SCHEMA_LIMITS.yamlAliases})`,
      },
    ]);
    expect(parseTemplateYaml(bomb).issues[0]!.message).toMatch(/too many aliases/);
    expect(checkYaml("a: &x [*x]", { type: "object" }).issues[0]!.message).toMatch(/nested too deeply/);
    expect(checkYaml(`a: "${"x".repeat(SCHEMA_LIMITS.yamlBytes)}"`, {}).issues[0]!.message).toBe(
      `The YAML is too large (at most ${SCHEMA_LIMITS.yamlBytes / 1024} KB)`,
    );
    // Thousands of syntax errors come back as a few distinct ones.
    expect(checkYaml("[".repeat(20_000), {}).issues.length).toBeLessThanOrEqual(10);
  });
});
