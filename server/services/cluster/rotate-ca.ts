import type { ClusterRef } from "@/server/contracts/cluster";
import { transitionRefusal } from "@/server/domain/cluster-transitions";
import { beginCaRotation } from "@/server/kube/store";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import { commitChange } from "./intent";
import { loadCluster, type ClusterView } from "./view";

type Args = { ctx: ServiceContext; project: ProjectAccess; input: ClusterRef };

/**
 * Rotate the cluster CA: new kubeconfigs are signed by a new CA at once;
 * kubeconfigs issued before keep working until the reconciler has moved the
 * API server to the new CA, then stop working. Audited.
 */
export async function rotateCa(a: Args): Promise<ClusterView> {
  const { ctx, project } = a;
  return ctx.db.transaction(async (tx) => {
    const row = await loadCluster(tx, project.id, a.input.clusterId, true);
    const refusal = transitionRefusal(row, "rotate-ca");
    if (refusal) throw new ServiceError("PRECONDITION_FAILED", refusal);
    if (!row.status.apiEndpoint || !row.spec.apiAccess.public)
      throw new ServiceError(
        "PRECONDITION_FAILED",
        `The console rotates the CA through the Kubernetes API at its public address; ${row.name}'s API is private or not up yet`,
      );
    const started = await beginCaRotation(tx, row, ctx.encryptionKey);
    if (!started) throw new ServiceError("CONFLICT", `A CA rotation of ${row.name} is already running`);
    return commitChange(tx, ctx, row, {
      kind: "rotate-ca",
      action: "cluster.ca.rotate",
      set: { phase: "Updating" },
    });
  });
}
