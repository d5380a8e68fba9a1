import { addonRouter } from "./routers/addon";
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { catalogRouter } from "./routers/catalog";
import { cloudRouter } from "./routers/cloud";
import { clusterRouter } from "./routers/cluster";
import { liveRouter } from "./routers/live";
import { memberRouter } from "./routers/member";
import { metricsRouter } from "./routers/metrics";
import { nodeGroupRouter } from "./routers/node-group";
import { operationRouter } from "./routers/operation";
import { policyRouter } from "./routers/policy";
import { projectRouter } from "./routers/project";
import { serviceAccountRouter, tokenRouter } from "./routers/token";
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
  live: liveRouter,
  addon: addonRouter,
  policy: policyRouter,
  metrics: metricsRouter,
  workload: workloadRouter,
  token: tokenRouter,
  serviceAccount: serviceAccountRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
