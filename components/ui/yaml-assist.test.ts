import { describe, expect, it } from "vitest";
import { contextAt, describeKey, keyAt, schemaAt, suggestions, type JsonSchema } from "./yaml-assist";

/** The text with "|" marking the cursor, as [text, offset]. */
function at(marked: string): [string, number] {
  const pos = marked.indexOf("|");
  return [marked.slice(0, pos) + marked.slice(pos + 1), pos];
}

const schema: JsonSchema = {
  type: "object",
  required: ["controller"],
  properties: {
    controller: {
      type: "object",
      required: ["replicaCount"],
      properties: {
        replicaCount: { type: "integer", minimum: 1, maximum: 10, description: "Pods of the controller" },
        proxyProtocol: { type: "boolean" },
        service: {
          type: "object",
          properties: {
            public: { type: "boolean", description: "Give the load balancer a floating IP" },
            nodePorts: {
              type: "object",
              properties: { http: { type: "integer" }, https: { type: "integer" } },
            },
          },
        },
        extraArgs: { type: "array", items: { type: "string" } },
      },
    },
    rules: {
      type: "array",
      items: { $ref: "#/$defs/rule" },
    },
    mode: { type: "string", enum: ["strict", "lenient"], default: "strict" },
  },
  $defs: {
    rule: {
      type: "object",
      required: ["name"],
      properties: { name: { type: "string" }, port: { type: "integer" }, protocol: { enum: ["TCP", "UDP"] } },
    },
  },
};

describe("contextAt: where the cursor is in the key tree", () => {
  it("a key at the root, and the keys already there", () => {
    const [text, pos] = at("mode: strict\nco|\n");
    expect(contextAt(text, pos)).toMatchObject({ kind: "key", path: [], prefix: "co", siblings: ["mode"] });
  });

  it("a nested key under two parents, siblings above and below", () => {
    const [text, pos] = at(
      "controller:\n  replicaCount: 2\n  service:\n    public: true\n    |\n    nodePorts:\n      http: 1\n",
    );
    expect(contextAt(text, pos)).toMatchObject({
      kind: "key",
      path: ["controller", "service"],
      prefix: "",
      column: 4,
      siblings: ["public", "nodePorts"],
    });
  });

  it("a value after its key", () => {
    const [text, pos] = at("controller:\n  proxyProtocol: tr|\n");
    expect(contextAt(text, pos)).toMatchObject({
      kind: "value",
      path: ["controller", "proxyProtocol"],
      prefix: "tr",
    });
  });

  it("array items: the first key of an item, a later key, and an item under a key at the same column", () => {
    const [first, p1] = at("rules:\n  - na|\n");
    expect(contextAt(first, p1)).toMatchObject({ kind: "key", path: ["rules", "*"], prefix: "na" });
    const [later, p2] = at("rules:\n  - name: a\n    port: 80\n    |\n");
    expect(contextAt(later, p2)).toMatchObject({
      kind: "key",
      path: ["rules", "*"],
      siblings: ["port", "name"],
    });
    const [flush, p3] = at("rules:\n- name: a\n  |\n");
    expect(contextAt(flush, p3)).toMatchObject({ kind: "key", path: ["rules", "*"], siblings: ["name"] });
    const [second, p4] = at("rules:\n  - name: a\n  - name: b\n    protocol: |\n");
    expect(contextAt(second, p4)).toMatchObject({ kind: "value", path: ["rules", "*", "protocol"] });
  });

  it("blank lines and comments do not break the path; a comment gets no help", () => {
    const [text, pos] = at("controller:\n\n  # the service\n  service:\n\n    |");
    expect(contextAt(text, pos)).toMatchObject({ kind: "key", path: ["controller", "service"] });
    const [c, pc] = at("controller: # some|");
    expect(contextAt(c, pc)).toBeNull();
  });

  it("a key with a value on its line is not a parent", () => {
    const [text, pos] = at("mode: strict\n  |");
    expect(contextAt(text, pos)).toMatchObject({ path: [] });
  });
});

describe("schemaAt", () => {
  it("follows properties, items and $ref", () => {
    expect(schemaAt(schema, ["controller", "replicaCount"])).toMatchObject({ type: "integer" });
    expect(schemaAt(schema, ["rules", "*", "protocol"])).toMatchObject({ enum: ["TCP", "UDP"] });
    expect(schemaAt(schema, ["controller", "nope"])).toBeNull();
  });

  it("additionalProperties, allOf and anyOf", () => {
    const s: JsonSchema = {
      type: "object",
      properties: {
        labels: { type: "object", additionalProperties: { type: "string", description: "a label" } },
        both: {
          allOf: [{ properties: { a: { type: "string" } } }, { properties: { b: { type: "integer" } } }],
        },
        either: { anyOf: [{ type: "string" }, { type: "object", properties: { c: { type: "boolean" } } }] },
      },
    };
    expect(schemaAt(s, ["labels", "team"])).toMatchObject({ description: "a label" });
    expect(schemaAt(s, ["both", "b"])).toMatchObject({ type: "integer" });
    expect(schemaAt(s, ["either", "c"])).toMatchObject({ type: "boolean" });
  });

  it("a hostile pattern in patternProperties is never run, and a bad one never throws", () => {
    const s: JsonSchema = {
      type: "object",
      patternProperties: { "(": { type: "string" }, ["a".repeat(300)]: { type: "string" } },
    };
    expect(schemaAt(s, ["x"])).toBeNull();
  });

  it("a $ref loop ends", () => {
    const s: JsonSchema = { $ref: "#/$defs/a", $defs: { a: { $ref: "#/$defs/a" } } };
    expect(() => schemaAt(s, ["x"])).not.toThrow();
  });
});

describe("suggestions", () => {
  it("keys not yet present, required first, with nested indentation for objects and arrays", () => {
    const [text, pos] = at("controller:\n  proxyProtocol: true\n  |\n");
    const ctx = contextAt(text, pos)!;
    const s = suggestions(schema, ctx);
    expect(s.map((x) => x.label)).toEqual(["replicaCount", "extraArgs", "service"]);
    expect(s[0]).toMatchObject({
      insert: "replicaCount: ",
      detail: "integer 1–10 · required",
      info: "Pods of the controller",
    });
    expect(s.find((x) => x.label === "service")?.insert).toBe("service:\n    ");
    expect(s.find((x) => x.label === "extraArgs")?.insert).toBe("extraArgs:\n    - ");
  });

  it("values: an enum's members, booleans, a default", () => {
    const [e, pe] = at("rules:\n  - protocol: |");
    expect(suggestions(schema, contextAt(e, pe)!).map((x) => x.label)).toEqual(["TCP", "UDP"]);
    const [b, pb] = at("controller:\n  proxyProtocol: |");
    expect(suggestions(schema, contextAt(b, pb)!).map((x) => x.label)).toEqual(["true", "false"]);
    const [m, pm] = at("mode: |");
    expect(suggestions(schema, contextAt(m, pm)!)).toEqual([
      { label: "strict", insert: "strict", detail: "default" },
      { label: "lenient", insert: "lenient", detail: 'one of: "strict", "lenient"' },
    ]);
  });

  it("nothing where the schema says nothing", () => {
    const [text, pos] = at("unknown:\n  |");
    expect(suggestions(schema, contextAt(text, pos)!)).toEqual([]);
  });
});

describe("keyAt and describeKey: hover", () => {
  it("the key under the pointer, with its path and help", () => {
    const text = "controller:\n  service:\n    public: true\n";
    const pos = text.indexOf("public") + 2;
    const k = keyAt(text, pos)!;
    expect(k).toMatchObject({ path: ["controller", "service", "public"], from: text.indexOf("public") });
    expect(describeKey(k.path, schemaAt(schema, k.path)!)).toBe(
      "controller.service.public: boolean\nGive the load balancer a floating IP",
    );
    expect(keyAt(text, text.indexOf("true") + 1)).toBeNull();
  });
});

describe("anyOf/oneOf objects (the cluster spec's scaling)", () => {
  const spec: JsonSchema = {
    type: "object",
    properties: {
      scaling: {
        oneOf: [
          {
            type: "object",
            properties: { mode: { type: "string", const: "fixed" }, size: { type: "integer" } },
            required: ["mode", "size"],
          },
          {
            type: "object",
            properties: { mode: { type: "string", const: "autoscale" }, min: { type: "integer" } },
            required: ["mode"],
          },
        ],
      },
    },
  };

  it("offers every branch's keys, required only where all branches require them", () => {
    const [text, pos] = at("scaling:\n  |");
    const s = suggestions(spec, contextAt(text, pos)!);
    expect(s.map((x) => [x.label, x.required])).toEqual([
      ["mode", true],
      ["min", false],
      ["size", false],
    ]);
  });

  it("offers each branch's constant as a value", () => {
    const [text, pos] = at("scaling:\n  mode: |");
    expect(suggestions(spec, contextAt(text, pos)!).map((x) => x.label)).toEqual(["fixed", "autoscale"]);
  });
});
