import type { ComponentStatus } from "@/server/contracts/cluster-status";
import { HELMCHART_NAMESPACE, type WantedChart } from "@/server/domain/charts";
import type { KubeClient, KubeHelmChart, KubeNode } from "@/server/kube/client";
import {
  HELM_CONTROLLER,
  HELM_CONTROLLER_NAMESPACE,
  helmChartManifest,
  helmControllerManifests,
  HASH_ANNOTATION,
  storageClassManifest,
  type Manifest,
} from "@/server/kube/helm";
import type { WantedStorageClass } from "@/server/domain/storage-classes";
import type { Action } from "./scope";

/**
 * The Helm side of a cluster: the Helm controller's own objects, the
 * control-plane label its bootstrap jobs select masters by, one HelmChart
 * per wanted chart (applied when its stamped hash differs), HelmCharts no
 * longer wanted deleted, and each chart's state read from the objects: the
 * HelmChart, its install job (and the failed pod's log tail), then the
 * release's Deployments and DaemonSets.
 */

export type ChartPhase = ComponentStatus["phase"];
export interface ChartState {
  phase: ChartPhase;
  message: string | null;
}

/** The label bootstrap charts' jobs select masters by: kubeadm sets it empty, helm-controller wants "true". */
export const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";
const JOB_LOG_LINES = 5;

export interface HelmPlan {
  actions: Action[];
  /** By chart name (wanted ones), plus the ones being removed. */
  charts: Map<string, ChartState>;
  removing: string[];
  /** The Helm controller's own state. */
  controller: ChartState;
  /** The controller and every wanted HelmChart applied as wanted, nothing left to remove. */
  settled: boolean;
  /** Applied, but some install job or workload is still on its way: look again soon. */
  installing: boolean;
}

const seconds = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) : NaN);

export async function helmPlan(
  kube: KubeClient,
  wanted: WantedChart[],
  nodes: Iterable<KubeNode>,
  /** Namespaces to label for Gatekeeper's webhook to skip (when Gatekeeper is wanted). */
  exemptNamespaces: Manifest[],
  /** The StorageClasses Cinder CSI provisions for; null: not managed now (no cloud credentials yet). */
  storageClasses: WantedStorageClass[] | null = null,
): Promise<HelmPlan> {
  const actions: Action[] = [];
  let settled = true;
  let installing = false;

  // ── The controller ──────────────────────────────────────────────────────────
  const manifests = [
    ...helmControllerManifests(),
    // The controller's own namespace is labelled in its manifest.
    ...exemptNamespaces.filter((m) => m.metadata.name !== HELM_CONTROLLER_NAMESPACE),
  ];
  const hashes = await Promise.all(manifests.map((m) => kube.appliedHash(m)));
  manifests.forEach((m, i) => {
    if (hashes[i] === m.metadata.annotations?.[HASH_ANNOTATION]) return;
    settled = false;
    actions.push({
      label:
        m.kind === "Namespace" && m.metadata.name !== HELM_CONTROLLER_NAMESPACE
          ? `Label namespace ${m.metadata.name} for Gatekeeper's webhook to skip`
          : `Apply the Helm controller's ${m.kind} ${m.metadata.name}`,
      run: () => kube.apply(m),
      ...(m.kind === "Deployment"
        ? {
            event: {
              type: "Normal" as const,
              reason: "HelmControllerApplied",
              kind: "Deployment",
              name: `${HELM_CONTROLLER_NAMESPACE}/${HELM_CONTROLLER}`,
            },
          }
        : {}),
    });
  });
  for (const n of nodes)
    if (n.controlPlane && n.controlPlaneLabel !== "true")
      actions.push({
        label: `Label master ${n.name} ${CONTROL_PLANE_LABEL}=true for the Helm controller's bootstrap jobs`,
        run: () => kube.labelNode(n.name, { [CONTROL_PLANE_LABEL]: "true" }),
      });

  const [controllerWorkloads, observed, legacy] = await Promise.all([
    kube.deploymentsIn(HELM_CONTROLLER_NAMESPACE),
    kube.listHelmCharts(),
    kube.listReleases(),
  ]);
  const ctl = controllerWorkloads.find((w) => w.name === HELM_CONTROLLER);
  const controllerReady = Boolean(
    ctl &&
    ctl.ready >= 1 &&
    hashes.every((h, i) => h === manifests[i]!.metadata.annotations?.[HASH_ANNOTATION]),
  );
  const controller: ChartState = controllerReady
    ? { phase: "Installed", message: null }
    : {
        phase: "Installing",
        message: ctl
          ? `Waiting for the Helm controller (${HELM_CONTROLLER_NAMESPACE}/${HELM_CONTROLLER}) to be ready on a master`
          : `Applying the Helm controller (${HELM_CONTROLLER_NAMESPACE}/${HELM_CONTROLLER})`,
      };

  // Releases an older console wrote as ConfigMaps: the HelmCharts replace them.
  for (const r of legacy)
    actions.push({
      label: `Remove the old release record of ${r.id} (now a HelmChart)`,
      run: () => kube.deleteRelease(r.id),
    });

  // ── The charts ─────────────────────────────────────────────────────────────
  const charts = new Map<string, ChartState>();
  const byName = new Map((observed ?? []).map((c) => [c.name, c]));
  for (const w of wanted) {
    const m = helmChartManifest(w);
    const seen = byName.get(w.name);
    if (!seen || seen.hash !== m.metadata.annotations?.[HASH_ANNOTATION] || seen.deleting) {
      settled = false;
      if (observed === null) {
        charts.set(w.name, {
          phase: "Installing",
          message: controllerReady
            ? "Waiting for the Helm controller to serve HelmCharts"
            : (controller.message ?? "Waiting for the Helm controller"),
        });
        continue;
      }
      if (!seen?.deleting)
        actions.push({
          label: `${seen ? "Update" : "Install"} ${w.title} (chart ${w.chart} ${w.version})`,
          run: () => kube.apply(m),
          event: {
            type: "Normal",
            reason: seen ? "ChartUpdated" : "ChartInstalling",
            kind: "HelmChart",
            name: w.name,
          },
        });
      charts.set(w.name, {
        phase: "Installing",
        message: seen?.deleting
          ? "Waiting for the previous release to be uninstalled"
          : `Applying its HelmChart (${w.chart} ${w.version})`,
      });
      continue;
    }
    const state = await chartState(kube, w, seen, controllerReady);
    if (state.phase !== "Installed") installing = true;
    charts.set(w.name, state);
  }

  // ── StorageClasses, one per volume type ────────────────────────────────────
  if (storageClasses) {
    const have = await kube.listStorageClasses();
    const byClass = new Map(have.map((c) => [c.name, c]));
    for (const sc of storageClasses) {
      const m = storageClassManifest(sc);
      const seen = byClass.get(sc.name);
      if (seen?.hash === m.metadata.annotations?.[HASH_ANNOTATION]) continue;
      // A class someone else made under this name is theirs: left alone.
      if (seen && !seen.managed) continue;
      settled = false;
      actions.push({
        label: `${seen ? "Update" : "Create"} StorageClass ${sc.name} (Cinder volume type ${sc.volumeType}${sc.isDefault ? ", default" : ""})`,
        run: () => kube.apply(m),
      });
    }
    const wantedClasses = new Set(storageClasses.map((c) => c.name));
    for (const c of have)
      if (c.managed && !wantedClasses.has(c.name)) {
        settled = false;
        actions.push({
          label: `Delete StorageClass ${c.name} (its volume type is gone)`,
          run: () => kube.deleteStorageClass(c.name),
        });
      }
  }

  // ── Charts no longer wanted ───────────────────────────────────────────────
  const wantedNames = new Set(wanted.map((w) => w.name));
  const removing: string[] = [];
  for (const c of observed ?? []) {
    if (wantedNames.has(c.name)) continue;
    settled = false;
    removing.push(c.name);
    charts.set(c.name, { phase: "Removing", message: "Waiting for Helm to uninstall the release" });
    if (!c.deleting)
      actions.push({
        label: `Uninstall ${c.name}`,
        run: () => kube.deleteHelmChart(c.name),
        event: { type: "Normal", reason: "ChartRemoving", kind: "HelmChart", name: c.name },
      });
  }
  if (!controllerReady) installing = true;
  return { actions, charts, removing, controller, settled, installing };
}

/** A chart applied as wanted: its install job, then its release's workloads. */
async function chartState(
  kube: KubeClient,
  w: WantedChart,
  seen: KubeHelmChart,
  controllerReady: boolean,
): Promise<ChartState> {
  const failedCondition = seen.conditions.find((c) => c.type === "Failed" && c.status === "True");
  const job = seen.jobName ? await kube.getJob(HELMCHART_NAMESPACE, seen.jobName) : null;
  // A job made before the console's last apply is the previous change's.
  const fresh = job !== null && !(seconds(job.createdAt) < seconds(seen.appliedAt));
  if (!job || !fresh)
    return {
      phase: "Installing",
      message: controllerReady
        ? `Waiting for the Helm controller to start the install job for ${w.chart} ${w.version}`
        : "Waiting for the Helm controller to be ready",
    };
  const jobRef = `${HELMCHART_NAMESPACE}/${seen.jobName}`;
  const jobFailed = job.conditions.some((c) => c.type === "Failed" && c.status === "True");
  if (jobFailed || (failedCondition && job.succeeded === 0)) {
    const log = await kube.failedJobLog(HELMCHART_NAMESPACE, seen.jobName!, JOB_LOG_LINES).catch(() => null);
    return {
      phase: "Failed",
      message: `Install job ${jobRef} failed${log ? `: ${lastLines(log)}` : ` (${failedCondition?.message || "no log left"})`}`,
    };
  }
  if (job.succeeded === 0) {
    const retrying =
      job.failed > 0
        ? await kube.failedJobLog(HELMCHART_NAMESPACE, seen.jobName!, JOB_LOG_LINES).catch(() => null)
        : null;
    return {
      phase: "Installing",
      message: retrying
        ? `Helm is retrying ${w.chart} ${w.version} (job ${jobRef}); last attempt: ${lastLines(retrying)}`
        : `Helm is installing ${w.chart} ${w.version} (job ${jobRef})`,
    };
  }
  const workloads = await kube.releaseWorkloads(w.targetNamespace, w.name);
  const notReady = workloads.filter((x) => x.ready < x.desired || x.desired === 0);
  if (notReady.length > 0)
    return {
      phase: "Installing",
      message: `Waiting for ${notReady
        .slice(0, 3)
        .map(
          (x) =>
            `${x.kind === "Deployment" ? "deployment" : "daemonset"} ${x.namespace}/${x.name} (${x.ready}/${x.desired} ready)`,
        )
        .join(", ")}${notReady.length > 3 ? ` and ${notReady.length - 3} more` : ""}`,
    };
  return { phase: "Installed", message: null };
}

/** The log's last non-empty lines on one line, at most 300 characters. */
function lastLines(log: string): string {
  const lines = log
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const text = lines.slice(-2).join(" · ");
  return text.length > 300 ? `…${text.slice(-299)}` : text;
}
