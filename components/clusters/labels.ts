import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import type { ClusterSpec, Phase, Topology } from "@/server/contracts/cluster";

export type ClusterData = inferRouterOutputs<AppRouter>["cluster"]["get"];
/** A clusters-list row: a summary, not the whole cluster (`ClusterData`). */
export type ClusterSummaryData = inferRouterOutputs<AppRouter>["cluster"]["list"]["items"][number];
/** What every cluster-page tab gets. */
export interface ClusterTabProps {
  projectId: string;
  cluster: ClusterData;
  canEdit: boolean;
}

export const PHASE_TONE: Record<Phase, "success" | "primary" | "warning" | "danger" | "neutral"> = {
  Running: "success",
  Provisioning: "primary",
  Updating: "primary",
  Starting: "primary",
  Upgrading: "primary",
  Stopping: "warning",
  Stopped: "neutral",
  Deleting: "warning",
  Deleted: "neutral",
  Error: "danger",
};

export const TOPOLOGY_LABEL: Record<Topology, string> = {
  single: "Single master",
  standard: "Standard",
  regional: "Regional",
};

/** The pod network (CNI) a cluster was created with. */
export const CNI_LABEL: Record<ClusterSpec["cni"], string> = {
  calico: "Calico",
  cilium: "Cilium",
};

/** Why the cluster cannot take addon or policy changes now (null: it can). */
export function changeBlocked(c: ClusterData): string | null {
  if (c.deletionRequestedAt) return "The cluster is being deleted.";
  if (["Stopped", "Stopping", "Starting", "Upgrading"].includes(c.phase))
    return `The cluster is ${c.phase.toLowerCase()}; change addons and policies when it runs.`;
  return null;
}
