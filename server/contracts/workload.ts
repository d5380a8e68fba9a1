import { z } from "zod";
import { line } from "./text";
import { ClusterRef } from "./cluster";

/**
 * The customer's load on a cluster of the built-in emulator, and the
 * emulator's view of the workload it drives: shared by the emulator's
 * admin API, the console's demo controls and the Health & load tab.
 */

export const LOAD_PROFILES = ["steady", "ramp", "spikes", "daily"] as const;
export const LoadProfileInput = z
  .object({
    profile: z.enum(LOAD_PROFILES),
    /** Load factor at rest: 1 is the workload as deployed. */
    base: z.number().min(0, "Base load cannot be negative").max(20, "Base load is at most 20×").default(1),
    /** Load factor at the top of a ramp, spike or daily peak. */
    peak: z.number().min(0, "Peak load cannot be negative").max(50, "Peak load is at most 50×").default(4),
    /** Ramp duration, time between spikes, or length of one "day" (cluster minutes). */
    periodMinutes: z.number().int().min(1).max(1440).default(10),
  })
  .strict();
export type LoadProfileInput = z.infer<typeof LoadProfileInput>;

/** The demo controls' inputs: the load, a node of the cluster, one of its load balancers. */
export const SetLoadInput = ClusterRef.extend({ load: LoadProfileInput });
export type SetLoadInput = z.infer<typeof SetLoadInput>;
export const NodeRefInput = ClusterRef.extend({ node: line().min(1).max(120) });
export type NodeRefInput = z.infer<typeof NodeRefInput>;
export const FailAmphoraInput = ClusterRef.extend({ loadBalancer: line().min(1).max(255) });
export type FailAmphoraInput = z.infer<typeof FailAmphoraInput>;

/** The emulator admin API's view of a cluster's workload (the console validates it with this schema). */
export const WorkloadView = z.object({
  load: z.object({
    profile: z.enum(LOAD_PROFILES),
    base: z.number(),
    peak: z.number(),
    periodMinutes: z.number(),
    since: z.string(),
    factor: z.number(),
  }),
  deployments: z.array(
    z.object({
      namespace: z.string(),
      name: z.string(),
      replicas: z.number(),
      running: z.number(),
      pending: z.number(),
      cpuMilli: z.number(),
      memoryMi: z.number(),
      elastic: z.boolean(),
    }),
  ),
  pendingPods: z.number(),
  nodes: z.array(
    z.object({
      name: z.string(),
      ready: z.boolean(),
      failedAt: z.string().nullable(),
      allocatable: z.object({ cpuMilli: z.number(), memoryMi: z.number() }),
      requested: z.object({ cpuMilli: z.number(), memoryMi: z.number() }),
      usage: z.object({ cpuMilli: z.number(), memoryMi: z.number() }).nullable(),
    }),
  ),
});
export type WorkloadView = z.infer<typeof WorkloadView>;
