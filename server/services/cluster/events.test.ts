import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { clusterEvents } from "@/db/schema";
import { makeUser } from "@/db/testing";
import { withTestDb } from "@/server/testing/suite";

let db: Db;
withTestDb((d) => (db = d));

const spec = {
  name: "ev",
  topology: "single" as const,
  masterCount: 1 as const,
  masterFlavor: "STD2-2-4",
  nodeGroups: [],
};

describe("cluster events: pages and filters", () => {
  it("pages newest first by cursor, filters by type, kind and text (LIKE wildcards are literal), per cluster", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    const c = await u.caller.cluster.create({ projectId, spec });
    const other = await u.caller.cluster.create({ projectId, spec: { ...spec, name: "other" } });
    await db.insert(clusterEvents).values(
      Array.from({ length: 250 }, (_, i) => ({
        clusterId: c.id,
        type: i % 10 === 0 ? ("Warning" as const) : ("Normal" as const),
        reason: i % 10 === 0 ? "NotReady" : "Ready",
        objectKind: i % 2 === 0 ? "Node" : "LoadBalancer",
        objectName: i === 7 ? "web_100%" : `obj-${i}`,
        message: `event ${i}`,
      })),
    );
    await db.insert(clusterEvents).values({
      clusterId: other.id,
      type: "Warning",
      reason: "Elsewhere",
      objectKind: "Node",
      objectName: "obj-1",
      message: "other cluster",
    });
    const ref = { projectId, clusterId: c.id };
    const mine = (await u.caller.cluster.events({ ...ref, limit: 500 })).filter(
      (e) => e.reason !== "Created",
    );

    // Pages of 100, newest first, no overlap, every event once.
    const p1 = await u.caller.cluster.events({ ...ref, limit: 100 });
    const p2 = await u.caller.cluster.events({ ...ref, limit: 100, cursor: p1.at(-1)!.id });
    expect(p1.map((e) => e.id)).toEqual([...p1.map((e) => e.id)].sort((a, b) => b - a));
    expect(p2[0]!.id).toBeLessThan(p1.at(-1)!.id);
    const all: number[] = [];
    let cursor: number | undefined;
    for (;;) {
      const page = await u.caller.cluster.events({ ...ref, limit: 100, cursor });
      all.push(...page.map((e) => e.id));
      if (page.length < 100) break;
      cursor = page.at(-1)!.id;
    }
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe((await u.caller.cluster.events({ ...ref, limit: 500 })).length);

    const warnings = await u.caller.cluster.events({ ...ref, limit: 500, type: "Warning" });
    expect(warnings.length).toBe(25);
    expect(warnings.every((e) => e.type === "Warning")).toBe(true);
    const lbs = await u.caller.cluster.events({ ...ref, limit: 500, objectKind: "LoadBalancer" });
    expect(lbs.length).toBe(125);
    const both = await u.caller.cluster.events({ ...ref, limit: 500, type: "Warning", objectKind: "Node" });
    expect(both.length).toBe(25);
    // Text search over name, reason and message; % and _ match only themselves.
    expect((await u.caller.cluster.events({ ...ref, search: "100%" })).map((e) => e.objectName)).toEqual([
      "web_100%",
    ]);
    expect(await u.caller.cluster.events({ ...ref, search: "%" })).toHaveLength(1);
    expect((await u.caller.cluster.events({ ...ref, search: "notready", limit: 500 })).length).toBe(25);
    expect(mine.some((e) => e.message === "other cluster")).toBe(false);
    expect(await u.caller.cluster.eventKinds(ref)).toEqual(expect.arrayContaining(["LoadBalancer", "Node"]));
    // Hostile input is refused with a reason, never reaches SQL.
    await expect(u.caller.cluster.events({ ...ref, objectKind: "Node' OR 1=1" })).rejects.toThrow(
      /An object kind is a word such as Node or LoadBalancer/,
    );
    // Another project's member sees nothing of it.
    const stranger = await makeUser(db);
    await expect(stranger.caller.cluster.events(ref)).rejects.toThrow();
  });
});
