import { addonRouter, policyRouter } from "./routers/addon";
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { catalogRouter } from "./routers/catalog";
import { cloudRouter } from "./routers/cloud";
import { clusterRouter, nodeGroupRouter, operationRouter } from "./routers/cluster";
import { memberRouter } from "./routers/member";
import { metricsRouter } from "./routers/metrics";
import { projectRouter } from "./routers/project";
import { workloadRouter } from "./routers/workload";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  project: projectRouter,
  member: memberRouter,
  cloud: cloudRouter,
  catalog: catalogRouter,
  audit: auditRouter,
  cluster: clusterRouter,
  nodeGroup: nodeGroupRouter,
  operation: operationRouter,
  addon: addonRouter,
  policy: policyRouter,
  metrics: metricsRouter,
  workload: workloadRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
