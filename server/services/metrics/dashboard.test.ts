import { expect, it } from "vitest";
import type { Db } from "@/db/client";
import { clusterEvents } from "@/db/schema";
import { makeUser } from "@/db/testing";
import { recordSamples } from "@/server/metrics/store";
import { withTestDb } from "@/server/testing/suite";
import { createAsNewUser, smallSpec } from "@/server/testing/specs";

let db: Db;
withTestDb((d) => (db = d));

it("a cluster's dashboard: panel series, event markers and node state timelines for the range", async () => {
  const { u, c } = await createAsNewUser(db, smallSpec("dash", 2));
  const t = (min: number) => new Date(Date.UTC(2026, 10, 21, 10, min));
  const ev = (min: number, name: string, reason: string, type: "Normal" | "Warning" = "Normal") => ({
    clusterId: c.id,
    at: t(min),
    type,
    reason,
    objectKind: "Node",
    objectName: name,
    message: reason,
  });
  await db
    .insert(clusterEvents)
    .values([
      ev(-30, "dash-web-0", "Installing"),
      ev(-25, "dash-web-0", "Ready"),
      ev(5, "dash-web-1", "Installing"),
      ev(8, "dash-web-1", "Ready"),
      ev(20, "dash-web-0", "NotReady", "Warning"),
      ev(40, "dash-web-0", "Terminated"),
    ]);
  await recordSamples(
    db,
    [0, 1, 2].flatMap((m) => [
      { clusterId: c.id, series: "nodes.Ready", at: t(m), value: 2 },
      { clusterId: c.id, series: "group.web.nodes_desired", at: t(m), value: 2 },
      { clusterId: c.id, series: "group.other.nodes_desired", at: t(m), value: 9 },
    ]),
  );
  const d = await u.caller.metrics.dashboard({
    projectId: u.personalProjectId,
    clusterId: c.id,
    from: t(0),
    to: t(60),
  });
  expect(d.stepS).toBe(60);
  expect(d.panels["node-lifecycle"].series["nodes.Ready"]!.map((p) => p[2])).toEqual([2, 2, 2]);
  // Only the spec's groups: a series of a group the cluster does not have is not read.
  expect(Object.keys(d.panels["autoscaler-groups"].series)).toEqual(["group.web.nodes_desired"]);
  expect(d.annotations.map((a) => a.reason)).toEqual(["Terminated", "NotReady"]);
  const byName = Object.fromEntries(
    d.nodes.map((n) => [n.name, n.segments.map((s) => [s.state, s.from, s.to])]),
  );
  expect(byName["dash-web-0"]).toEqual([
    ["Ready", t(0).getTime(), t(20).getTime()],
    ["NotReady", t(20).getTime(), t(40).getTime()],
    ["Terminated", t(40).getTime(), t(40).getTime()],
  ]);
  expect(byName["dash-web-1"]).toEqual([
    ["Installing", t(5).getTime(), t(8).getTime()],
    ["Ready", t(8).getTime(), t(60).getTime()],
  ]);
  // A range that ends before it starts is refused.
  await expect(
    u.caller.metrics.dashboard({ projectId: u.personalProjectId, clusterId: c.id, from: t(10), to: t(0) }),
  ).rejects.toThrow(/ends after it starts/);
});

it("the project overview has one series per cluster and only the project's clusters", async () => {
  const u = await makeUser(db);
  const other = await makeUser(db);
  const spec = (name: string) => ({
    name,
    topology: "single" as const,
    masterCount: 1 as const,
    masterFlavor: "STD2-2-4",
    nodeGroups: [
      {
        name: "web",
        flavor: "STD2-2-4",
        zone: "ru-msk-a" as const,
        scaling: { mode: "fixed" as const, size: 1 },
      },
    ],
  });
  const a = await u.caller.cluster.create({ projectId: u.personalProjectId, spec: spec("alpha") });
  const b = await u.caller.cluster.create({ projectId: u.personalProjectId, spec: spec("beta") });
  const x = await other.caller.cluster.create({ projectId: other.personalProjectId, spec: spec("alien") });
  const at = new Date(Date.UTC(2026, 10, 21, 10, 0));
  await recordSamples(db, [
    { clusterId: a.id, series: "nodes.Ready", at, value: 3 },
    { clusterId: b.id, series: "nodes.Ready", at, value: 5 },
    { clusterId: b.id, series: "pods.pending", at, value: 7 },
    { clusterId: x.id, series: "nodes.Ready", at, value: 9 },
  ]);
  const r = await u.caller.metrics.overview({
    projectId: u.personalProjectId,
    from: new Date(at.getTime() - 3_600_000),
    to: new Date(at.getTime() + 60_000),
  });
  expect(Object.keys(r.panels["overview-ready"].series).sort()).toEqual(["alpha", "beta"]);
  expect(r.panels["overview-ready"].series.beta!.map((p) => p[2])).toEqual([5]);
  expect(r.panels["overview-pending"].series).toEqual({ beta: [[expect.any(Number), 7, 7, 7]] });
  expect(r.clusters.map((c) => c.name)).toEqual(["alpha", "beta"]);
});
