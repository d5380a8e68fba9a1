import { DashboardInput, OverviewInput } from "@/server/contracts/metrics";
import { dashboardData, projectOverview } from "@/server/services/metrics/dashboard";
import { projectProcedure, router } from "../trpc";

export const metricsRouter = router({
  dashboard: projectProcedure("viewer")
    .input(DashboardInput)
    .query(({ ctx, input }) => dashboardData({ ctx: ctx.svc, project: ctx.project, input })),
  overview: projectProcedure("viewer")
    .input(OverviewInput)
    .query(({ ctx, input }) => projectOverview({ ctx: ctx.svc, project: ctx.project, input })),
});
