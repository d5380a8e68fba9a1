import type { KubeClient, KubeNode } from "@/server/kube/client";
import type { OpenStackCloud } from "@/server/openstack";
import type { Server } from "@/server/openstack/compute";
import type { Observed } from "../observe";
import type { Action, ClusterEvent, ClusterScope, PhaseResult } from "../scope";
import { byName, clock, groupOf, isMaster, live, notReadyWhy, powerResult } from "../servers";

/** Masters first; workers once the API answers; then uncordon what the stop cordoned once Ready. */
export function startPlan(args: {
  cloud: OpenStackCloud;
  observed: Observed;
  kube: KubeClient | null;
  kubeNodes: Map<string, KubeNode> | null;
  apiHealthy: boolean;
  /** False for a private API the console cannot reach: then servers are only checked through Nova. */
  apiReachable: boolean;
  cordonedByStop: string[];
  /** When the start first saw each node it waits for (cluster time, ISO). */
  waitSince?: Record<string, string>;
  /** Cluster time now. */
  now?: number;
  /** How long a running node may stay not Ready before the start acts on it. */
  deadlineMs?: number;
}): StartPlan {
  const { cloud, observed: o, kube, kubeNodes } = args;
  const now = args.now ?? Date.now();
  const deadlineMs = args.deadlineMs ?? START_READY_MS;
  const apiHealthy = args.apiHealthy || !args.apiReachable;
  const servers = [...o.servers.values()].filter(live).sort(byName);
  const masters = servers.filter(isMaster);
  const workers = servers.filter((s) => !isMaster(s));
  const actions: Action[] = [];
  const start = (s: Server) => ({
    label: `Start ${s.name}`,
    run: () => cloud.compute.startServer(s.id),
    event: { type: "Normal" as const, reason: "Starting", kind: "Node", name: s.name },
  });
  for (const m of masters) if (m.status === "SHUTOFF" && !m.taskState) actions.push(start(m));
  const mastersUp = masters.every((m) => m.status === "ACTIVE" && !m.taskState);
  if (mastersUp && apiHealthy)
    for (const w of workers) if (w.status === "SHUTOFF" && !w.taskState) actions.push(start(w));
  let cordoned = [...args.cordonedByStop];
  let allReady = !args.apiReachable;
  const startWait: Record<string, string> = {};
  const events: ClusterEvent[] = [];
  let failure: StartPlan["failure"] = null;
  let lagging: string | null = null;
  if (kube && kubeNodes && apiHealthy) {
    // Running servers whose node is not Ready: named while the start waits, acted on past the deadline.
    const notReady = servers.filter(
      (s) => s.status === "ACTIVE" && !s.taskState && kubeNodes.get(s.name)?.ready !== true,
    );
    const replaced = new Set<string>();
    const failedMasters: string[] = [];
    for (const s of notReady) {
      // No time yet (first seen, or a retry restarted the wait): from now.
      const seen = args.waitSince?.[s.name];
      const since = seen && !Number.isNaN(Date.parse(seen)) ? seen : new Date(now).toISOString();
      startWait[s.name] = since;
      const why = notReadyWhy(kubeNodes.get(s.name));
      const minutes = Math.max(1, Math.round((now - Date.parse(since)) / 60_000));
      if (now - Date.parse(since) < deadlineMs) continue;
      if (isMaster(s)) {
        failedMasters.push(`${s.name} is still not Ready ${minutes} min after it started (${why})`);
        continue;
      }
      // A worker: auto-healing's remedy, applied now instead of after the start.
      replaced.add(s.name);
      delete startWait[s.name];
      actions.push({
        label: `Replace ${s.name}: not Ready ${minutes} min after the start (handed to auto-healing)`,
        run: () => cloud.compute.deleteServer(s.id),
      });
      events.push({
        type: "Warning",
        reason: "AutoHealing",
        kind: "Node",
        name: s.name,
        message: `${s.name} was still not Ready ${minutes} min after it started (${why}): the start goes on without it, and auto-healing replaces it with a new server in node group ${groupOf(s) ?? "?"} (${s.availabilityZone})`,
      });
    }
    if (failedMasters.length > 0) {
      const serving = servers.filter((m) => isMaster(m) && kubeNodes.get(m.name)?.ready).length;
      failure = {
        step: "Wait for the masters to be Ready",
        message: `${failedMasters.join("; ")}. ${
          serving > 0
            ? `The cluster keeps serving with ${serving} Ready master${serving === 1 ? "" : "s"}.`
            : "No master is Ready: the Kubernetes API does not answer."
        } Look at the server's console log in your cloud; Retry waits for it again.`,
      };
    }
    const first = notReady.find((s) => !replaced.has(s.name));
    if (first) {
      const since = startWait[first.name]!;
      lagging = `Waiting for ${first.name} to be Ready: not Ready since ${clock(since)} (${notReadyWhy(kubeNodes.get(first.name))})${
        notReady.length - replaced.size > 1 ? ` (+${notReady.length - replaced.size - 1} more)` : ""
      }; deadline ${clock(new Date(Date.parse(since) + deadlineMs).toISOString())}`;
    }
    allReady = servers.every((s) => kubeNodes.get(s.name)?.ready === true || replaced.has(s.name));
    for (const name of replaced) cordoned = cordoned.filter((x) => x !== name);
    for (const name of args.cordonedByStop) {
      const n = kubeNodes.get(name);
      if (!n) {
        cordoned = cordoned.filter((x) => x !== name);
        continue;
      }
      if (n.ready && n.unschedulable)
        actions.push({ label: `Uncordon ${name}`, run: () => kube.setUnschedulable(name, false) });
      if (n.ready && !n.unschedulable) cordoned = cordoned.filter((x) => x !== name);
    }
  }
  const serversUp = servers.every((s) => s.status === "ACTIVE" && !s.taskState);
  const done = serversUp && allReady && cordoned.length === 0 && failure === null;
  return {
    actions,
    done,
    waiting: done
      ? null
      : !mastersUp
        ? "Starting masters"
        : !apiHealthy
          ? "Waiting for the Kubernetes API to answer"
          : !serversUp
            ? "Starting workers"
            : (lagging ?? "Waiting for the nodes the stop cordoned to be schedulable again"),
    cordoned,
    startWait,
    events,
    failure,
  };
}

/** How long a running node may stay not Ready during a start (auto-healing's own patience). */
export const START_READY_MS = 10 * 60_000;

export interface StartPlan {
  actions: Action[];
  done: boolean;
  waiting: string | null;
  cordoned: string[];
  startWait: Record<string, string>;
  events: ClusterEvent[];
  failure: { step: string; message: string } | null;
}

/** The start flow: masters, then workers once the API answers, then uncordon what the stop cordoned. */
export async function startPhase(scope: ClusterScope): Promise<PhaseResult> {
  const kube = scope.api?.kube ?? null;
  const kubeNodes = scope.api?.kubeNodes ?? null;
  const p = startPlan({
    cloud: scope.cloud,
    observed: scope.observed,
    kube,
    kubeNodes,
    apiHealthy: kube !== null && kubeNodes !== null && (await kube.readyz()),
    // Past the API wait (the masters run, the API never answered), the workers start anyway and the start
    // finishes with the "API unreachable" warning, instead of waiting without end.
    apiReachable: scope.spec.apiAccess.public && !apiGaveUp(scope),
    cordonedByStop: scope.cluster.status.cordonedByStop ?? [],
    waitSince: scope.cluster.status.startWait ?? {},
    now: scope.clusterNow,
    deadlineMs: scope.deps.nodeReadyWaitMs ?? START_READY_MS,
  });
  return {
    ...powerResult(scope, p, (s) => s.status === "ACTIVE" && kubeNodes?.get(s.name)?.ready === true),
    // A start ends whatever a stop waited for.
    status: () => ({ cordonedByStop: p.cordoned, startWait: p.startWait, stopWait: {} }),
    events: p.events,
    failure: p.failure,
  };
}

/** The operation waited its full API deadline and the Kubernetes API never answered. */
function apiGaveUp(scope: ClusterScope): boolean {
  const api = scope.api;
  return api !== null && api.anyMasterUp && api.kubeNodes === null && !api.waitLeft;
}
