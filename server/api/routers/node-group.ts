import { NodeGroupInput, RemoveNodeGroupInput, ScaleNodeGroupInput } from "@/server/contracts/cluster";
import { addNodeGroup, removeNodeGroup, scaleNodeGroup } from "@/server/services/cluster/node-groups";
import { NodeActionInput } from "@/server/contracts/node-actions";
import { requestNodeAction } from "@/server/services/cluster/node-actions";
import { projectProcedure, router } from "../trpc";

export const nodeGroupRouter = router({
  add: projectProcedure("member")
    .input(NodeGroupInput)
    .mutation(({ ctx, input }) => addNodeGroup({ ctx: ctx.svc, project: ctx.project, input })),
  update: projectProcedure("member")
    .input(ScaleNodeGroupInput)
    .mutation(({ ctx, input }) => scaleNodeGroup({ ctx: ctx.svc, project: ctx.project, input })),
  /** Cordon, uncordon, drain or replace one node (carried out by the reconciler; audited). */
  nodeAction: projectProcedure("member")
    .input(NodeActionInput)
    .mutation(({ ctx, input }) => requestNodeAction({ ctx: ctx.svc, project: ctx.project, input })),
  remove: projectProcedure("member")
    .input(RemoveNodeGroupInput)
    .mutation(({ ctx, input }) => removeNodeGroup({ ctx: ctx.svc, project: ctx.project, input })),
});
