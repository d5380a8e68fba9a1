import type { KubeClient, KubeNode } from "@/server/kube/client";
import type { OpenStackCloud } from "@/server/openstack";
import type { Server } from "@/server/openstack/compute";
import type { Observed } from "../observe";
import type { Action, ClusterScope, PhaseResult } from "../scope";
import { byName, clock, isMaster, live, powerResult } from "../servers";

/** How long a server may take to power off after its stop was sent (Nova's own clean-shutdown wait is 60 s). */
export const STOP_POWER_OFF_MS = 10 * 60_000;

export interface StopPlan {
  actions: Action[];
  done: boolean;
  waiting: string | null;
  cordoned: string[];
  /** Servers whose stop was sent and that are not off yet: since when (cluster time, ISO; "" = from the next look). */
  stopWait: Record<string, string>;
  /** Servers still not off past the deadline: the stop fails with them named. */
  failure: { step: string; message: string } | null;
}

/** Cordon workers, stop workers, then masters (disks, network, LB and addresses stay). */
export function stopPlan(args: {
  cloud: OpenStackCloud;
  observed: Observed;
  kube: KubeClient | null;
  kubeNodes: Map<string, KubeNode> | null;
  cordonedByStop: string[];
  /** When each server's stop was first seen under way (the previous pass's stopWait). */
  waitSince?: Record<string, string>;
  /** Cluster time now. */
  now?: number;
  deadlineMs?: number;
}): StopPlan {
  const { cloud, observed: o, kube, kubeNodes } = args;
  const now = args.now ?? Date.now();
  const deadlineMs = args.deadlineMs ?? STOP_POWER_OFF_MS;
  const servers = [...o.servers.values()].filter(live).sort(byName);
  const workers = servers.filter((s) => !isMaster(s));
  const masters = servers.filter(isMaster);
  const actions: Action[] = [];
  const cordoned = [...args.cordonedByStop];
  // Cordon first (while the API still answers), so nothing is scheduled onto a node about to stop.
  if (kube && kubeNodes) {
    for (const w of workers) {
      const n = kubeNodes.get(w.name);
      if (n && !n.unschedulable && w.status === "ACTIVE") {
        cordoned.push(w.name);
        actions.push({ label: `Cordon ${w.name}`, run: () => kube.setUnschedulable(w.name, true) });
      }
    }
  }
  const stopAction = (s: Server): Action => ({
    label: `Stop ${s.name}`,
    run: () => cloud.compute.stopServer(s.id),
    event: { type: "Normal" as const, reason: "Stopping", kind: "Node", name: s.name },
  });
  const stoppable = (list: Server[]) => list.filter((s) => s.status === "ACTIVE" && !s.taskState);
  const workersDown = workers.every((s) => s.status === "SHUTOFF" || s.status === "ERROR");
  // Workers once cordoned, masters once the workers are down.
  const toSend = [
    ...(actions.length === 0 ? stoppable(workers) : []),
    ...(workersDown ? stoppable(masters) : []),
  ];
  actions.push(...toSend.map(stopAction));
  const done = servers.every((s) => s.status === "SHUTOFF" || s.status === "ERROR");

  // Every server whose stop is sent (now, or by an earlier pass) and that is not off yet has a deadline.
  const sent = new Set(toSend.map((s) => s.name));
  const stopWait: Record<string, string> = {};
  const late: string[] = [];
  for (const s of servers) {
    if (s.status === "SHUTOFF" || s.status === "ERROR") continue;
    const seen = args.waitSince?.[s.name];
    if (!sent.has(s.name) && s.taskState !== "powering-off" && seen === undefined) continue;
    const since = seen && !Number.isNaN(Date.parse(seen)) ? seen : new Date(now).toISOString();
    stopWait[s.name] = since;
    if (now - Date.parse(since) >= deadlineMs)
      late.push(
        `${s.name} has not powered off ${Math.round((now - Date.parse(since)) / 60_000)} min after its stop was sent (Nova: ${s.status}${s.taskState ? `, task ${s.taskState}` : ""})`,
      );
  }
  const off = servers.filter((s) => s.status === "SHUTOFF").length;
  const failure =
    late.length > 0
      ? {
          step: "Stop the servers",
          message: `${late.join("; ")}. ${off} of ${servers.length} servers are off; the rest keep running and billing. Look at the server in your cloud (its console log, or ask the operator to reset its state); Retry waits another ${Math.round(deadlineMs / 60_000)} min (sending the stop again where Nova takes it), and Cancel starts the cluster again.`,
        }
      : null;
  const waitingFor = servers.find((s) => stopWait[s.name]);
  return {
    actions,
    done,
    waiting: done
      ? null
      : waitingFor
        ? `Waiting for ${waitingFor.name} to power off: stop sent at ${clock(stopWait[waitingFor.name]!)} (Nova: ${waitingFor.status}${waitingFor.taskState ? `, task ${waitingFor.taskState}` : ""}); deadline ${clock(new Date(Date.parse(stopWait[waitingFor.name]!) + deadlineMs).toISOString())}`
        : workersDown
          ? "Stopping masters"
          : "Stopping workers",
    cordoned: [...new Set(cordoned)],
    stopWait,
    failure,
  };
}

/** The stop flow: its plan, and the workers it cordoned (the start uncordons them). */
export function stopPhase(scope: ClusterScope): PhaseResult {
  const p = stopPlan({
    cloud: scope.cloud,
    observed: scope.observed,
    kube: scope.api?.kube ?? null,
    kubeNodes: scope.api?.kubeNodes ?? null,
    cordonedByStop: scope.cluster.status.cordonedByStop ?? [],
    waitSince: scope.cluster.status.stopWait ?? {},
    now: scope.clusterNow,
  });
  return {
    ...powerResult(scope, p, (s) => s.status === "SHUTOFF"),
    status: () => ({ cordonedByStop: p.cordoned, startWait: {}, stopWait: p.stopWait }),
    failure: p.failure,
  };
}
