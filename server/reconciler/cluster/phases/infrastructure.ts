import type { Action, ClusterScope, PhaseResult } from "../scope";
import { buildSteps, type Step } from "../steps";

/**
 * The cloud resources the spec wants, as one step graph (network, security
 * groups, masters and their etcd volumes, the API load balancer, workers;
 * addons' load balancers and volumes are the cluster's own, addon-resources.ts).
 * Every missing step whose
 * dependencies are done runs this pass, so wall time follows the longest
 * chain; Octavia takes one change at a time per load balancer.
 */
export function infrastructurePhase(scope: ClusterScope): PhaseResult {
  const { cloud, cluster, observed, catalog } = scope;
  const steps = [
    ...buildSteps({
      cloud,
      cluster,
      observed,
      catalog,
      userData: scope.api!.userData,
      groupTargets: scope.plan.groupTargets,
    }),
  ];
  const actions = runnable(scope, steps);
  const done = steps.filter((s) => s.state === "done").length;
  return {
    actions,
    done: done === steps.length,
    waiting: actions[0]?.label ?? steps.find((s) => s.state !== "done")?.label ?? null,
    steps,
    progress: { done, total: steps.length },
  };
}

/** Missing steps whose dependencies are done, one load-balancer mutation per load balancer. */
function runnable(scope: ClusterScope, steps: Step[]): Action[] {
  const { observed } = scope;
  const done = new Set(steps.filter((s) => s.state === "done").map((s) => s.key));
  const lbTaken = new Set<string>();
  if (observed.lb && observed.lb.provisioningStatus !== "ACTIVE") lbTaken.add("api");
  for (const x of observed.addonLbs) if (x.lb.provisioningStatus !== "ACTIVE") lbTaken.add(x.lb.name);
  for (const s of steps) if (s.lbMutation && s.state === "pending") lbTaken.add(s.lbKey ?? "api");
  const out: Action[] = [];
  for (const s of steps) {
    if (s.state !== "missing" || !s.deps.every((d) => done.has(d))) continue;
    if (s.lbMutation && s.key !== "lb") {
      const slot = s.lbKey ?? "api";
      if (lbTaken.has(slot)) continue;
      lbTaken.add(slot);
    }
    out.push({ label: s.label, run: s.run });
  }
  return out;
}
