import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderApiTypes } from "@/scripts/render-api-types";
import { diffLines, mergeKubeconfig, overlay } from "./kc";

describe("kc", () => {
  it("its HTTP types are what openapi-typescript makes of today's OpenAPI document (run npm run api:types)", async () => {
    expect(readFileSync("cli/api-types.ts", "utf8")).toBe(await renderApiTypes());
  });

  it("lays a file over the current spec: omitted keys keep their values, node groups match by name, removed ones go", () => {
    const current = {
      name: "a",
      version: "1.36.1",
      etcd: { volumeGb: 10, volumeType: "high-iops" },
      nodeGroups: [
        { name: "web", size: 1, diskType: "ssd" },
        { name: "batch", size: 2, diskType: "hdd" },
      ],
    };
    const file = {
      name: "a",
      etcd: { volumeGb: 20 },
      nodeGroups: [
        { name: "web", size: 3 },
        { name: "new", size: 1 },
      ],
    };
    expect(overlay(current, file)).toEqual({
      name: "a",
      version: "1.36.1",
      etcd: { volumeGb: 20, volumeType: "high-iops" },
      nodeGroups: [
        { name: "web", size: 3, diskType: "ssd" },
        { name: "new", size: 1 },
      ],
    });
    expect(overlay(current, { name: "a" })).toEqual(current);
  });

  it("shows only what changed, with context", () => {
    const a = ["a: 1", "b: 2", "c: 3", "d: 4", "e: 5", "f: 6", "g: 7"].join("\n");
    const b = a.replace("f: 6", "f: 60");
    expect(diffLines(a, b)).toBe(["  …", "  d: 4", "  e: 5", "- f: 6", "+ f: 60", "  g: 7"].join("\n"));
    expect(diffLines(a, a)).toBe("");
  });

  it("merges a kubeconfig the way kubectl config does: same names replaced, others kept", () => {
    const base = {
      clusters: [{ name: "old" }, { name: "x", server: "https://1" }],
      users: [{ name: "u-old" }],
      contexts: [{ name: "old" }],
      "current-context": "old",
      preferences: {},
    };
    const add = {
      clusters: [{ name: "x", server: "https://2" }],
      users: [{ name: "u" }],
      contexts: [{ name: "x" }],
      "current-context": "x",
    };
    const m = mergeKubeconfig(base, add, false);
    expect(m.clusters).toEqual([{ name: "old" }, { name: "x", server: "https://2" }]);
    expect(m["current-context"]).toBe("old");
    expect(m.preferences).toEqual({});
    expect(mergeKubeconfig(base, add, true)["current-context"]).toBe("x");
    expect(mergeKubeconfig({}, add, false)).toMatchObject({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "x",
    });
  });
});
