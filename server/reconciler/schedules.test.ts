import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { auditLog, clusterEvents, clusters, operations } from "@/db/schema";
import { makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import { clusterRow } from "@/server/testing/converge";
import { nextPowerEvent } from "@/server/domain/schedule";
import { scheduledActions } from "@/server/services/cluster/scheduled-actions";
import { runSchedules } from "./schedules";
import { withTestDb } from "@/server/testing/suite";

let db: Db;
withTestDb((d) => (db = d));

const weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"] as const;

async function runningCluster(name: string, version = "1.36.1") {
  const u = await makeUser(db);
  const c = await u.caller.cluster.create({
    projectId: u.personalProjectId,
    spec: { name, version, topology: "single", masterCount: 1, masterFlavor: "STD2-2-4", nodeGroups: [] },
  });
  // As if the reconciler had finished.
  await db.update(clusters).set({ phase: "Running", observedGeneration: 1 }).where(eq(clusters.id, c.id));
  await db.update(operations).set({ status: "succeeded" }).where(eq(operations.clusterId, c.id));
  return { u, c, ref: { projectId: u.personalProjectId, clusterId: c.id } };
}

describe("stop schedules and maintenance windows (worker)", () => {
  it("stops at the scheduled time once, on behalf of who set it, with the projected saving shown", async () => {
    const { u, c, ref } = await runningCluster("sched");
    const view = await u.caller.cluster.setStopSchedule({
      ...ref,
      schedule: {
        enabled: true,
        timezone: "Europe/Moscow",
        events: [
          { action: "stop", days: [...weekdays], at: "20:00" },
          { action: "start", days: [...weekdays], at: "08:00" },
        ],
      },
    });
    expect(view.schedules.stop?.offHoursPerWeek).toBe(108);
    expect(view.schedules.stop?.projectedSavingPerMonth).toBeGreaterThan(0);
    expect(view.schedules.stop?.next).not.toBeNull();

    // Events before the schedule was saved are not replayed.
    expect(await runSchedules(db, scheduledActions(db, TEST_ENCRYPTION_KEY), new Date())).toEqual([]);
    // The next scheduled stop (after any start that comes first) fires, once.
    let ev = view.schedules.stop!.next!;
    while (ev.action !== "stop") ev = nextPowerEvent(view.schedules.stop!, ev.at)!;
    const later = new Date(ev.at.getTime() + 60_000);
    expect(await runSchedules(db, scheduledActions(db, TEST_ENCRYPTION_KEY), later)).toEqual(["sched: stop"]);
    expect((await clusterRow(db, c.id)).power).toBe("off");
    expect((await clusterRow(db, c.id)).phase).toBe("Stopping");
    expect(
      await runSchedules(db, scheduledActions(db, TEST_ENCRYPTION_KEY), new Date(later.getTime() + 60_000)),
    ).toEqual([]);
    const audit = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "cluster.stop"), eq(auditLog.targetId, c.id)));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorEmail).toBe(u.email);
    expect(audit[0]!.details).toMatchObject({ by: "schedule" });
  });

  it("skips an event the cluster cannot follow, with a reason in its events", async () => {
    const { u, c, ref } = await runningCluster("busy");
    await u.caller.cluster.setStopSchedule({
      ...ref,
      schedule: {
        enabled: true,
        timezone: "UTC",
        events: [
          { action: "stop", days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], at: "00:00" },
          { action: "start", days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], at: "12:00" },
        ],
      },
    });
    await db.update(clusters).set({ phase: "Upgrading" }).where(eq(clusters.id, c.id));
    const tomorrow = new Date(Date.now() + 86_400_000);
    tomorrow.setUTCHours(0, 1, 0, 0);
    await runSchedules(db, scheduledActions(db, TEST_ENCRYPTION_KEY), tomorrow);
    const ev = await db.select().from(clusterEvents).where(eq(clusterEvents.clusterId, c.id));
    expect(ev.map((e) => `${e.reason}: ${e.message}`).join("\n")).toMatch(/ScheduleSkipped: .*is upgrading/);
    expect((await clusterRow(db, c.id)).power).toBe("on");
  });

  it("runs a patch upgrade in the maintenance window and announces it beforehand", async () => {
    const { u, c, ref } = await runningCluster("maint", "1.35.1");
    const view = await u.caller.cluster.setMaintenanceWindow({
      ...ref,
      window: { day: "Tue", start: "03:00", durationHours: 4, timezone: "Europe/Moscow" },
    });
    expect(view.schedules.maintenance?.pending).toEqual({ target: "1.35.3", reason: "patch", forced: false });
    const start = view.schedules.maintenance!.next.start;
    // Before the window: nothing.
    await runSchedules(
      db,
      scheduledActions(db, TEST_ENCRYPTION_KEY),
      new Date(new Date(start).getTime() - 60_000),
    );
    expect((await clusterRow(db, c.id)).spec.version).toBe("1.35.1");
    // In the window, with a fresh workload snapshot and no blocking findings: the upgrade starts.
    await db
      .update(clusters)
      .set({
        status: {
          ...(await clusterRow(db, c.id)).status,
          workload: { at: new Date(start).toISOString(), pdbs: [], deprecatedApis: [] },
        },
      })
      .where(eq(clusters.id, c.id));
    const done = await runSchedules(
      db,
      scheduledActions(db, TEST_ENCRYPTION_KEY),
      new Date(new Date(start).getTime() + 60_000),
    );
    expect(done).toEqual(["maint: upgrade to 1.35.3"]);
    const row = await clusterRow(db, c.id);
    expect(row.spec.version).toBe("1.35.3");
    expect(row.phase).toBe("Upgrading");
  });

  it("refuses an invalid schedule with the field named, and changes nothing", async () => {
    const { u, c, ref } = await runningCluster("bad");
    await expect(
      u.caller.cluster.setStopSchedule({
        ...ref,
        schedule: {
          enabled: true,
          timezone: "Nowhere/City",
          events: [{ action: "stop", days: ["Mon"], at: "20:00" }],
        },
      }),
    ).rejects.toThrow();
    expect((await clusterRow(db, c.id)).schedules.stop ?? null).toBeNull();
  });
});
