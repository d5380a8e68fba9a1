import type { Db } from "@/db/client";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import { startCluster, stopCluster } from "./power";
import { upgradeCluster } from "./upgrade";

interface ScheduledBy {
  clusterId: string;
  projectId: string;
  actor: { userId: string; email: string };
  requestId: string;
}

/** A service's refusal as its message (null: done); anything else is rethrown. */
async function refusalOf(run: () => Promise<unknown>): Promise<string | null> {
  try {
    await run();
    return null;
  } catch (err) {
    if (err instanceof ServiceError) return err.message;
    throw err;
  }
}

/**
 * The services the worker's schedules act through (the reconciler's
 * ScheduledActions port, wired in server/runtime/worker.ts): on behalf of the
 * user who set the schedule, with the project's owner rights.
 */
export function scheduledActions(db: Db, encryptionKey: string) {
  const scope = (a: ScheduledBy): { ctx: ServiceContext; project: ProjectAccess } => ({
    ctx: { db, actor: a.actor, requestId: a.requestId, clientIp: null, encryptionKey },
    project: { id: a.projectId, name: "", personal: false, role: "owner" },
  });
  const ref = (a: ScheduledBy) => ({ projectId: a.projectId, clusterId: a.clusterId });
  return {
    setPower: (a: ScheduledBy & { verb: "stop" | "start" }) =>
      refusalOf(() =>
        a.verb === "stop"
          ? stopCluster({ ...scope(a), input: ref(a), by: "schedule" })
          : startCluster({ ...scope(a), input: ref(a), by: "schedule" }),
      ),
    upgrade: (a: ScheduledBy & { generation: number; target: string; acknowledged: string[] }) =>
      refusalOf(() =>
        upgradeCluster({
          ...scope(a),
          input: { ...ref(a), generation: a.generation, target: a.target, acknowledged: a.acknowledged },
          by: "maintenance",
        }),
      ),
  };
}
