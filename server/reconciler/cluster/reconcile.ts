import { eq } from "drizzle-orm";
import { clusters } from "@/db/schema";
import { NotFound } from "@/server/openstack";
import { EMPTY_CATALOG, storedCatalog } from "../catalog";
import { catalogOf, observe, observeApi } from "./observe";
import { currentOperation, persistDeleted, persistDeleting, persistPass, recordError } from "./persist";
import { addonsPhase } from "./phases/addons";
import { autoscalerPhase } from "./phases/autoscaler";
import { caRotationPhase } from "./phases/ca-rotation";
import { cloudCredentialPhase } from "./phases/cloud-credential";
import { infrastructurePhase } from "./phases/infrastructure";
import { lbHealthPhase } from "./phases/lb-health";
import { madeByClusterPhase } from "./phases/made-by-cluster";
import { inventoryPhase } from "./phases/inventory";
import { prunePhase } from "./phases/prune";
import { registrationPhase } from "./phases/registration";
import { startPhase } from "./phases/start";
import { stopPhase } from "./phases/stop";
import { teardownPhase } from "./phases/teardown";
import { upgradePhase } from "./phases/upgrade";
import {
  backoff,
  classify,
  type Action,
  type ClusterRow,
  type ClusterScope,
  type Flow,
  type PhaseFn,
  type PhaseResult,
  type PassResult,
  type ReconcileDeps,
} from "./scope";
import { nodeActionsPhase } from "./phases/node-actions";
import { live, outdated, specGroupTargets } from "./servers";
import { nodesOf, POLL_MS, PROGRESS_MS, summarize, type Ran } from "./status";
import { TerminalError } from "./steps";

export type { PassResult, ReconcileDeps } from "./scope";
export { backoff } from "./scope";

/** The phases of each flow, in order: earlier phases set group targets and steps for later ones. */
const FLOWS: Record<Exclude<Flow, "delete">, PhaseFn[]> = {
  stop: [stopPhase, madeByClusterPhase, inventoryPhase],
  start: [startPhase, madeByClusterPhase, inventoryPhase],
  upgrade: [upgradePhase, infrastructurePhase, prunePhase, madeByClusterPhase, inventoryPhase],
  converge: [
    caRotationPhase,
    autoscalerPhase,
    nodeActionsPhase,
    infrastructurePhase,
    registrationPhase,
    prunePhase,
    cloudCredentialPhase,
    addonsPhase,
    lbHealthPhase,
    madeByClusterPhase,
    inventoryPhase,
  ],
};

/** Delete, stop, start, upgrade (servers on another version, or an upgrade not yet finished) or converge. */
function flowOf(cluster: ClusterRow, observed: ClusterScope["observed"]): Flow {
  if (cluster.deletionRequestedAt) return "delete";
  if (cluster.power === "off") return "stop";
  const prev = cluster.status;
  const liveServers = [...observed.servers.values()].filter(live);
  // A start runs until every node it started is Ready (or acted on past its deadline), not merely running.
  if (
    liveServers.some((s) => s.status === "SHUTOFF") ||
    (prev.cordonedByStop ?? []).length > 0 ||
    Object.keys(prev.startWait ?? {}).length > 0
  )
    return "start";
  if (
    outdated(cluster.spec, observed).length > 0 ||
    (prev.upgrade?.to === cluster.spec.version && !prev.upgrade.completedAt)
  )
    return "upgrade";
  return "converge";
}

async function runAll(actions: Action[]): Promise<Ran[]> {
  const results = await Promise.allSettled(actions.map((a) => a.run()));
  return results.map((r, i) => ({
    action: actions[i]!,
    error: r.status === "rejected" ? (r.reason as unknown) : null,
  }));
}

/** What a pass knows before its phases plan: the cloud observed, the catalog, the flow. */
export async function scopeOf(
  deps: ReconcileDeps,
  cluster: ClusterRow,
  operation: ClusterScope["operation"],
  cloud: ClusterScope["cloud"],
  now: Date,
): Promise<ClusterScope> {
  // Deleting needs no catalog beyond what is stored: an unreadable cloud catalog never blocks a delete.
  // The catalog is read (or loaded) while the cloud is observed: a pass costs no more round trips than before.
  const reading = cluster.deletionRequestedAt
    ? storedCatalog(deps.db, cluster.projectId).then((c) => c ?? EMPTY_CATALOG)
    : catalogOf(deps, cluster.projectId, cloud);
  const [catalog, observed] = await Promise.all([reading, observe(cloud, cluster, reading)]);
  return {
    deps,
    cluster,
    spec: cluster.spec,
    operation,
    cloud,
    now,
    clusterNow: deps.clock?.() ?? now.getTime(),
    flow: flowOf(cluster, observed),
    observed,
    catalog,
    liveServers: [...observed.servers.values()].filter(live),
    api: null,
    plan: {
      groupTargets: specGroupTargets(cluster, observed),
      steps: [],
      failure: null,
      cloudConfigReady: false,
    },
  };
}

/** A pass's whole scope for one cluster, the Kubernetes API view included (tests plan single phases with it). */
export async function passScope(deps: ReconcileDeps, clusterId: string): Promise<ClusterScope> {
  const [cluster] = await deps.db.select().from(clusters).where(eq(clusters.id, clusterId));
  if (!cluster) throw new Error(`no cluster ${clusterId}`);
  const operation = await currentOperation(deps.db, cluster.id);
  const now = new Date();
  const scope = await scopeOf(deps, cluster, operation, await deps.cloudFor(cluster.projectId), now);
  if (scope.flow !== "delete") scope.api = await observeApi(deps, cluster, operation, scope.observed, now);
  return scope;
}

/**
 * One level-triggered pass over one cluster: load → scope → observe →
 * choose the flow → plan its phases → run every action at once → status →
 * persist → requeue. Safe to repeat and to kill at any point: every step
 * first looks for its resource, so a repeat adopts instead of creating twice.
 */
export async function reconcileCluster(deps: ReconcileDeps, clusterId: string): Promise<PassResult> {
  const { db } = deps;
  const [cluster] = await db.select().from(clusters).where(eq(clusters.id, clusterId));
  if (!cluster || cluster.deletedAt) return { converged: true, requeueAfterMs: null, actions: [] };
  const cloud = await deps.cloudFor(cluster.projectId);
  const now = new Date();
  const operation = await currentOperation(db, cluster.id);
  const fail = async (step: string, err: unknown): Promise<PassResult> => {
    const c = classify(err);
    await recordError(db, cluster, operation?.id ?? null, { step, ...c }, now);
    return {
      converged: false,
      requeueAfterMs: c.terminal ? null : backoff(operation?.attempts ?? 0),
      actions: [],
    };
  };

  let scope: ClusterScope;
  try {
    scope = await scopeOf(deps, cluster, operation, cloud, now);
  } catch (err) {
    return fail("Observe the cloud", err);
  }
  if (scope.flow === "delete") return teardown(scope);
  scope.api = await observeApi(deps, cluster, operation, scope.observed, now);

  const results: PhaseResult[] = [];
  try {
    if (scope.observed.duplicates.length)
      throw new TerminalError(
        `More than one cloud resource carries the name ${scope.observed.duplicates.join(", ")} for this cluster; remove the extra one(s)`,
      );
    for (const phase of FLOWS[scope.flow]) {
      const r = await phase(scope);
      results.push(r);
      for (const [g, size] of r.groupTargets ?? []) scope.plan.groupTargets.set(g, size);
      if (r.steps) scope.plan.steps = r.steps;
      if (r.cloudConfigReady !== undefined) scope.plan.cloudConfigReady = r.cloudConfigReady;
      scope.plan.failure ??= r.failure ?? null;
    }
  } catch (err) {
    return fail("Plan", err);
  }
  const actions = results.flatMap((r) => r.actions);
  const ran = await runAll(actions);
  const outcome = summarize(scope, results, ran);
  await persistPass(scope, outcome);
  return {
    converged: outcome.converged,
    requeueAfterMs: outcome.requeueAfterMs,
    actions: actions.map((a) => a.label),
  };
}

/** The delete flow: tear down in reverse order until nothing tagged remains, then mark the cluster deleted. */
async function teardown(scope: ClusterScope): Promise<PassResult> {
  const { deps, cluster, operation, now } = scope;
  const plan = teardownPhase(scope);
  if (plan.done) {
    await persistDeleted(deps.db, cluster, operation, now);
    return { converged: true, requeueAfterMs: null, actions: [] };
  }
  const ran = await runAll(plan.actions);
  const failed = ran.find((r) => r.error && !(r.error instanceof NotFound));
  await persistDeleting(scope, {
    nodes: nodesOf(scope.observed, (f) => f ?? ""),
    failure: failed ? { step: failed.action.label, message: classify(failed.error).message } : null,
    progress: plan.progress!,
    currentStep: plan.waiting!,
    events: ran.flatMap(({ action: a, error }) =>
      a.event && !error ? [{ ...a.event, message: a.label }] : [],
    ),
  });
  return {
    converged: false,
    requeueAfterMs: failed ? backoff(operation?.attempts ?? 0) : plan.actions.length ? PROGRESS_MS : POLL_MS,
    actions: plan.actions.map((a) => a.label),
  };
}
