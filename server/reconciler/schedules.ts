import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { clusterEvents, clusters, type ClusterSchedules } from "@/db/schema";
import { currentWindow, lastPowerEvent, pendingMaintenance } from "@/server/domain/schedule";
import { transitionRefusal } from "@/server/domain/cluster-transitions";
import { readinessReport } from "@/server/domain/upgrade-readiness";

/** Who a scheduled action is taken for, and under which request id it is audited. */
export interface ScheduledBy {
  clusterId: string;
  projectId: string;
  /** The user who set the schedule. */
  actor: { userId: string; email: string };
  requestId: string;
}

/**
 * The one port from the schedules to the services: the same verbs as the
 * buttons (intent, operation, audit). Each resolves to null when done, or to
 * the service's refusal (its message); anything else throws. Implemented by
 * server/services/cluster/scheduled-actions.ts, wired in server/runtime/worker.ts.
 */
export interface ScheduledActions {
  setPower(a: ScheduledBy & { verb: "stop" | "start" }): Promise<string | null>;
  upgrade(
    a: ScheduledBy & { generation: number; target: string; acknowledged: string[] },
  ): Promise<string | null>;
}

/**
 * Once a minute: carry out stop schedules and maintenance windows. Each
 * stop/start event and each window instance is acted on once (the last one
 * handled is remembered on the cluster), so a repeated or late run does not
 * repeat it, and a user who starts a cluster by hand during a scheduled stop
 * is not overridden until the next event. Actions go through the same
 * services as the buttons (intent, operation, audit), on behalf of the user
 * who set the schedule.
 */
export async function runSchedules(db: Db, actions: ScheduledActions, now = new Date()): Promise<string[]> {
  const rows = await db
    .select()
    .from(clusters)
    .where(and(isNull(clusters.deletedAt), isNull(clusters.deletionRequestedAt)));
  const done: string[] = [];
  for (const row of rows) {
    const s = row.schedules;
    if (!s.stop?.enabled && !s.maintenance) continue;
    const by = (actor: { userId: string; email: string }): ScheduledBy => ({
      clusterId: row.id,
      projectId: row.projectId,
      actor,
      requestId: `schedule-${now.toISOString()}`,
    });
    const note = async (type: "Normal" | "Warning", reason: string, message: string) => {
      await db.insert(clusterEvents).values({
        clusterId: row.id,
        type,
        reason,
        objectKind: "Cluster",
        objectName: row.name,
        message,
      });
    };
    const remember = async (patch: Partial<ClusterSchedules>) => {
      const [fresh] = await db
        .select({ schedules: clusters.schedules })
        .from(clusters)
        .where(eq(clusters.id, row.id));
      await db
        .update(clusters)
        .set({ schedules: { ...(fresh?.schedules ?? s), ...patch } })
        .where(eq(clusters.id, row.id));
    };

    // ── stop schedule ────────────────────────────────────────────────────────
    if (s.stop?.enabled) {
      const ev = lastPowerEvent(s.stop, now);
      if (ev && (!s.lastStopEventAt || ev.at > new Date(s.lastStopEventAt))) {
        const verb = ev.action;
        const wanted = verb === "stop" ? "off" : "on";
        const refusal = row.power === wanted ? null : transitionRefusal(row, verb);
        try {
          if (row.power === wanted) {
            // Already where the schedule wants it.
          } else if (refusal) {
            await note(
              "Warning",
              "ScheduleSkipped",
              `Scheduled ${verb} at ${ev.at.toISOString()} skipped: ${refusal}`,
            );
          } else {
            const refused = await actions.setPower({ ...by(s.stop.setBy), verb });
            if (refused) {
              await note("Warning", "ScheduleSkipped", `Scheduled ${verb} failed: ${refused}`);
            } else {
              await note(
                "Normal",
                verb === "stop" ? "ScheduledStop" : "ScheduledStart",
                `Stop schedule: ${verb} (${s.stop.timezone})`,
              );
              done.push(`${row.name}: ${verb}`);
            }
          }
        } catch (err) {
          await note("Warning", "ScheduleSkipped", `Scheduled ${verb} failed: ${String(err)}`);
        }
        await remember({ lastStopEventAt: ev.at.toISOString() });
      }
    }

    // ── maintenance window ──────────────────────────────────────────────────
    if (s.maintenance) {
      const w = currentWindow(s.maintenance, now);
      if (w && (!s.lastWindowAt || w.start > new Date(s.lastWindowAt))) {
        const pending = pendingMaintenance(row.spec.version, now);
        if (pending) {
          const report = readinessReport({
            spec: row.spec,
            target: pending.target,
            workload: row.status.workload ?? null,
            quota: null,
            // No quota reading here ("quota-unknown" is not blocking for a window), so no flavor figures needed.
            flavors: [],
            now,
          });
          const blocking =
            report?.findings.filter((f) => f.severity === "blocking" && f.id !== "quota-unknown") ?? [];
          const refusal = transitionRefusal(row, "upgrade");
          if (refusal) {
            await note("Warning", "MaintenanceSkipped", `Upgrade to ${pending.target} skipped: ${refusal}`);
          } else if (blocking.length && !pending.forced) {
            await note(
              "Warning",
              "MaintenanceSkipped",
              `Patch upgrade to ${pending.target} needs a decision: ${blocking.map((f) => f.title).join("; ")}. Upgrade from the cluster page.`,
            );
          } else {
            try {
              const refused = await actions.upgrade({
                ...by(s.maintenance.setBy),
                generation: row.generation,
                target: pending.target,
                // End-of-life upgrades are forced: the version gets no security fixes any more.
                acknowledged: blocking.map((f) => f.id),
              });
              if (refused) throw new Error(refused);
              await note(
                "Normal",
                "MaintenanceUpgrade",
                `${pending.reason === "patch" ? "Patch upgrade" : "Forced upgrade off end-of-life"} to ${pending.target} in the maintenance window`,
              );
              done.push(`${row.name}: upgrade to ${pending.target}`);
            } catch (err) {
              await note(
                "Warning",
                "MaintenanceSkipped",
                `Upgrade to ${pending.target} failed to start: ${err instanceof Error ? err.message : String(err)}`,
              );
            }
          }
        }
        await remember({ lastWindowAt: w.start.toISOString() });
      }
    }
  }
  return done;
}
