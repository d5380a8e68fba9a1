import type { AddonStatus, ClusterStatus, PolicyStatus } from "@/db/schema";
import type { ClusterSpec } from "@/server/contracts/cluster";
import type { AdmissionRefusal, ComponentStatus } from "@/server/contracts/cluster-status";
import { ADDONS, addonEntry, checkValues } from "@/server/domain/addons";
import { SYSTEM, wantedCharts } from "@/server/domain/charts";
import { wantedStorageClasses } from "@/server/domain/storage-classes";
import { hashOf, webhookExemptNamespaces } from "@/server/kube/helm";
import {
  constraintManifest,
  LIBRARY_TEMPLATES,
  parseTemplateYaml,
  templatesOf,
} from "@/server/domain/policies";
import type { KubeClient, KubeNode } from "@/server/kube/client";
import { addonOf, type Observed } from "../observe";
import type { Step } from "../steps";
import { NOTHING, type Action, type ClusterEvent, type ClusterScope, type PhaseResult } from "../scope";
import { addonCloudState, resourceSummary } from "../addon-resources";
import { helmPlan, type ChartState, type HelmPlan } from "../helm-plan";

/**
 * What runs inside the cluster (when the API answers): the Helm controller
 * and one HelmChart per system component and addon (helm-plan.ts), then
 * Gatekeeper's templates and constraints once its chart runs, each
 * stamped with the hash of what was applied so a repeat pass changes
 * nothing. Their cloud resources are the cluster's own: its cloud
 * controller's load balancers for their Services (addon-resources.ts).
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
  const addonsSettled =
    Object.values(prev.addons ?? {}).every((a) => a.phase === "Installed") &&
    Object.values(prev.components ?? {}).every((c) => c.phase === "Installed" || c.phase === "Failed");
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

export interface KubeAddonPlan {
  actions: Action[];
  /** Charts, cloud resources and Gatekeeper objects match the intent (pods may still be starting). */
  settled: boolean;
  /** Applied, but pods are not ready or Gatekeeper has not audited yet: look again soon. */
  warming: boolean;
  addons: Record<string, AddonStatus>;
  components: Record<string, ComponentStatus>;
  policies: PolicyStatus | undefined;
  /** Warning events for components and addons that became overdue this pass. */
  overdueEvents: ClusterEvent[];
}

/**
 * The charts to apply or remove (helm-plan.ts), addon status from the cloud
 * steps and the charts' install jobs and workloads, the system components'
 * status, and Gatekeeper's templates and constraints with their audit
 * results. `kube` null: the API does not answer (yet).
 */
export async function kubeAddonPlan(args: {
  kube: KubeClient | null;
  kubeNodes: Iterable<KubeNode>;
  cluster: { id: string; name: string; spec: ClusterSpec };
  observed: Observed;
  steps: Step[];
  stepErrors: Map<string, string>;
  prev: ClusterStatus;
  now: Date;
  /** The cloud controller's and CSI's credentials are in the cluster. */
  cloudConfig: boolean;
  /** The cloud's volume types (one StorageClass each), when the catalog is known. */
  volumeTypes?: { types: ReadonlyArray<{ id: string; name: string }>; defaultId: string | null };
  /** How long a chart may stay Installing before it reads overdue (default ADDON_INSTALL_MS). */
  installDeadlineMs?: number;
}): Promise<KubeAddonPlan> {
  const { kube, cluster, observed: o, now } = args;
  const spec = cluster.spec;
  const nowIso = now.toISOString();
  const prevAddons = args.prev.addons ?? {};
  const prevComponents = args.prev.components ?? {};
  const wanted = wantedCharts(spec, {
    clusterId: cluster.id,
    nodeCidr: o.subnet?.cidr ?? null,
    cloudConfig: args.cloudConfig,
  });
  const actions: Action[] = [];
  const addons: Record<string, AddonStatus> = {};
  const components: Record<string, ComponentStatus> = {};
  let settled = true;
  let warming = false;

  let helm: HelmPlan | null = null;
  let helmError: string | null = null;
  if (kube) {
    try {
      helm = await helmPlan(
        kube,
        wanted,
        args.kubeNodes,
        spec.policies?.gatekeeper ? webhookExemptNamespaces(spec.cni ?? "calico") : [],
        args.cloudConfig && args.volumeTypes
          ? wantedStorageClasses(args.volumeTypes.types, args.volumeTypes.defaultId)
          : null,
      );
    } catch (err) {
      helmError = err instanceof Error ? err.message : String(err);
    }
  }
  if (helm) {
    actions.push(...helm.actions);
    if (!helm.settled) settled = false;
    if (helm.installing) warming = true;
  } else settled = false;
  const unreachable = !kube ? "Waiting for the Kubernetes API" : `Reading the cluster's charts: ${helmError}`;

  // An install's clock (its deadline: ADDON_INSTALL_MS) starts once the charts can be read: while the API
  // does not answer, what is to install has no time yet ("").
  const since = (prev: { phase: string; since: string } | undefined, phase: string) =>
    !helm && phase === "Installing" ? "" : prev?.phase === phase && prev.since ? prev.since : nowIso;
  components["helm-controller"] = {
    title: "Helm controller",
    version: SYSTEM.helmController.image.split(":").at(-1) ?? "",
    ...(helm?.controller ?? { phase: "Installing", message: unreachable }),
    since: since(prevComponents["helm-controller"], helm?.controller.phase ?? "Installing"),
  };
  for (const w of wanted.filter((x) => x.kind === "system")) {
    const st = helm?.charts.get(w.name) ?? { phase: "Installing" as const, message: unreachable };
    components[w.name] = {
      title: w.title,
      version: w.version,
      ...st,
      since: since(prevComponents[w.name], st.phase),
    };
  }
  // The cloud charts cannot go in without a credential of the cluster's own: say why, where they would be.
  const unavailable =
    args.prev.cloudIntegration?.available === false ? args.prev.cloudIntegration.reason : null;
  if (unavailable && !args.cloudConfig)
    for (const c of SYSTEM.charts.filter((x) => x.role === "cloud-controller" || x.role === "csi"))
      components[c.id] = {
        title: c.name,
        version: "",
        phase: "Failed",
        message: unavailable,
        since: since(prevComponents[c.id], "Failed"),
      };
  for (const name of helm?.removing ?? [])
    if (
      !wanted.some((w) => w.name === name) &&
      !spec.addons.some((a) => a.id === name) &&
      !addonEntryIds.has(name)
    )
      components[name] = {
        title: prevComponents[name]?.title ?? name,
        version: prevComponents[name]?.version ?? "",
        phase: "Removing",
        message: "Waiting for Helm to uninstall the release",
        since: since(prevComponents[name], "Removing"),
      };

  for (const w of wanted.filter((x) => x.kind === "addon")) {
    // Its chart's load balancer, which the cluster's cloud controller makes (once the chart made the Service).
    const entry = addonEntry(w.name);
    const values = entry
      ? checkValues(entry, spec.addons.find((a) => a.id === w.name)?.values ?? "").value
      : null;
    const cloud =
      entry && values && helm?.charts.get(w.name)?.phase === "Installed"
        ? addonCloudState(o, cluster, { entry, values }, unavailable)
        : { done: true, waiting: null, failed: null };
    // Its chart failing to apply.
    const applyError = [...args.stepErrors].find(
      ([label]) => label.startsWith(`Install ${w.title} `) || label.startsWith(`Update ${w.title} `),
    );
    const chart = helm?.charts.get(w.name) ?? { phase: "Installing" as const, message: unreachable };
    if (!cloud.done) settled = false;
    const phase: AddonStatus["phase"] =
      applyError || cloud.failed || chart.phase === "Failed"
        ? "Failed"
        : chart.phase === "Installed" && cloud.done
          ? "Installed"
          : "Installing";
    addons[w.name] = {
      phase,
      version: w.version,
      message: applyError
        ? `${applyError[0]}: ${applyError[1]}`
        : chart.phase === "Failed"
          ? chart.message
          : (cloud.failed ?? cloud.waiting ?? chart.message),
      since: since(prevAddons[w.name], phase),
      resources: resourceSummary(o, cluster.id, w.name),
    };
  }
  // Addons the spec no longer wants: Removing until their chart and cloud resources are gone.
  const wantedIds = new Set(wanted.filter((w) => w.kind === "addon").map((w) => w.name));
  const leftovers = new Set<string>([
    ...(helm?.removing ?? []).filter((id) => addonEntryIds.has(id)),
    ...o.addonLbs.map((x) => x.addon).filter((id) => !wantedIds.has(id)),
    ...o.addonFips.map((f) => addonOf(f.tags) ?? "").filter((id) => id && !wantedIds.has(id)),
    ...[...o.volumes.values()]
      .map((v) => v.metadata["kc-addon"] ?? "")
      .filter((id) => id && !wantedIds.has(id)),
  ]);
  if (!helm)
    for (const id of Object.keys(prevAddons))
      if (!wantedIds.has(id) && prevAddons[id]?.phase === "Removing") leftovers.add(id);
  for (const id of leftovers) {
    settled = false;
    addons[id] = {
      phase: "Removing",
      version: prevAddons[id]?.version ?? "",
      message: "Removing its workloads and cloud resources",
      since: since(prevAddons[id], "Removing"),
      resources: resourceSummary(o, cluster.id, id),
    };
  }

  // ── Gatekeeper objects and audit ───────────────────────────────────────────
  const gk = await policiesPlan({
    kube: helm ? kube : null,
    cluster,
    prev: args.prev,
    gatekeeper: helm?.charts.get(GATEKEEPER_CHART) ?? null,
    nowIso,
  });
  actions.push(...gk.actions);
  if (!gk.settled) settled = false;
  if (gk.warming) warming = true;
  const overdueEvents = helm
    ? markOverdue(
        { addons, components },
        { prevAddons, prevComponents },
        now,
        args.installDeadlineMs ?? ADDON_INSTALL_MS,
      )
    : [];
  return { actions, settled, warming, addons, components, policies: gk.policies, overdueEvents };
}

/**
 * How long a system component or addon is expected to take to install, from
 * when its charts can be read: its Helm job scheduled and run, its pods
 * ready, its load balancer up.
 */
export const ADDON_INSTALL_MS = 15 * 60_000;

/** "45 s", "16 min". */
const duration = (ms: number) =>
  ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;

/**
 * Items still Installing past the deadline are marked overdue, their message
 * saying how long and where to look; a Warning event the first time. They
 * stay Installing: the Helm controller keeps trying, and one that finishes
 * late is Installed like any other.
 */
function markOverdue(
  now: { addons: Record<string, AddonStatus>; components: Record<string, ComponentStatus> },
  prev: { prevAddons: Record<string, AddonStatus>; prevComponents: Record<string, ComponentStatus> },
  at: Date,
  deadlineMs: number,
): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  const mark = (
    name: string,
    title: string,
    s: AddonStatus | ComponentStatus,
    before: { overdue?: boolean } | undefined,
  ) => {
    if (s.phase !== "Installing" || !s.since) return;
    const waited = at.getTime() - Date.parse(s.since);
    if (!(waited >= deadlineMs)) return;
    s.overdue = true;
    s.message = `Still installing ${duration(waited)} after it began (expected within ${duration(deadlineMs)}): ${s.message ?? "no word from its Helm install job"}. The Helm controller keeps trying; look at the install job helm-install-${name} and the release's pods and events in the cluster.`;
    if (!before?.overdue)
      events.push({
        type: "Warning",
        reason: "InstallOverdue",
        kind: "HelmChart",
        name,
        message: `${title} is still installing after ${duration(waited)}`,
      });
  };
  for (const [name, c] of Object.entries(now.components)) mark(name, c.title, c, prev.prevComponents[name]);
  for (const [name, a] of Object.entries(now.addons))
    mark(name, addonEntry(name)?.name ?? name, a, prev.prevAddons[name]);
  return events;
}

const addonEntryIds = new Set(ADDONS.map((a) => a.id));
const GATEKEEPER_CHART = "gatekeeper";

/** Gatekeeper's status and its templates' and constraints' actions, once its release runs. */
async function policiesPlan(args: {
  kube: KubeClient | null;
  cluster: { spec: ClusterSpec };
  prev: ClusterStatus;
  /** Gatekeeper's chart as the Helm plan saw it (null: not wanted, or the charts could not be read). */
  gatekeeper: ChartState | null;
  nowIso: string;
}): Promise<{ actions: Action[]; settled: boolean; warming: boolean; policies: PolicyStatus | undefined }> {
  const { kube, nowIso } = args;
  const spec = args.cluster.spec;
  const actions: Action[] = [];
  let settled = true;
  let warming = false;
  let policies: PolicyStatus | undefined = args.prev.policies;
  const gkWanted = spec.policies?.gatekeeper ?? false;
  const gkReady = args.gatekeeper?.phase === "Installed";
  if (!gkWanted) {
    policies = {
      at: nowIso,
      gatekeeper: args.gatekeeper?.phase === "Removing" ? "Removing" : "Off",
      constraints: {},
    };
  } else if (!kube) {
    policies = { ...(args.prev.policies ?? { constraints: {} }), at: nowIso, gatekeeper: "Unreachable" };
  } else if (!gkReady) {
    warming = true;
    policies = {
      at: nowIso,
      gatekeeper: "Installing",
      ...(args.gatekeeper?.phase === "Failed" && args.gatekeeper.message
        ? { error: args.gatekeeper.message }
        : {}),
      constraints: args.prev.policies?.constraints ?? {},
    };
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
      policies = { ...r.status, refusals: await refusalsOf(kube) };
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

/** Pods Gatekeeper refused, per object: the latest refusal each, newest first, at most 20. */
async function refusalsOf(kube: KubeClient): Promise<AdmissionRefusal[]> {
  const events = await kube.admissionRefusalEvents();
  const latest = new Map<string, AdmissionRefusal>();
  for (const e of events) {
    if (!e.message.includes("validation.gatekeeper.sh")) continue;
    const key = `${e.namespace}/${e.kind}/${e.name}`;
    const prev = latest.get(key);
    if (prev && (prev.at ?? "") >= (e.at ?? "")) continue;
    latest.set(key, {
      namespace: e.namespace,
      kind: e.kind,
      name: e.name,
      constraints: [...new Set([...e.message.matchAll(/\[([a-z0-9][a-z0-9.-]*)\]/g)].map((m) => m[1]!))],
      message: e.message.length > 1_000 ? `${e.message.slice(0, 999)}…` : e.message,
      at: e.at,
    });
  }
  return [...latest.values()].sort((a, b) => (b.at ?? "").localeCompare(a.at ?? "")).slice(0, 20);
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
    const h = hashOf(t.manifest);
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
    const h = hashOf(manifest);
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
  // On the cluster clock (the test clock in tests), like the other timers of a converged cluster.
  const clusterDate = new Date(scope.clusterNow);
  if (!api || api.pki.rotationStartedAt || kubeSyncFresh(cluster.status, cluster.generation, clusterDate))
    return NOTHING;
  const lastError = cluster.status.lastError;
  const kubeNodes = api.kubeNodes;
  const plan = await kubeAddonPlan({
    kube: api.kube && kubeNodes ? api.kube : null,
    kubeNodes: kubeNodes?.values() ?? [],
    cloudConfig: scope.plan.cloudConfigReady,
    // The class of the type node disks use by default is the cluster's default.
    volumeTypes: {
      types: scope.catalog.volumeTypes,
      defaultId: scope.catalog.volumeTypes.find((t) => t.name === scope.catalog.nodeDiskType)?.id ?? null,
    },
    cluster,
    observed: scope.observed,
    steps: scope.plan.steps,
    stepErrors: new Map(lastError ? [[lastError.step, lastError.message]] : []),
    prev: cluster.status,
    now,
    installDeadlineMs: scope.deps.addonInstallWaitMs,
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
    events: plan.overdueEvents,
    status: () => ({
      addons: plan.addons,
      components: plan.components,
      policies: plan.policies,
      kubeSync:
        plan.settled && !plan.warming && kubeNodes !== null
          ? { generation: cluster.generation, at: clusterDate.toISOString() }
          : cluster.status.kubeSync,
    }),
  };
}
