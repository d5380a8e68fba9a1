import type { ClusterStatus } from "@/db/schema";
import type { Condition, Phase } from "@/server/contracts/cluster";
import { groupFromTags } from "./names";
import type { Observed } from "./observe";
import type { Step } from "./steps";

type NodeState = ClusterStatus["nodes"][number]["state"];

/** Node lifecycle as the console shows it (OVH's words), from the server's state. */
export function nodeState(status: string, taskState: string | null): NodeState {
  if (taskState === "deleting") return "Terminating";
  if (status === "BUILD" || status === "REBUILD") return "Installing";
  if (status === "ACTIVE") return taskState === "powering-off" ? "Stopping" : "Ready";
  if (status === "SHUTOFF") return taskState === "powering-on" ? "Starting" : "Stopped";
  return "NotReady";
}

export function nodesOf(
  o: Observed,
  flavorName: (idOrName: string | null) => string,
): ClusterStatus["nodes"] {
  return [...o.servers.values()]
    .map((s) => ({
      name: s.name,
      group: groupFromTags(s.tags) ?? "control-plane",
      role: (s.tags.includes("kc-role=master") ? "master" : "worker") as "master" | "worker",
      zone: s.availabilityZone ?? "",
      flavor: flavorName(s.flavorName),
      ip: s.fixedIps[0] ?? null,
      state: nodeState(s.status, s.taskState),
      serverId: s.id,
    }))
    .sort((a, b) =>
      a.role === b.role
        ? a.name.localeCompare(b.name, undefined, { numeric: true })
        : a.role === "master"
          ? -1
          : 1,
    );
}

function condition(
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  previous: Condition[],
  now: string,
): Condition {
  const status = ok ? "True" : "False";
  const prev = previous.find((c) => c.type === type);
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now,
  };
}

/** Conditions from the step graph: a pure summary of what the last pass saw. */
export function conditionsFrom(steps: Step[], previous: Condition[], now: string): Condition[] {
  const group = (pred: (k: string) => boolean) => steps.filter((s) => pred(s.key));
  const summarize = (type: string, items: Step[], readyReason: string, what: string) => {
    const waiting = items.filter((s) => s.state !== "done");
    return condition(
      type,
      waiting.length === 0,
      waiting.length === 0 ? readyReason : "InProgress",
      waiting.length === 0
        ? `${what} ready`
        : `Waiting for: ${waiting[0]!.label}${waiting.length > 1 ? ` (+${waiting.length - 1} more)` : ""}`,
      previous,
      now,
    );
  };
  return [
    summarize(
      "NetworkReady",
      group((k) => ["network", "subnet", "router", "router-interface"].includes(k) || k.startsWith("sg-")),
      "NetworkReady",
      "Network, router and security groups",
    ),
    summarize(
      "ControlPlaneReady",
      group((k) => /^(master|etcd)/.test(k)),
      "ControlPlaneReady",
      "Masters and their etcd volumes",
    ),
    summarize(
      "APILoadBalancerReady",
      group(
        (k) =>
          ["lb", "listener", "pool", "health-monitor", "api-floating-ip"].includes(k) ||
          k.startsWith("member-"),
      ),
      "LoadBalancerActive",
      "API load balancer",
    ),
    summarize(
      "NodeGroupsReady",
      group((k) => k.startsWith("worker")),
      "NodesReady",
      "Worker nodes",
    ),
  ];
}

export function phaseOf(args: {
  deleting: boolean;
  terminalError: boolean;
  converged: boolean;
  everRunning: boolean;
  current: Phase;
}): Phase {
  if (args.deleting) return "Deleting";
  if (args.terminalError) return "Error";
  if (args.converged) return "Running";
  return args.everRunning ? "Updating" : "Provisioning";
}
