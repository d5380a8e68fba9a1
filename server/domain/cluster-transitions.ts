import type { Phase } from "@/server/contracts/cluster";
import type { OperationKind } from "@/server/contracts/cluster-status";

/** Why a cluster in `phase` cannot do `verb` now (null: it can). */
export function transitionRefusal(
  row: { name: string; phase: Phase; deletionRequestedAt: Date | null },
  verb: "stop" | "start" | "upgrade" | "rotate-ca",
): string | null {
  const n = row.name;
  if (row.deletionRequestedAt) return `Cluster ${n} is being deleted`;
  // Power changes may interrupt each other: a start that waits (a node not Ready yet) can be
  // stopped again at once, and a stop can be undone before it finishes; the reconciler is
  // level-triggered and simply works toward the newer power intent.
  const allowedFrom: Record<typeof verb, Phase[]> = {
    stop: ["Running", "Starting"],
    start: ["Stopped", "Stopping"],
    upgrade: ["Running"],
    "rotate-ca": ["Running"],
  };
  if (allowedFrom[verb].includes(row.phase)) return null;
  const reasons: Partial<Record<Phase, string>> = {
    Provisioning: `Cluster ${n} is still being created; wait until it is running`,
    Updating: `Cluster ${n} has changes being applied; wait until it is running`,
    Stopping: `Cluster ${n} is stopping; wait until it has stopped`,
    Stopped:
      verb === "upgrade" || verb === "rotate-ca"
        ? `Cluster ${n} is stopped; start it before ${verb === "upgrade" ? "upgrading" : "rotating its CA"}`
        : `Cluster ${n} is already stopped`,
    Starting: `Cluster ${n} is starting; wait until it is running`,
    Upgrading: `Cluster ${n} is upgrading; wait until the upgrade finishes`,
    Running: `Cluster ${n} is already running`,
    Error: `Cluster ${n} has a failed operation; retry it (or delete the cluster) first`,
  };
  return reasons[row.phase] ?? `Cluster ${n} cannot ${verb} while ${row.phase.toLowerCase()}`;
}

/**
 * What cancelling a running (or failed) operation does. Cancel writes new
 * intent; the reconciler converges to it like to any other change.
 */
export function cancelMeaning(kind: OperationKind): string | null {
  const means: Partial<Record<OperationKind, string>> = {
    update:
      "The cluster goes back to its configuration before this change; what was built for it is removed.",
    scale:
      "The node groups go back to their sizes before this change; nodes added for it are drained and removed.",
    stop: "The cluster is started again.",
    start: "The cluster is stopped again.",
  };
  return means[kind] ?? null;
}

/** Why an operation of this kind cannot be cancelled, and what to do instead (null: it can be). */
export function cancelRefusal(kind: OperationKind, clusterName: string): string | null {
  switch (kind) {
    case "create":
      return `Creating ${clusterName} cannot be cancelled halfway; delete the cluster to remove everything made so far`;
    case "delete":
      return `Deleting ${clusterName} cannot be cancelled: its servers and load balancer are already being removed`;
    case "upgrade":
      return "An upgrade cannot be cancelled: Kubernetes does not go back a version once a node has moved; it finishes by itself, or can be retried if it fails";
    case "rotate-ca":
      return "A CA rotation cannot be cancelled halfway: the nodes trust both CAs until it finishes";
    default:
      return null;
  }
}
