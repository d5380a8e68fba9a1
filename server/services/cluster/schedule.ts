import { eq } from "drizzle-orm";
import type { z } from "zod";
import { clusters } from "@/db/schema";
import { MaintenanceWindow, StopSchedule } from "@/server/contracts/schedule";
import { fieldErrorsFromIssues } from "@/server/contracts/field-errors";
import { recordAudit } from "../audit/record";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import { loadCluster, toView, type ClusterView } from "./shared";

type Args = { ctx: ServiceContext; project: ProjectAccess; clusterId: string };

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const fieldErrors = fieldErrorsFromIssues(r.error.issues);
    throw new ServiceError("VALIDATION", Object.values(fieldErrors)[0]?.[0] ?? "Invalid schedule", {
      fieldErrors,
    });
  }
  return r.data;
}

/** Set (or clear with null) the cluster's stop schedule; the worker executes it. Audited. */
export async function setStopSchedule(a: Args & { schedule: StopSchedule | null }): Promise<ClusterView> {
  const { ctx, project } = a;
  const schedule = a.schedule === null ? null : parse(StopSchedule, a.schedule);
  return ctx.db.transaction(async (tx) => {
    const row = await loadCluster(tx, project.id, a.clusterId, true);
    if (row.deletionRequestedAt)
      throw new ServiceError("PRECONDITION_FAILED", `Cluster ${row.name} is being deleted`);
    const now = new Date();
    const schedules = {
      ...row.schedules,
      stop: schedule ? { ...schedule, setBy: ctx.actor } : null,
      // Only events after this change are executed.
      lastStopEventAt: now.toISOString(),
    };
    await tx.update(clusters).set({ schedules, updatedAt: now }).where(eq(clusters.id, row.id));
    await recordAudit(tx, ctx, {
      action: "cluster.stopSchedule.update",
      outcome: "success",
      projectId: project.id,
      targetType: "cluster",
      targetId: row.id,
      targetLabel: row.name,
      details: schedule
        ? {
            enabled: schedule.enabled,
            timezone: schedule.timezone,
            events: schedule.events.map((e) => `${e.action} ${e.days.join(",")} ${e.at}`).join("; "),
          }
        : { cleared: true },
    });
    return toView({ ...row, schedules, updatedAt: now }, null);
  });
}

/** Set (or clear) the maintenance window that patch and end-of-life upgrades run in. Audited. */
export async function setMaintenanceWindow(
  a: Args & { window: MaintenanceWindow | null },
): Promise<ClusterView> {
  const { ctx, project } = a;
  const window = a.window === null ? null : parse(MaintenanceWindow, a.window);
  return ctx.db.transaction(async (tx) => {
    const row = await loadCluster(tx, project.id, a.clusterId, true);
    if (row.deletionRequestedAt)
      throw new ServiceError("PRECONDITION_FAILED", `Cluster ${row.name} is being deleted`);
    const now = new Date();
    const schedules = { ...row.schedules, maintenance: window ? { ...window, setBy: ctx.actor } : null };
    await tx.update(clusters).set({ schedules, updatedAt: now }).where(eq(clusters.id, row.id));
    await recordAudit(tx, ctx, {
      action: "cluster.maintenanceWindow.update",
      outcome: "success",
      projectId: project.id,
      targetType: "cluster",
      targetId: row.id,
      targetLabel: row.name,
      details: window
        ? {
            day: window.day,
            start: window.start,
            durationHours: window.durationHours,
            timezone: window.timezone,
          }
        : { cleared: true },
    });
    return toView({ ...row, schedules, updatedAt: now }, null);
  });
}
