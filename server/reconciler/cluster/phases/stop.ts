import type { KubeClient, KubeNode } from "@/server/kube/client";
import type { OpenStackCloud } from "@/server/openstack";
import type { Server } from "@/server/openstack/compute";
import type { Observed } from "../observe";
import type { Action, ClusterScope, PhaseResult } from "../scope";
import { byName, isMaster, live, powerResult } from "../servers";

/** Cordon workers, stop workers, then masters (disks, network, LB and addresses stay). */
export function stopPlan(args: {
  cloud: OpenStackCloud;
  observed: Observed;
  kube: KubeClient | null;
  kubeNodes: Map<string, KubeNode> | null;
  cordonedByStop: string[];
}): { actions: Action[]; done: boolean; waiting: string | null; cordoned: string[] } {
  const { cloud, observed: o, kube, kubeNodes } = args;
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
  const toStop = (list: Server[]) =>
    list
      .filter((s) => s.status === "ACTIVE" && !s.taskState)
      .map((s) => ({
        label: `Stop ${s.name}`,
        run: () => cloud.compute.stopServer(s.id),
        event: { type: "Normal" as const, reason: "Stopping", kind: "Node", name: s.name },
      }));
  const workersDown = workers.every((s) => s.status === "SHUTOFF" || s.status === "ERROR");
  if (actions.length === 0) actions.push(...toStop(workers));
  if (workersDown) actions.push(...toStop(masters));
  const done = servers.every((s) => s.status === "SHUTOFF" || s.status === "ERROR");
  const busy = servers.find((s) => s.taskState === "powering-off");
  return {
    actions,
    done,
    waiting: done
      ? null
      : busy
        ? `Waiting for ${busy.name} to power off`
        : workersDown
          ? "Stopping masters"
          : "Stopping workers",
    cordoned: [...new Set(cordoned)],
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
  });
  return powerResult(scope, p, (s) => s.status === "SHUTOFF");
}
