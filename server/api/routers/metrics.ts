import { DashboardInput } from "@/server/contracts/cluster";
import { dashboardData } from "@/server/services/metrics/dashboard";
import { projectProcedure, router } from "../trpc";

export const metricsRouter = router({
  dashboard: projectProcedure("viewer")
    .input(DashboardInput)
    .query(({ ctx, input }) =>
      dashboardData({
        ctx: ctx.svc,
        project: ctx.project,
        clusterId: input.clusterId,
        from: input.from,
        to: input.to,
      }),
    ),
});
