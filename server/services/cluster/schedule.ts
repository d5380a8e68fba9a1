import { eq } from "drizzle-orm";
import { clusters, type ClusterSchedules } from "@/db/schema";
import type { ClusterRef, MaintenanceWindowInput, StopScheduleInput } from "@/server/contracts/cluster";
import { recordAudit } from "../audit/record";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import { loadCluster, toView, type ClusterView } from "./view";
import { projectPrices } from "../cloud/catalog";

type Args<I = ClusterRef> = { ctx: ServiceContext; project: ProjectAccess; input: I };

/**
 * Change the cluster's schedules (validated by the tRPC input schema) and
 * audit it, in one transaction. Schedules are not intent the reconciler
 * converges: the worker's minute job reads them, so no generation bump.
 */
async function updateSchedules(
  a: Args,
  action: string,
  patch: (now: Date) => Partial<ClusterSchedules>,
  details: Record<string, string | number | boolean | null>,
): Promise<ClusterView> {
  const { ctx, project } = a;
  return ctx.db.transaction(async (tx) => {
    const row = await loadCluster(tx, project.id, a.input.clusterId, true);
    if (row.deletionRequestedAt)
      throw new ServiceError("PRECONDITION_FAILED", `Cluster ${row.name} is being deleted`);
    const now = new Date();
    const schedules = { ...row.schedules, ...patch(now) };
    await tx.update(clusters).set({ schedules, updatedAt: now }).where(eq(clusters.id, row.id));
    await recordAudit(tx, ctx, {
      action,
      outcome: "success",
      projectId: project.id,
      targetType: "cluster",
      targetId: row.id,
      targetLabel: row.name,
      details,
    });
    return toView({ ...row, schedules, updatedAt: now }, null, await projectPrices(tx, row.projectId));
  });
}

/** Set (or clear with null) the cluster's stop schedule; the worker executes it. Audited. */
export function setStopSchedule(a: Args<StopScheduleInput>): Promise<ClusterView> {
  const s = a.input.schedule;
  return updateSchedules(
    a,
    "cluster.stopSchedule.update",
    // Only events after this change are executed.
    (now) => ({ stop: s ? { ...s, setBy: a.ctx.actor } : null, lastStopEventAt: now.toISOString() }),
    s
      ? {
          enabled: s.enabled,
          timezone: s.timezone,
          events: s.events.map((e) => `${e.action} ${e.days.join(",")} ${e.at}`).join("; "),
        }
      : { cleared: true },
  );
}

/** Set (or clear) the maintenance window that patch and end-of-life upgrades run in. Audited. */
export function setMaintenanceWindow(a: Args<MaintenanceWindowInput>): Promise<ClusterView> {
  const w = a.input.window;
  return updateSchedules(
    a,
    "cluster.maintenanceWindow.update",
    () => ({ maintenance: w ? { ...w, setBy: a.ctx.actor } : null }),
    w
      ? { day: w.day, start: w.start, durationHours: w.durationHours, timezone: w.timezone }
      : { cleared: true },
  );
}
