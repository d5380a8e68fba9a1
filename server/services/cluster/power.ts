import type { ClusterRef } from "@/server/contracts/cluster";
import { transitionRefusal } from "@/server/domain/cluster-transitions";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import { commitChange } from "./intent";
import { loadCluster, stopSavingOf } from "./view";
import { projectPrices } from "../cloud/catalog";

type Args = { ctx: ServiceContext; project: ProjectAccess; input: ClusterRef };

async function setPower(
  a: Args,
  power: "on" | "off",
  verb: "stop" | "start",
  actor: "user" | "schedule" = "user",
) {
  const { ctx, project } = a;
  return ctx.db.transaction(async (tx) => {
    const row = await loadCluster(tx, project.id, a.input.clusterId, true);
    const refusal = transitionRefusal(row, verb);
    if (refusal) throw new ServiceError("PRECONDITION_FAILED", refusal);
    const saving = stopSavingOf({ row, list: await projectPrices(tx, project.id) });
    return commitChange(tx, ctx, row, {
      kind: verb,
      action: `cluster.${verb}`,
      set: { power, phase: verb === "stop" ? "Stopping" : "Starting" },
      details: { monthlySaving: saving.perMonth, currency: saving.currency, by: actor },
    });
  });
}

/** Stop every server (workers, then masters); disks, network, load balancer and addresses stay. */
export const stopCluster = (a: Args & { by?: "user" | "schedule" }) => setPower(a, "off", "stop", a.by);
/** Masters first, then workers once the API answers. */
export const startCluster = (a: Args & { by?: "user" | "schedule" }) => setPower(a, "on", "start", a.by);
