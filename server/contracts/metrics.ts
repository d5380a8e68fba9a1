import type { z } from "zod";
import { dateInRange } from "./text";
import { ClusterRef } from "./cluster";
import { ProjectScoped } from "./project";

export const OverviewInput = ProjectScoped.extend({ from: dateInRange(), to: dateInRange() }).refine(
  (r) => r.to.getTime() > r.from.getTime() && r.to.getTime() - r.from.getTime() <= 31 * 86_400_000,
  { message: "Choose a time range of at most 31 days that ends after it starts", path: ["from"] },
);
export const DashboardInput = ClusterRef.extend({ from: dateInRange(), to: dateInRange() }).refine(
  (r) => r.to.getTime() > r.from.getTime() && r.to.getTime() - r.from.getTime() <= 31 * 86_400_000,
  { message: "Choose a time range of at most 31 days that ends after it starts", path: ["from"] },
);
export type OverviewInput = z.infer<typeof OverviewInput>;
export type DashboardInput = z.infer<typeof DashboardInput>;
