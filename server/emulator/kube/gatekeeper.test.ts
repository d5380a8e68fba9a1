import { describe, expect, it } from "vitest";
import { invalidParameters } from "./gatekeeper";
import type { StoredObject } from "./types";

const templateWith = (name: string, schema: object): StoredObject => ({
  apiVersion: "templates.gatekeeper.sh/v1",
  kind: "ConstraintTemplate",
  metadata: {
    name,
    uid: `uid-${name}`,
    resourceVersion: "1",
    generation: 1,
    creationTimestamp: "2025-01-01T00:00:00Z",
  },
  spec: { crd: { spec: { validation: { openAPIV3Schema: schema } } } },
});

/** The emulated API server checks constraints against templates users wrote: it must not stall or mix them up. */
describe("emulated Gatekeeper: constraint parameters", () => {
  it("a catastrophic-backtracking pattern answers at once (RE2)", () => {
    const t = templateWith("k8sevil", {
      type: "object",
      properties: { name: { type: "string", pattern: "^(a+)+$" } },
    });
    const t0 = performance.now();
    expect(invalidParameters(t, { name: "a".repeat(28) + "!" })).toBe(
      'spec.parameters.name: must match pattern "^(a+)+$"',
    );
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(invalidParameters(t, { name: "aaa" })).toBeNull();
  });

  it("two templates with the same $id keep their own schemas", () => {
    const id = "https://example.com/p.json";
    const a = templateWith("a", { $id: id, type: "object", properties: { n: { type: "integer" } } });
    const b = templateWith("b", { $id: id, type: "object", properties: { n: { type: "string" } } });
    expect(invalidParameters(a, { n: 1 })).toBeNull();
    expect(invalidParameters(b, { n: "x" })).toBeNull();
    expect(invalidParameters(b, { n: 1 })).toBe("spec.parameters.n: must be string");
  });
});
