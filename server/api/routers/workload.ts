import { ClusterRef } from "@/server/contracts/cluster";
import { FailAmphoraInput, NodeRefInput, SetLoadInput } from "@/server/contracts/workload";
import { failAmphora, failNode, getWorkload, recoverNode, setLoad } from "@/server/services/cluster/workload";
import { projectProcedure, router } from "../trpc";

/** Demo controls of clusters on the built-in emulator: the load, a failing kubelet, a failing amphora. */
export const workloadRouter = router({
  get: projectProcedure("viewer")
    .input(ClusterRef)
    .query(({ ctx, input }) => getWorkload({ ctx: ctx.svc, project: ctx.project, input })),
  setLoad: projectProcedure("member")
    .input(SetLoadInput)
    .mutation(({ ctx, input }) => setLoad({ ctx: ctx.svc, project: ctx.project, input })),
  failNode: projectProcedure("member")
    .input(NodeRefInput)
    .mutation(({ ctx, input }) => failNode({ ctx: ctx.svc, project: ctx.project, input })),
  recoverNode: projectProcedure("member")
    .input(NodeRefInput)
    .mutation(({ ctx, input }) => recoverNode({ ctx: ctx.svc, project: ctx.project, input })),
  failAmphora: projectProcedure("member")
    .input(FailAmphoraInput)
    .mutation(({ ctx, input }) => failAmphora({ ctx: ctx.svc, project: ctx.project, input })),
});
