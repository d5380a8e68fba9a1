import type { Phase } from "@/server/contracts/cluster";

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
