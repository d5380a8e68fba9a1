import {
  CancelOperationInput,
  ClusterRef,
  CreateClusterInput,
  DeleteClusterInput,
  ListClustersInput,
  ListEventsInput,
  UpdateClusterInput,
  UpgradeClusterInput,
  UpgradeReadinessInput,
  StopScheduleInput,
  MaintenanceWindowInput,
} from "@/server/contracts/cluster";
import { setMaintenanceWindow, setStopSchedule } from "@/server/services/cluster/schedule";
import { startCluster, stopCluster } from "@/server/services/cluster/power";
import { rotateCa } from "@/server/services/cluster/rotate-ca";
import { upgradeCluster, upgradeOptions, upgradeReadiness } from "@/server/services/cluster/upgrade";
import { updateCluster } from "@/server/services/cluster/update";
import { createCluster } from "@/server/services/cluster/create";
import { estimateCluster } from "@/server/services/cluster/estimate";
import { deleteCluster, retryCluster } from "@/server/services/cluster/delete";
import { cancelOperation } from "@/server/services/cluster/cancel";
import {
  getCluster,
  listClusters,
  listClustersDetailed,
  listEventKinds,
  listEvents,
} from "@/server/services/cluster/read";
import { KubeconfigRequest } from "@/server/contracts/kubeconfig";
import { issueKubeconfig } from "@/server/services/cluster/kubeconfig";
import { projectProcedure, router } from "../trpc";

export const clusterRouter = router({
  list: projectProcedure("viewer")
    .input(ListClustersInput)
    .query(({ ctx, input }) => listClusters({ ctx: ctx.svc, project: ctx.project, input })),
  /** The list with whole clusters (spec, status), for the REST API and automation. */
  listDetailed: projectProcedure("viewer")
    .input(ListClustersInput)
    .query(({ ctx, input }) => listClustersDetailed({ ctx: ctx.svc, project: ctx.project, input })),
  get: projectProcedure("viewer")
    .input(ClusterRef)
    .query(({ ctx, input }) => getCluster({ ctx: ctx.svc, project: ctx.project, input })),
  create: projectProcedure("member")
    .input(CreateClusterInput)
    .mutation(({ ctx, input }) => createCluster({ ctx: ctx.svc, project: ctx.project, input })),
  update: projectProcedure("member")
    .input(UpdateClusterInput)
    .mutation(({ ctx, input }) => updateCluster({ ctx: ctx.svc, project: ctx.project, input })),
  delete: projectProcedure("member")
    .input(DeleteClusterInput)
    .mutation(({ ctx, input }) => deleteCluster({ ctx: ctx.svc, project: ctx.project, input })),
  retry: projectProcedure("member")
    .input(ClusterRef)
    .mutation(({ ctx, input }) => retryCluster({ ctx: ctx.svc, project: ctx.project, input })),
  /** Cancel the running (or failed) operation: new intent that undoes its change (see cancelMeaning). */
  cancelOperation: projectProcedure("member")
    .input(CancelOperationInput)
    .mutation(({ ctx, input }) => cancelOperation({ ctx: ctx.svc, project: ctx.project, input })),
  stop: projectProcedure("member")
    .input(ClusterRef)
    .mutation(({ ctx, input }) => stopCluster({ ctx: ctx.svc, project: ctx.project, input })),
  start: projectProcedure("member")
    .input(ClusterRef)
    .mutation(({ ctx, input }) => startCluster({ ctx: ctx.svc, project: ctx.project, input })),
  /** New CA; old kubeconfigs stop working once the API server has moved to it. */
  rotateCa: projectProcedure("admin")
    .input(ClusterRef)
    .mutation(({ ctx, input }) => rotateCa({ ctx: ctx.svc, project: ctx.project, input })),
  setStopSchedule: projectProcedure("member")
    .input(StopScheduleInput)
    .mutation(({ ctx, input }) => setStopSchedule({ ctx: ctx.svc, project: ctx.project, input })),
  setMaintenanceWindow: projectProcedure("member")
    .input(MaintenanceWindowInput)
    .mutation(({ ctx, input }) => setMaintenanceWindow({ ctx: ctx.svc, project: ctx.project, input })),
  /** The versions this cluster may move to (one minor at a time). */
  upgradeOptions: projectProcedure("viewer")
    .input(ClusterRef)
    .query(({ ctx, input }) => upgradeOptions({ ctx: ctx.svc, project: ctx.project, input })),
  /** What could go wrong with an upgrade to `target`, before confirming it. */
  upgradeReadiness: projectProcedure("viewer")
    .input(UpgradeReadinessInput)
    .query(({ ctx, input }) => upgradeReadiness({ ctx: ctx.svc, project: ctx.project, input })),
  upgrade: projectProcedure("member")
    .input(UpgradeClusterInput)
    .mutation(({ ctx, input }) => upgradeCluster({ ctx: ctx.svc, project: ctx.project, input })),
  /** Hourly and monthly cost of a spec, before creating it (the wizard's review step). */
  estimate: projectProcedure("viewer")
    .input(CreateClusterInput)
    .query(({ ctx, input }) => estimateCluster({ ctx: ctx.svc, project: ctx.project, input })),
  /**
   * A kubeconfig as data (for the REST API and the CLI); the console's own
   * download is the route in server/api/kubeconfig.ts. Same role (member),
   * validities and audit.
   */
  kubeconfig: projectProcedure("member")
    .input(ClusterRef.extend(KubeconfigRequest.shape))
    .mutation(({ ctx, input }) =>
      issueKubeconfig({
        ctx: ctx.svc,
        project: ctx.project,
        clusterId: input.clusterId,
        request: { validity: input.validity, kind: input.kind },
      }),
    ),
  /** The kinds of object the cluster's events are about. */
  eventKinds: projectProcedure("viewer")
    .input(ClusterRef)
    .query(({ ctx, input }) => listEventKinds({ ctx: ctx.svc, project: ctx.project, input })),
  events: projectProcedure("viewer")
    .input(ListEventsInput)
    .query(({ ctx, input }) => listEvents({ ctx: ctx.svc, project: ctx.project, input })),
});
