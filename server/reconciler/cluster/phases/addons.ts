import type { AddonStatus, ClusterStatus, PolicyStatus } from "@/db/schema";
import type { ClusterSpec } from "@/server/contracts/cluster";
import { addonResources, addonWorkloads } from "@/server/domain/addons";
import {
  constraintManifest,
  LIBRARY_TEMPLATES,
  parseTemplateYaml,
  templatesOf,
} from "@/server/domain/policies";
import type { KubeClient } from "@/server/kube/client";
import { addonOf, type Observed } from "../observe";
import type { Step } from "../steps";
import { NOTHING, type Action, type ClusterScope, type PhaseResult } from "../scope";
import { GATEKEEPER, hash, resourceSummary, wantedAddons } from "../addon-resources";

/**
 * Addons and Gatekeeper inside the cluster (when the API answers): one
 * release ConfigMap per addon (kube-system/kc-addon-<id>) carrying the
 * rendered workloads, then Gatekeeper's templates and constraints, each
 * stamped with the hash of what was applied so a repeat pass changes
 * nothing. Their cloud resources are steps of the infrastructure phase
 * (addon-resources.ts).
 */

/** How long a clean sync of releases and Gatekeeper objects is trusted before the cluster is read again. */
export const KUBE_SYNC_MS = 60_000;

/**
 * Whether the last pass found the cluster's releases and Gatekeeper objects
 * matching this generation, recently, with nothing still starting: then a
 * pass need not read them again (the periodic resync does, once a minute,
 * which also refreshes the audit and repairs drift).
 */
export function kubeSyncFresh(prev: ClusterStatus, generation: number, now: Date): boolean {
  const s = prev.kubeSync;
  if (!s || s.generation !== generation || now.getTime() - new Date(s.at).getTime() >= KUBE_SYNC_MS)
    return false;
  const addonsSettled = Object.values(prev.addons ?? {}).every((a) => a.phase === "Installed");
  const p = prev.policies;
  const policiesSettled =
    !p ||
    p.gatekeeper === "Off" ||
    (p.gatekeeper === "Ready" &&
      !p.error &&
      Object.values(p.constraints).every(
        (c) =>
          c.state !== "Pending" && (c.state !== "Enforced" || c.totalViolations !== null || c.auditError),
      ));
  return addonsSettled && policiesSettled;
}

interface Release {
  id: string;
  namespace: string;
  hash: string;
  data: Record<string, string>;
  deployments: Array<{ name: string; replicas: number }>;
}

function releasesOf(spec: ClusterSpec): Release[] {
  const out: Release[] = [];
  for (const a of wantedAddons(spec)) {
    const v = a.entry.versions.find((x) => x.version === a.version);
    const workloads = addonWorkloads(a.entry, a.values);
    const repo = a.entry.imageRepo ?? "registry.k8s.io";
    const { loadBalancers } = addonResources(a.entry, a.values);
    const manifest = {
      namespace: a.entry.namespace,
      deployments: workloads.map((w) => ({
        ...w,
        image: `${repo}/${w.name}:v${v?.appVersion ?? a.version}`,
      })),
      services: loadBalancers.map((lb) => ({
        name: `${a.id}-${lb.name}`,
        type: "LoadBalancer" as const,
        ports: lb.listeners.map((l) => ({ port: l.port, nodePort: l.nodePort })),
      })),
    };
    const data = {
      chart: a.id,
      version: a.version,
      appVersion: v?.appVersion ?? "",
      namespace: a.entry.namespace,
      "values.yaml": (spec.addons ?? []).find((x) => x.id === a.id)?.values ?? "",
      "manifest.json": JSON.stringify(manifest),
    };
    out.push({ id: a.id, namespace: a.entry.namespace, hash: hash(data), data, deployments: workloads });
  }
  if (spec.policies?.gatekeeper) {
    const manifest = {
      namespace: GATEKEEPER.namespace,
      deployments: GATEKEEPER.deployments.map((d) => ({
        ...d,
        image: `docker.io/openpolicyagent/gatekeeper:v${GATEKEEPER.version}`,
      })),
      services: [],
    };
    const data = {
      chart: "gatekeeper",
      version: GATEKEEPER.version,
      appVersion: GATEKEEPER.version,
      namespace: GATEKEEPER.namespace,
      "values.yaml": "auditInterval: 60\nconstraintViolationsLimit: 20\n",
      "manifest.json": JSON.stringify(manifest),
    };
    out.push({
      id: GATEKEEPER.id,
      namespace: GATEKEEPER.namespace,
      hash: hash(data),
      data,
      deployments: GATEKEEPER.deployments.map((d) => ({ name: d.name, replicas: d.replicas })),
    });
  }
  return out;
}

export interface KubeAddonPlan {
  actions: Action[];
  /** Releases, cloud resources and Gatekeeper objects match the intent (pods may still be starting). */
  settled: boolean;
  /** Applied, but pods are not ready or Gatekeeper has not audited yet: look again soon. */
  warming: boolean;
  addons: Record<string, AddonStatus>;
  policies: PolicyStatus | undefined;
}

/**
 * Releases to write or remove, addon status from the cloud steps and the
 * workloads' readiness, and Gatekeeper's templates and constraints with
 * their audit results. `kube` null: the API does not answer (yet).
 */
export async function kubeAddonPlan(args: {
  kube: KubeClient | null;
  cluster: { name: string; spec: ClusterSpec };
  observed: Observed;
  steps: Step[];
  stepErrors: Map<string, string>;
  prev: ClusterStatus;
  now: Date;
}): Promise<KubeAddonPlan> {
  const { kube, cluster, observed: o, now } = args;
  const spec = cluster.spec;
  const nowIso = now.toISOString();
  const prevAddons = args.prev.addons ?? {};
  const wanted = releasesOf(spec);
  const actions: KubeAddonPlan["actions"] = [];
  const addons: Record<string, AddonStatus> = {};
  let settled = true;
  let warming = false;

  const { observedReleases, readiness } = await observeReleases(kube, wanted);

  const since = (id: string, phase: AddonStatus["phase"]) =>
    prevAddons[id]?.phase === phase ? prevAddons[id]!.since : nowIso;
  for (const w of wanted) {
    const cloudSteps = args.steps.filter((s) => s.key.startsWith(`addon:${w.id}:`));
    const cloudDone = cloudSteps.every((s) => s.state === "done");
    const errorStep = cloudSteps.find((s) => args.stepErrors.has(s.label));
    // The release itself failing to apply, or a load balancer Octavia put in ERROR.
    const releaseError = [...args.stepErrors].find(
      ([label]) => label.startsWith(`Install ${w.id} `) || label.startsWith(`Update ${w.id} `),
    );
    const brokenLb = o.addonLbs.find((x) => x.addon === w.id && x.lb.provisioningStatus === "ERROR");
    const applied = observedReleases?.get(w.id) === w.hash;
    if (observedReleases && !applied)
      actions.push({
        label: `${observedReleases.has(w.id) ? "Update" : "Install"} ${w.id} ${w.data.version}`,
        run: () => kube!.putRelease(w.id, w.hash, w.data),
        event: {
          type: "Normal",
          reason: observedReleases.has(w.id) ? "AddonUpdated" : "AddonInstalling",
          kind: "Addon",
          name: w.id,
        },
      });
    const ready = applied && cloudDone && readiness.get(w.id) === true;
    if (!applied || !cloudDone) settled = false;
    else if (!ready) warming = true;
    if (w.id === GATEKEEPER.id) continue;
    const failed = errorStep ?? releaseError ?? brokenLb;
    const phase: AddonStatus["phase"] = failed ? "Failed" : ready ? "Installed" : "Installing";
    addons[w.id] = {
      phase,
      version: w.data.version ?? "",
      message: errorStep
        ? `${errorStep.label}: ${args.stepErrors.get(errorStep.label)}`
        : releaseError
          ? `${releaseError[0]}: ${releaseError[1]}`
          : brokenLb
            ? `Load balancer ${brokenLb.lb.name} is in ERROR; uninstall and install the addon again to replace it`
            : !kube
              ? "Waiting for the Kubernetes API"
              : !cloudDone
                ? (cloudSteps.find((s) => s.state !== "done")?.label ?? null)
                : !applied
                  ? "Applying the release"
                  : !ready
                    ? "Waiting for its pods to be ready"
                    : null,
      since: since(w.id, phase),
      resources: resourceSummary(o, w.id),
    };
  }
  // Releases and resources the spec no longer wants: Removing until both are gone.
  const wantedIds = new Set(wanted.map((w) => w.id));
  const leftovers = new Set<string>([
    ...[...(observedReleases?.keys() ?? [])].filter((id) => !wantedIds.has(id)),
    ...o.addonLbs.map((x) => x.addon).filter((id) => !wantedIds.has(id)),
    ...o.addonFips.map((f) => addonOf(f.tags) ?? "").filter((id) => id && !wantedIds.has(id)),
    ...[...o.volumes.values()]
      .map((v) => v.metadata["kc-addon"] ?? "")
      .filter((id) => id && !wantedIds.has(id)),
  ]);
  if (!observedReleases)
    for (const id of Object.keys(prevAddons))
      if (!wantedIds.has(id) && prevAddons[id]?.phase === "Removing") leftovers.add(id);
  for (const id of leftovers) {
    settled = false;
    if (observedReleases?.has(id))
      actions.push({
        label: `Uninstall ${id}`,
        run: () => kube!.deleteRelease(id),
        event: { type: "Normal", reason: "AddonRemoving", kind: "Addon", name: id },
      });
    if (id === GATEKEEPER.id) continue;
    addons[id] = {
      phase: "Removing",
      version: prevAddons[id]?.version ?? "",
      message: "Removing its workloads and cloud resources",
      since: since(id, "Removing"),
      resources: resourceSummary(o, id),
    };
  }

  // ── Gatekeeper objects and audit ───────────────────────────────────────────
  const gk = await policiesPlan({ ...args, observedReleases, readiness, nowIso });
  actions.push(...gk.actions);
  if (!gk.settled) settled = false;
  if (gk.warming) warming = true;
  return { actions, settled, warming, addons, policies: gk.policies };
}

/** The releases in the cluster (id → hash) and whether each wanted release's deployments are ready. */
async function observeReleases(kube: KubeClient | null, wanted: Release[]) {
  let observedReleases: Map<string, string> | null = null;
  let readiness = new Map<string, boolean>();
  if (kube) {
    try {
      observedReleases = new Map((await kube.listReleases()).map((r) => [r.id, r.hash]));
      const namespaces = [...new Set(wanted.map((w) => w.namespace))];
      const lists = await Promise.all(
        namespaces.map(async (ns) => [ns, await kube.deploymentsIn(ns)] as const),
      );
      const byNs = new Map(lists);
      readiness = new Map(
        wanted.map((w) => [
          w.id,
          w.deployments.every((d) => {
            const found = byNs.get(w.namespace)?.find((x) => x.name === d.name);
            return found !== undefined && found.ready >= d.replicas;
          }),
        ]),
      );
    } catch {
      observedReleases = null;
    }
  }

  return { observedReleases, readiness };
}

/** Gatekeeper's status and its templates' and constraints' actions, once its release runs. */
async function policiesPlan(args: {
  kube: KubeClient | null;
  cluster: { spec: ClusterSpec };
  prev: ClusterStatus;
  observedReleases: Map<string, string> | null;
  readiness: Map<string, boolean>;
  nowIso: string;
}): Promise<{ actions: Action[]; settled: boolean; warming: boolean; policies: PolicyStatus | undefined }> {
  const { kube, observedReleases, readiness, nowIso } = args;
  const spec = args.cluster.spec;
  const actions: Action[] = [];
  let settled = true;
  let warming = false;
  let policies: PolicyStatus | undefined = args.prev.policies;
  const gkWanted = spec.policies?.gatekeeper ?? false;
  const gkReady = observedReleases?.get(GATEKEEPER.id) !== undefined && readiness.get(GATEKEEPER.id) === true;
  if (!gkWanted) {
    policies = {
      at: nowIso,
      gatekeeper: observedReleases?.has(GATEKEEPER.id) ? "Removing" : "Off",
      constraints: {},
    };
  } else if (!kube || !observedReleases) {
    policies = { ...(args.prev.policies ?? { constraints: {} }), at: nowIso, gatekeeper: "Unreachable" };
  } else if (!gkReady) {
    warming = true;
    policies = { at: nowIso, gatekeeper: "Installing", constraints: args.prev.policies?.constraints ?? {} };
  } else {
    try {
      const r = await gatekeeperPlan(kube, spec, nowIso);
      actions.push(...r.actions);
      if (r.actions.length) settled = false;
      if (
        Object.values(r.status.constraints).some(
          (c) => c.state === "Enforced" && c.totalViolations === null && !c.auditError,
        )
      )
        warming = true;
      policies = r.status;
    } catch (err) {
      settled = false;
      policies = {
        ...(args.prev.policies ?? { constraints: {} }),
        at: nowIso,
        gatekeeper: "Ready",
        error: err instanceof Error ? err.message : String(err),
      };
    }
  }
  return { actions, settled, warming, policies };
}

async function gatekeeperPlan(kube: KubeClient, spec: ClusterSpec, nowIso: string) {
  const actions: KubeAddonPlan["actions"] = [];
  const templates = [
    ...LIBRARY_TEMPLATES,
    ...spec.policies.templates.map((t) => parseTemplateYaml(t).template).filter((t) => t !== null),
  ];
  const known = templatesOf(spec.policies);
  const observedTemplates = (await kube.listTemplates()) ?? [];
  const tplByName = new Map(observedTemplates.map((t) => [t.name, t]));
  const wantedNames = new Set<string>();
  for (const t of templates) {
    wantedNames.add(t.name);
    const h = hash(t.manifest);
    if (tplByName.get(t.name)?.hash !== h)
      actions.push({
        label: `Apply constraint template ${t.kind}`,
        run: () => kube.applyGatekeeper(t.manifest, h),
      });
  }
  for (const t of observedTemplates)
    if (t.managed && !wantedNames.has(t.name))
      actions.push({
        label: `Delete constraint template ${t.kind}`,
        run: () => kube.deleteGatekeeper("ConstraintTemplate", t.name),
      });

  const present = new Set(observedTemplates.filter((t) => wantedNames.has(t.name)).map((t) => t.kind));
  const observedConstraints = await kube.listConstraints([...present]);
  const byKey = new Map(observedConstraints.map((c) => [`${c.kind}/${c.name}`, c]));
  const wantedKeys = new Set<string>();
  const constraints: PolicyStatus["constraints"] = {};
  for (const c of spec.policies.constraints) {
    const seen = byKey.get(`${c.kind}/${c.name}`);
    if (!c.enabled || !known.has(c.kind)) {
      constraints[c.name] = {
        state: c.enabled ? "Pending" : "Disabled",
        totalViolations: null,
        violations: [],
        auditTimestamp: null,
        auditError: null,
      };
      continue;
    }
    wantedKeys.add(`${c.kind}/${c.name}`);
    const manifest = constraintManifest(c);
    const h = hash(manifest);
    const current = seen?.hash === h;
    if (!current && present.has(c.kind))
      actions.push({
        label: `${seen ? "Update" : "Create"} constraint ${c.name} (${c.enforcementAction})`,
        run: () => kube.applyGatekeeper(manifest, h),
        event: {
          type: "Normal",
          reason: seen ? "ConstraintUpdated" : "ConstraintCreated",
          kind: c.kind,
          name: c.name,
        },
      });
    constraints[c.name] = {
      state: current ? "Enforced" : "Pending",
      totalViolations: current ? (seen?.totalViolations ?? null) : null,
      violations: current ? (seen?.violations ?? []) : [],
      auditTimestamp: current ? (seen?.auditTimestamp ?? null) : null,
      auditError: current ? (seen?.auditError ?? null) : null,
    };
  }
  for (const c of observedConstraints)
    if (c.managed && !wantedKeys.has(`${c.kind}/${c.name}`))
      actions.push({
        label: `Delete constraint ${c.name}`,
        run: () => kube.deleteGatekeeper(c.kind, c.name),
        event: { type: "Normal", reason: "ConstraintDeleted", kind: c.kind, name: c.name },
      });
  return { actions, status: { at: nowIso, gatekeeper: "Ready" as const, constraints } };
}

/** While addon pods start or Gatekeeper's first audit is due, a converged cluster is looked at this often. */
export const WARMING_MS = 5_000;

/** Addons' releases and Gatekeeper's objects in the cluster, while nothing else moves the nodes. */
export async function addonsPhase(scope: ClusterScope): Promise<PhaseResult> {
  const { cluster, api, now } = scope;
  if (!api || api.pki.rotationStartedAt || kubeSyncFresh(cluster.status, cluster.generation, now))
    return NOTHING;
  const lastError = cluster.status.lastError;
  const kubeNodes = api.kubeNodes;
  const plan = await kubeAddonPlan({
    kube: api.kube && kubeNodes ? api.kube : null,
    cluster,
    observed: scope.observed,
    steps: scope.plan.steps,
    stepErrors: new Map(lastError ? [[lastError.step, lastError.message]] : []),
    prev: cluster.status,
    now,
  });
  // Addon pods starting or Gatekeeper's first audit: look again soon, if a worker can run them.
  const warming = plan.warming && [...(kubeNodes?.values() ?? [])].some((n) => n.ready && !n.controlPlane);
  return {
    actions: plan.actions,
    // Installed and applied, unless the console cannot reach the API.
    done: plan.actions.length === 0 && (plan.settled || !api.forConsole || kubeNodes === null),
    waiting:
      plan.actions[0]?.label ??
      (plan.settled
        ? null
        : (Object.values(plan.addons).find((a) => a.phase !== "Installed")?.message ?? null)),
    ...(warming ? { requeueAfterMs: WARMING_MS } : {}),
    status: () => ({
      addons: plan.addons,
      policies: plan.policies,
      kubeSync:
        plan.settled && !plan.warming && kubeNodes !== null
          ? { generation: cluster.generation, at: now.toISOString() }
          : cluster.status.kubeSync,
    }),
  };
}
