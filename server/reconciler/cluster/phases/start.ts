import type { KubeClient, KubeNode } from "@/server/kube/client";
import type { OpenStackCloud } from "@/server/openstack";
import type { Server } from "@/server/openstack/compute";
import type { Observed } from "../observe";
import type { Action, ClusterScope, PhaseResult } from "../scope";
import { byName, isMaster, live, powerResult } from "../servers";

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
}): { actions: Action[]; done: boolean; waiting: string | null; cordoned: string[] } {
  const { cloud, observed: o, kube, kubeNodes } = args;
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
  if (kube && kubeNodes && apiHealthy) {
    allReady = servers.every((s) => kubeNodes.get(s.name)?.ready === true);
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
  const done = serversUp && allReady && cordoned.length === 0;
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
            : "Waiting for every node to be Ready",
    cordoned,
  };
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
  });
  return powerResult(scope, p, (s) => s.status === "ACTIVE" && kubeNodes?.get(s.name)?.ready === true);
}

/** The operation waited its full API deadline and the Kubernetes API never answered. */
function apiGaveUp(scope: ClusterScope): boolean {
  const api = scope.api;
  return api !== null && api.anyMasterUp && api.kubeNodes === null && !api.waitLeft;
}
