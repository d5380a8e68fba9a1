import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { auditLog } from "@/db/schema";
import { makeUser } from "@/db/testing";
import { allNodes } from "@/server/emulator/kube/model";
import type { TestCloud } from "@/server/testing/cloud";
import { clusterRow, drive } from "@/server/testing/converge";
import { withTestCloud, withTestDb } from "@/server/testing/suite";

let db: Db;
let t: TestCloud;
withTestDb((d) => (db = d));
withTestCloud((c) => (t = c));

const kubeNode = (clusterId: string, name: string) =>
  (allNodes(t.emu.engine).get(clusterId) ?? []).find((n) => n.name === name);
const serverOf = (name: string) =>
  Object.values(t.emu.engine.state.servers).find((s) => s.name === name && s.taskState !== "deleting");

async function running() {
  const u = await makeUser(db);
  const c = await u.caller.cluster.create({
    projectId: u.personalProjectId,
    spec: {
      name: "na",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [
        { name: "web", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 2 } },
      ],
    },
  });
  await drive(db, t, c.id);
  await drive(db, t, c.id, {
    until: async () => {
      const row = await clusterRow(db, c.id);
      return row.phase === "Running" && row.status.nodes.every((n) => n.state === "Ready");
    },
  });
  return { u, c, ref: { projectId: u.personalProjectId, clusterId: c.id } };
}

const settle = (clusterId: string, node: string, id: string) =>
  drive(db, t, clusterId, {
    stepMs: 2_000,
    until: async () => {
      const s = (await clusterRow(db, clusterId)).status.nodeActions?.[node];
      return s?.id === id && s.state !== "running";
    },
  });

describe("per-node actions", () => {
  it("cordon, uncordon, drain and replace a worker through the reconciler; each audited and reported", async () => {
    const { u, c, ref } = await running();
    const cordon = await u.caller.nodeGroup.nodeAction({ ...ref, node: "na-web-0", action: "cordon" });
    // Intent only: nothing changed in the cluster yet.
    expect(kubeNode(c.id, "na-web-0")?.unschedulable).toBeFalsy();
    await settle(c.id, "na-web-0", cordon.id);
    expect(kubeNode(c.id, "na-web-0")?.unschedulable).toBe(true);
    expect((await clusterRow(db, c.id)).status.nodeActions?.["na-web-0"]).toMatchObject({
      action: "cordon",
      state: "done",
    });
    // A second pass changes nothing more.
    const again = await drive(db, t, c.id, { maxPasses: 1, until: () => true });
    expect(again).toBe(1);

    const uncordon = await u.caller.nodeGroup.nodeAction({ ...ref, node: "na-web-0", action: "uncordon" });
    await settle(c.id, "na-web-0", uncordon.id);
    expect(kubeNode(c.id, "na-web-0")?.unschedulable).toBe(false);

    const drain = await u.caller.nodeGroup.nodeAction({ ...ref, node: "na-web-1", action: "drain" });
    await settle(c.id, "na-web-1", drain.id);
    await t.emu.kube.sync();
    const before = t.emu.engine.state.kube[c.id]!.pods.length;
    expect(t.emu.engine.state.kube[c.id]!.pods.filter((p) => p.node === "na-web-1")).toEqual([]);
    expect(before).toBeGreaterThan(0);
    expect(kubeNode(c.id, "na-web-1")?.unschedulable).toBe(true);

    const old = serverOf("na-web-1")!.id;
    const replace = await u.caller.nodeGroup.nodeAction({ ...ref, node: "na-web-1", action: "replace" });
    await settle(c.id, "na-web-1", replace.id);
    expect(serverOf("na-web-1")!.id).not.toBe(old);
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: async () => (await clusterRow(db, c.id)).status.nodes.every((n) => n.state === "Ready"),
    });
    expect(kubeNode(c.id, "na-web-1")).toMatchObject({ ready: true, unschedulable: false });

    const events = await u.caller.cluster.events({ ...ref, limit: 200 });
    expect(
      events
        .filter((e) => e.reason.endsWith("ByUser"))
        .map((e) => `${e.reason} ${e.objectName}`)
        .sort(),
    ).toEqual([
      "CordonedByUser na-web-0",
      "DrainedByUser na-web-1",
      "ReplacedByUser na-web-1",
      "UncordonedByUser na-web-0",
    ]);
    const audits = await db
      .select({ action: auditLog.action, details: auditLog.details })
      .from(auditLog)
      .where(and(eq(auditLog.targetId, c.id)));
    expect(
      audits
        .filter((a) => a.action.startsWith("cluster.node."))
        .map((a) => a.action)
        .sort(),
    ).toEqual(["cluster.node.cordon", "cluster.node.drain", "cluster.node.replace", "cluster.node.uncordon"]);
  }, 200_000);

  it("refuses what cannot be done, with the reason, and stores nothing", async () => {
    const { u, c, ref } = await running();
    await expect(
      u.caller.nodeGroup.nodeAction({ ...ref, node: "na-master-0", action: "replace" }),
    ).rejects.toThrow(/na-master-0 is a master/);
    await expect(
      u.caller.nodeGroup.nodeAction({ ...ref, node: "na-web-9", action: "cordon" }),
    ).rejects.toThrow(/has no node na-web-9/);
    await expect(
      u.caller.nodeGroup.nodeAction({ ...ref, node: "Bad Name; rm", action: "cordon" }),
    ).rejects.toThrow(/Not a node name/);
    await u.caller.cluster.stop(ref);
    await drive(db, t, c.id, { stepMs: 2_000 });
    await expect(
      u.caller.nodeGroup.nodeAction({ ...ref, node: "na-web-0", action: "cordon" }),
    ).rejects.toThrow(/is stopped; start it first/);
    expect((await clusterRow(db, c.id)).nodeRequests).toEqual({});
  }, 200_000);
});
