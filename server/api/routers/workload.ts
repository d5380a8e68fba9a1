import { z } from "zod";
import { ClusterRef } from "@/server/contracts/cluster";
import { LoadProfileInput } from "@/server/contracts/workload";
import { failAmphora, failNode, getWorkload, recoverNode, setLoad } from "@/server/services/cluster/workload";
import { projectProcedure, router } from "../trpc";

const NodeRef = ClusterRef.extend({ node: z.string().min(1).max(120) });

/** Demo controls of clusters on the built-in emulator: the load, a failing kubelet, a failing amphora. */
export const workloadRouter = router({
  get: projectProcedure("viewer")
    .input(ClusterRef)
    .query(({ ctx, input }) =>
      getWorkload({ ctx: ctx.svc, project: ctx.project, clusterId: input.clusterId }),
    ),
  setLoad: projectProcedure("member")
    .input(ClusterRef.extend({ load: LoadProfileInput }))
    .mutation(({ ctx, input }) =>
      setLoad({ ctx: ctx.svc, project: ctx.project, clusterId: input.clusterId, load: input.load }),
    ),
  failNode: projectProcedure("member")
    .input(NodeRef)
    .mutation(({ ctx, input }) =>
      failNode({ ctx: ctx.svc, project: ctx.project, clusterId: input.clusterId, node: input.node }),
    ),
  recoverNode: projectProcedure("member")
    .input(NodeRef)
    .mutation(({ ctx, input }) =>
      recoverNode({ ctx: ctx.svc, project: ctx.project, clusterId: input.clusterId, node: input.node }),
    ),
  failAmphora: projectProcedure("member")
    .input(ClusterRef.extend({ loadBalancer: z.string().min(1).max(255) }))
    .mutation(({ ctx, input }) =>
      failAmphora({
        ctx: ctx.svc,
        project: ctx.project,
        clusterId: input.clusterId,
        loadBalancer: input.loadBalancer,
      }),
    ),
});
