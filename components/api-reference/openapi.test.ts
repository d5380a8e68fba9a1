import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/server/api/rest/openapi";
import {
  asOpenApiDoc,
  childrenOf,
  constraintsOf,
  curlExample,
  exampleOf,
  groupByTag,
  isCycle,
  listOperations,
  literalValues,
  requestSchema,
  resolveRef,
  shortPaths,
  splitCode,
  splitRole,
  typeLabel,
  type OpenApiDoc,
  type Schema,
} from "./openapi";

// The document the page renders: the one /api/v1/openapi.json serves, through JSON as the browser gets it.
const doc = asOpenApiDoc(JSON.parse(JSON.stringify(openApiDocument())));
const op = (id: string) => listOperations(doc).find((o) => o.id === id)!;

describe("the real document", () => {
  it("groups operations by tag in the declared order", () => {
    const groups = groupByTag(doc);
    expect(groups.map((g) => g.name)).toEqual([
      "Projects",
      "Clusters",
      "Node groups",
      "Addons",
      "Operations",
    ]);
    expect(groups.find((g) => g.name === "Clusters")!.operations.map((o) => o.id)).toContain("createCluster");
    expect(groups.flatMap((g) => g.operations)).toHaveLength(listOperations(doc).length);
  });

  it("resolves every $ref it holds", () => {
    const refs: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object")
        for (const [k, x] of Object.entries(v)) {
          if (k === "$ref") refs.push(x as string);
          else walk(x);
        }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((r) => !resolveRef(doc, r))).toEqual([]);
  });

  it("opens createCluster's body into spec, and spec into its fields and the network's variants", () => {
    const body = requestSchema(op("createCluster").op)!;
    const top = childrenOf(doc, body);
    expect(top.map((c) => [c.label, c.required])).toEqual([["spec", true]]);
    const spec = childrenOf(doc, top[0]!.schema);
    expect(spec.map((c) => c.label)).toEqual(
      expect.arrayContaining(["name", "nodeGroups", "network", "addons"]),
    );
    const network = spec.find((c) => c.label === "network")!;
    expect(childrenOf(doc, network.schema).map((c) => c.label)).toEqual([
      'mode = "new"',
      'mode = "existing"',
    ]);
    // An array of objects opens into the item's properties.
    const nodeGroups = spec.find((c) => c.label === "nodeGroups")!;
    expect(typeLabel(nodeGroups.schema).text).toBe("array of object");
    expect(childrenOf(doc, nodeGroups.schema).map((c) => c.label)).toEqual(
      expect.arrayContaining(["name", "flavor", "scaling"]),
    );
    // 1 | 3 | 5 reads as values, not as three variants.
    const masterCount = spec.find((c) => c.label === "masterCount")!;
    expect(literalValues(masterCount.schema)).toEqual([1, 3, 5]);
    expect(childrenOf(doc, masterCount.schema)).toEqual([]);
  });

  it("labels references, nullable references and open objects", () => {
    const accepted = doc.components!.schemas!.Accepted!;
    expect(typeLabel(accepted.properties!.cluster!)).toMatchObject({ text: "Cluster", ref: "Cluster" });
    expect(typeLabel(accepted.properties!.operation!)).toMatchObject({ ref: "Operation", nullable: true });
    const cluster = doc.components!.schemas!.Cluster!;
    expect(typeLabel(cluster.properties!.status!)).toMatchObject({ text: "object", open: true });
    expect(typeLabel(cluster.properties!.id!).text).toBe("string · uuid");
    // A format hides the regular expression that checks it.
    expect(constraintsOf(cluster.properties!.id!)).toEqual([]);
  });

  it("splits the role off the description", () => {
    expect(splitRole(op("createCluster").op.description)).toEqual({
      text: "Send `Idempotency-Key` so that a retried request never creates two clusters.",
      role: "Needs the member role or higher.",
    });
    expect(splitRole(op("listProjects").op.description)).toEqual({
      text: "",
      role: "Needs the viewer role or higher.",
    });
    expect(splitRole("No role here.")).toEqual({ text: "No role here.", role: null });
  });

  it("shortens the navigation's paths under the project and the cluster", () => {
    const short = shortPaths(listOperations(doc).map((o) => o.path));
    expect(short.get("/projects")).toBe("/projects");
    expect(short.get("/projects/{projectId}")).toBe("/projects/{projectId}");
    expect(short.get("/projects/{projectId}/clusters")).toBe("…/clusters");
    expect(short.get("/projects/{projectId}/clusters/{clusterId}")).toBe("…/clusters/{clusterId}");
    expect(short.get("/projects/{projectId}/clusters/{clusterId}/node-groups/{name}/scaling")).toBe(
      "…/node-groups/{name}/scaling",
    );
  });

  it("writes curl with the token, the Idempotency-Key and a body", () => {
    const curl = curlExample(doc, op("createCluster"), "http://localhost:3000/api/v1");
    expect(curl).toContain('curl -X POST "http://localhost:3000/api/v1/projects/$PROJECT_ID/clusters"');
    expect(curl).toContain('-H "Authorization: Bearer $TOKEN"');
    expect(curl).toContain('-H "Idempotency-Key: $(uuidgen)"');
    expect(curl).toContain(`"masterFlavor": "string"`);
    const del = curlExample(doc, op("deleteCluster"), "/api/v1");
    expect(del).toContain(
      'curl -X DELETE "/api/v1/projects/$PROJECT_ID/clusters/$CLUSTER_ID?confirmName=$CONFIRM_NAME"',
    );
    expect(del).not.toContain("If-Match");
    expect(curlExample(doc, op("updateCluster"), "/api/v1")).toContain('-H "If-Match: $IF_MATCH"');
    expect(curlExample(doc, op("listProjects"), "/api/v1")).toBe(
      'curl "/api/v1/projects" \\\n  -H "Authorization: Bearer $TOKEN"',
    );
  });

  it("gives every request body an example of the right shape", () => {
    // Placeholders ("string") need not match a pattern (a version, a name): everything else must hold.
    const withoutPatterns = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(withoutPatterns)
        : v && typeof v === "object"
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([k]) => k !== "pattern")
                .map(([k, x]) => [k, withoutPatterns(x)]),
            )
          : v;
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const o of listOperations(doc)) {
      const body = requestSchema(o.op);
      if (!body) continue;
      const validate = ajv.compile(withoutPatterns({ ...body, components: doc.components }) as object);
      validate(exampleOf(doc, body));
      expect([o.id, validate.errors ?? []]).toEqual([o.id, []]);
    }
  });
});

describe("cycles and depth", () => {
  const cyclic: OpenApiDoc = {
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    paths: {},
    components: {
      schemas: {
        Node: {
          type: "object",
          properties: { value: { type: "string" }, next: { $ref: "#/components/schemas/Node" } },
          required: ["value", "next"],
        },
      },
    },
  };
  const node: Schema = { $ref: "#/components/schemas/Node" };

  it("does not open a component inside itself", () => {
    const rows = childrenOf(cyclic, node);
    expect(rows.map((r) => r.label)).toEqual(["value", "next"]);
    const next = rows[1]!;
    expect(isCycle(next.schema, next.seen)).toBe(true);
    expect(childrenOf(cyclic, next.schema, next.seen)).toEqual([]);
  });

  it("stops an example at the cycle", () => {
    expect(exampleOf(cyclic, node)).toEqual({ value: "string", next: null });
  });
});

describe("splitCode", () => {
  it("marks the parts between backticks", () => {
    expect(splitCode("Send `If-Match` or `generation`.")).toEqual([
      { code: false, text: "Send " },
      { code: true, text: "If-Match" },
      { code: false, text: " or " },
      { code: true, text: "generation" },
      { code: false, text: "." },
    ]);
  });
});
