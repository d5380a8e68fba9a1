import type { ClusterStatus } from "@/db/schema";
import type { Condition, Phase } from "@/server/contracts/cluster";
import { NotFound } from "@/server/openstack";
import { groupFromTags } from "../names";
import { DrainBlocked } from "./drain";
import type { Observed } from "./observe";
import {
  backoff,
  classify,
  type Action,
  type ClusterEvent,
  type ClusterScope,
  type PhaseResult,
} from "./scope";
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
          ["lb", "listener", "listener-allowlist", "pool", "health-monitor", "api-floating-ip"].includes(k) ||
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

type StatusNode = ClusterStatus["nodes"][number];

/**
 * Conditions that tell the truth about power and nodes: a stopped cluster's
 * masters and workers are not "ready", and a node that is not Ready makes its
 * condition false with the node named (the step graph alone sees servers, not
 * kubelets).
 */
export function nodeConditions(
  flow: ClusterScope["flow"],
  converged: boolean,
  base: Condition[],
  nodes: StatusNode[],
  previous: Condition[],
  now: string,
): Condition[] {
  if (flow === "delete") return base;
  // Transition times against what was stored, not against `base`: the step graph may say True
  // each pass while a node keeps the condition False, and the time must not move every pass.
  const set = (type: string, ok: boolean, reason: string, message: string) => {
    const i = base.findIndex((c) => c.type === type);
    const next = condition(type, ok, reason, message, previous, now);
    return i === -1 ? [...base, next] : base.map((c, j) => (j === i ? next : c));
  };
  if (flow === "stop") {
    const word = converged ? "stopped" : "being stopped";
    base = set(
      "ControlPlaneReady",
      false,
      converged ? "Stopped" : "Stopping",
      `Masters are ${word}: start the cluster to use its API`,
    );
    base = set("NodeGroupsReady", false, converged ? "Stopped" : "Stopping", `Worker nodes are ${word}`);
    if (converged)
      base = set(
        "APILoadBalancerReady",
        false,
        "NoRunningMaster",
        "The API load balancer stays, with no running master behind it",
      );
    return base;
  }
  // Unverified: running, but the console cannot reach the API to ask the kubelet (a private cluster).
  const notReady = (role: StatusNode["role"]) =>
    nodes.filter((n) => n.role === role && n.state !== "Ready" && n.state !== "Unverified");
  const named = (list: StatusNode[]) =>
    `${list
      .slice(0, 3)
      .map((n) => `${n.name} (${n.state})`)
      .join(", ")}${list.length > 3 ? ` and ${list.length - 3} more` : ""}`;
  for (const [type, role, what] of [
    ["ControlPlaneReady", "master", "Masters"],
    ["NodeGroupsReady", "worker", "Worker nodes"],
  ] as const) {
    const waiting = notReady(role);
    if (waiting.length > 0)
      base = set(
        type,
        false,
        flow === "start" ? "Starting" : "NodesNotReady",
        `Not Ready: ${named(waiting)}`,
      );
    // A start's conditions come from the nodes alone; elsewhere the step graph's stand.
    else if (flow === "start") base = set(type, true, "NodesReady", `${what} ready`);
  }
  if (flow === "start") {
    const up = nodes.some((n) => n.role === "master" && (n.state === "Ready" || n.state === "Unverified"));
    base = up
      ? set("APILoadBalancerReady", true, "LoadBalancerActive", "API load balancer ready")
      : set(
          "APILoadBalancerReady",
          false,
          "Starting",
          "Waiting for a running master behind the API load balancer",
        );
  }
  return base;
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

/** While the cloud works on something (BUILD, PENDING_*), look again after this long. */
export const POLL_MS = 2_000;
/** After a pass that made progress, the next steps are often ready at once (a subnet after its network). */
export const PROGRESS_MS = 200;

export interface Ran {
  action: Action;
  error: unknown;
}

export interface PassError {
  step: string;
  terminal: boolean;
  message: string;
}

/** What one pass found and did, ready to persist: a pure function of the scope, the phases and the actions' results. */
export interface PassOutcome {
  phase: Phase;
  conditions: Condition[];
  status: ClusterStatus;
  converged: boolean;
  errors: PassError[];
  terminal: PassError | null;
  progress: { done: number; total: number };
  currentStep: string | null;
  events: ClusterEvent[];
  requeueAfterMs: number | null;
}

/** Which flows can converge in a pass, and whether they wait for the nodes to settle. */
const CONVERGES: Record<ClusterScope["flow"], { converges: boolean; settle: boolean }> = {
  delete: { converges: false, settle: false },
  stop: { converges: true, settle: false },
  start: { converges: false, settle: false },
  upgrade: { converges: false, settle: false },
  converge: { converges: true, settle: true },
};

/** Events for what succeeded: the action's own, or a StepDone named by its label. */
function actionEvents(clusterName: string, ran: Ran[]): ClusterEvent[] {
  return ran
    .filter((r) => !r.error)
    .map(({ action: a }) =>
      a.event
        ? { ...a.event, message: a.label }
        : { type: "Normal", reason: "StepDone", kind: "Cluster", name: clusterName, message: a.label },
    );
}

/** A 404 is success only for what removes something (it is gone already); elsewhere it is an error. */
const alreadyGone = (r: Ran) =>
  r.error instanceof NotFound && /^(Delete|Remove|Release|Detach)\b/.test(r.action.label);

/** Errors of the pass, the planning failure first; a 404 on a delete is success. */
function passErrors(results: PhaseResult[], ran: Ran[]): PassError[] {
  const errors = ran
    .filter((r) => r.error && !alreadyGone(r))
    .map((r) => ({ step: r.action.label, ...classify(r.error) }));
  const failure = results.find((r) => r.failure)?.failure;
  if (failure) errors.unshift({ ...failure, terminal: true });
  return errors;
}

export function summarize(scope: ClusterScope, results: PhaseResult[], ran: Ran[]): PassOutcome {
  const { cluster, observed, api, operation: op, now } = scope;
  const prev = cluster.status;
  const nowIso = now.toISOString();
  const events = [...results.flatMap((r) => r.events ?? []), ...actionEvents(cluster.name, ran)];
  const errors = passErrors(results, ran);
  const terminal = errors.find((e) => e.terminal) ?? null;
  const patch: Partial<ClusterStatus> = Object.assign({}, ...results.map((r) => r.status?.() ?? {}));
  const upgrade = patch.upgrade !== undefined ? patch.upgrade : (prev.upgrade ?? null);
  const unregistered = patch.unregistered ?? prev.unregistered ?? {};
  const nodes = nodeOverlay(scope, upgrade, patch.autoscaler?.removing?.node ?? null, unregistered);
  events.push(...nodeEvents(prev, nodes));

  // An operation is done once the Kubernetes API answers too (for up to API_WAIT_MS; a cluster whose API
  // never answers still converges, with a warning, rather than hanging its operation).
  const apiExpected =
    api !== null &&
    api.forConsole &&
    api.publicAddress !== null &&
    api.anyMasterUp &&
    observed.lb?.provisioningStatus === "ACTIVE";
  if (apiExpected && api.kubeNodes === null && op !== null && !api.waitLeft)
    events.push({
      type: "Warning",
      reason: "APIUnreachable",
      kind: "Cluster",
      name: cluster.name,
      message: `The Kubernetes API at https://${api.publicAddress}:6443 does not answer the console`,
    });
  const { converges, settle } = CONVERGES[scope.flow];
  const settled =
    // Servers still going away (scale-down, removed groups) mean the cloud has not caught up yet.
    ![...observed.servers.values()].some((s) => s.taskState === "deleting") &&
    // Kubelets that have not reported Ready yet: keep looking (a node that later goes NotReady does not hold this).
    !nodes.some((n) => n.state === "Installing") &&
    !(apiExpected && api.waitLeft);
  const converged = converges && results.every((r) => r.done) && errors.length === 0 && (!settle || settled);

  const resources = resourceStates(observed);
  events.push(...resourceEvents(prev.resources ?? {}, resources));
  const drainBlocked = ran.find((r) => r.error instanceof DrainBlocked)?.error as DrainBlocked | undefined;
  if (drainBlocked && !prev.lastError?.message.startsWith("Draining"))
    events.push({
      type: "Warning",
      reason: "DrainBlocked",
      kind: "Node",
      name: drainBlocked.node,
      message: drainBlocked.message,
    });

  const lbAddress = observed.floatingIp?.address ?? observed.lb?.vipAddress ?? null;
  const blame = terminal ?? errors[0];
  const status: ClusterStatus = {
    apiEndpoint: lbAddress ? `https://${lbAddress}:6443` : null,
    apiAddress: lbAddress,
    nodes,
    resources,
    upgrade,
    cordonedByStop: prev.cordonedByStop ?? [],
    workload: api?.workload ?? prev.workload,
    caRotation: prev.caRotation,
    addons: prev.addons,
    components: prev.components,
    cloudIntegration: prev.cloudIntegration,
    kubeSync: prev.kubeSync,
    policies: prev.policies,
    autoscaler: prev.autoscaler,
    health: prev.health,
    loadBalancers: prev.loadBalancers,
    nodeActions: prev.nodeActions,
    ...patch,
    lastError: blame
      ? {
          step: blame.step,
          message: blame.message,
          at: nowIso,
          attempts: (op?.attempts ?? 0) + 1,
          terminal: terminal !== null,
        }
      : null,
  };
  const everRunning = cluster.observedGeneration > 0;
  const scan = Math.min(...results.map((r) => r.requeueAfterMs ?? Infinity));
  return {
    phase: clusterPhase(scope, converged, terminal !== null, everRunning),
    conditions: nodeConditions(
      scope.flow,
      converged,
      scope.flow === "converge" || scope.flow === "upgrade"
        ? conditionsFrom(scope.plan.steps, cluster.conditions, nowIso)
        : cluster.conditions,
      nodes,
      cluster.conditions,
      nowIso,
    ),
    status,
    converged,
    errors,
    terminal,
    progress: results.find((r) => r.progress)?.progress ?? { done: 0, total: 1 },
    currentStep: results.map((r) => r.waiting ?? null).find((w) => w !== null) ?? null,
    events,
    requeueAfterMs:
      converged && scan !== Infinity
        ? scan
        : converged || terminal
          ? null
          : errors.length
            ? backoff(op?.attempts ?? 0)
            : ran.length > 0
              ? PROGRESS_MS
              : POLL_MS,
  };
}

function clusterPhase(
  scope: ClusterScope,
  converged: boolean,
  terminalError: boolean,
  everRunning: boolean,
): Phase {
  switch (scope.flow) {
    case "stop":
      // A stop that gave up on a server (past its deadline) is failed until retried, cancelled or started.
      return converged ? "Stopped" : terminalError ? "Error" : "Stopping";
    case "start":
      // A start that gave up on a master (past its deadline) is failed until retried or cancelled.
      return terminalError ? "Error" : "Starting";
    case "upgrade":
      return "Upgrading";
    default:
      return phaseOf({
        deleting: scope.flow === "delete",
        terminalError,
        // Without an operation, a running cluster stays Running while it heals or autoscales itself.
        converged: converged || (scope.operation === null && everRunning),
        everRunning,
        current: scope.cluster.phase,
      });
  }
}

/**
 * The nodes as the console shows them: Nova's view, refined by the kubelet's
 * (Installing until first Ready, NotReady after, Cordoned or Draining).
 */
function nodeOverlay(
  scope: ClusterScope,
  upgrade: ClusterStatus["upgrade"],
  removing: string | null,
  unregistered: NonNullable<ClusterStatus["unregistered"]>,
): ClusterStatus["nodes"] {
  const { api, catalog } = scope;
  const kubeNodes = api?.kubeNodes ?? null;
  const before = new Map(scope.cluster.status.nodes.map((x) => [x.name, x.state]));
  const flavorName = (f: string | null) =>
    catalog.flavors.find((x) => x.id === f || x.name === f)?.name ?? f ?? "";
  // While the console still expects the API to answer, a node its kubelet has not reported Ready is
  // still installing (not Ready from Nova's view alone, which would later read as NotReady).
  const apiPending = api !== null && api.forConsole && api.waitLeft;
  return nodesOf(scope.observed, flavorName).map((node) => {
    const k = kubeNodes?.get(node.name);
    if (!k) {
      if (node.state !== "Ready") return node;
      // The API answers and has no Node of this name: its kubelet has not registered (yet, or ever).
      if (kubeNodes) return { ...node, state: unregistered[node.name] ? "NeverRegistered" : "Installing" };
      // An API the console may not reach (private, or behind an allowlist): Nova's view only, and it says so.
      if (api && !api.forConsole) return { ...node, state: "Unverified" };
      const was = before.get(node.name);
      return apiPending && (was === undefined || was === "Installing")
        ? { ...node, state: "Installing" }
        : node;
    }
    let state = node.state;
    if (node.state === "Ready" && !k.ready)
      state = before.get(node.name) === "Installing" || !before.has(node.name) ? "Installing" : "NotReady";
    if (state === "Ready" && k.unschedulable)
      state =
        upgrade?.nodes[node.name]?.state === "draining" || removing === node.name ? "Draining" : "Cordoned";
    return { ...node, state, version: k.kubeletVersion.replace(/^v/, "") };
  });
}

/** Node state changes become events (the dashboards draw them). */
function nodeEvents(prev: ClusterStatus, nodes: ClusterStatus["nodes"]): ClusterEvent[] {
  const before = new Map(prev.nodes.map((x) => [x.name, x.state]));
  const out: ClusterEvent[] = [];
  for (const node of nodes) {
    const was = before.get(node.name);
    if (was !== node.state)
      out.push({
        type: node.state === "NotReady" || node.state === "NeverRegistered" ? "Warning" : "Normal",
        reason: node.state,
        kind: "Node",
        name: node.name,
        message: was ? `${was} → ${node.state}` : `${node.state} (${node.zone}, ${node.flavor})`,
      });
  }
  for (const [name, state] of before)
    if (!nodes.some((x) => x.name === name))
      out.push({
        type: "Normal",
        reason: "Terminated",
        kind: "Node",
        name,
        message: `${state} → Terminated`,
      });
  return out;
}

/** The load balancers' and the volumes' states (`kind:name` → state). */
function resourceStates(o: Observed): Record<string, string> {
  const resources: Record<string, string> = {};
  if (o.lb) resources[`LoadBalancer:${o.lb.name}`] = `${o.lb.provisioningStatus}/${o.lb.operatingStatus}`;
  for (const x of o.addonLbs)
    resources[`LoadBalancer:${x.lb.name}`] = `${x.lb.provisioningStatus}/${x.lb.operatingStatus}`;
  for (const v of o.volumes.values()) resources[`Volume:${v.name}`] = v.status;
  // What the cluster made for itself, so a Service's load balancer or a claim's volume appearing is an event.
  for (const x of o.serviceLbs)
    resources[`LoadBalancer:${x.lb.name}`] = `${x.lb.provisioningStatus}/${x.lb.operatingStatus}`;
  for (const v of o.csiVolumes) resources[`Volume:${v.name}`] = v.status;
  return resources;
}

/** Their changes are events too (the LB-health dashboard draws them). */
function resourceEvents(seen: Record<string, string>, now: Record<string, string>): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  for (const [key, state] of Object.entries(now)) {
    if (seen[key] === state) continue;
    const [kind, name] = key.split(/:(.*)/s) as [string, string];
    const bad = /ERROR|DEGRADED|OFFLINE|error/.test(state) && !/PENDING_CREATE/.test(state);
    out.push({
      type: bad ? "Warning" : "Normal",
      reason: kind === "LoadBalancer" ? "LoadBalancerStatus" : "VolumeStatus",
      kind,
      name,
      message: seen[key] ? `${seen[key]} → ${state}` : state,
    });
  }
  return out;
}
