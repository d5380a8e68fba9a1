/** Cluster phases and topologies without zod (for UI code that only displays them). */
export const PHASES = [
  "Provisioning",
  "Running",
  "Updating",
  "Stopping",
  "Stopped",
  "Starting",
  "Upgrading",
  "Deleting",
  "Deleted",
  "Error",
] as const;
export type Phase = (typeof PHASES)[number];
export type Topology = "single" | "standard" | "regional";
