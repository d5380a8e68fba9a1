import { createHash } from "node:crypto";
import { parse } from "yaml";
import type { Engine } from "../engine";
import { jobPodName } from "./api/applied";
import { deleteObject, ensureClaim, objectKey, putReleaseService, releaseServiceKeys } from "./api/objects";
import { fetchChart, isGatekeeperChart } from "./chart-index";
import { podReady, recordEvent, scaled, type NodeView } from "./model";
import { hardened } from "./sample";
import type { Deployment, EmulatedJob, KubeClusterState, StoredObject } from "./types";

/**
 * The emulated cluster's Helm controller (k3s-io/helm-controller) and the
 * objects the console applies: a Deployment applied to
 * helm-controller/helm-controller runs it on a master; once one of its pods
 * is ready it registers the HelmChart CRD and acts on each HelmChart as the
 * real one does: an install job `helm-install-<name>` in the HelmChart's
 * namespace (bootstrap charts need a master labelled
 * node-role.kubernetes.io/control-plane=true, others a worker), which after
 * a while either runs the release's workloads (chart-index.ts) or fails
 * with Helm's message in its pod's log, retried in place until backOffLimit;
 * a deleted HelmChart runs `helm-delete-<name>` and goes with its release.
 */

const JOB_RUN_MS = 15_000;
export const HELMCHART_CRD = "helmcharts.helm.cattle.io";
const CONTROLLER = { namespace: "helm-controller", name: "helm-controller" };

export const appliedKey = (apiVersion: string, kind: string, namespace: string | undefined, name: string) =>
  `${apiVersion}/${kind}/${namespace ?? ""}/${name}`;

export function helmCharts(k: KubeClusterState): StoredObject[] {
  return Object.values(k.applied ?? {}).filter((o) => o.kind === "HelmChart");
}

interface ChartSpec {
  repo: string;
  chart: string;
  version: string;
  targetNamespace: string;
  bootstrap: boolean;
  valuesContent: string;
  backOffLimit: number;
}
function specOf(o: StoredObject): ChartSpec {
  const s = (o.spec ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  return {
    repo: str(s.repo),
    chart: str(s.chart),
    version: str(s.version),
    targetNamespace: str(s.targetNamespace) || o.metadata.namespace || "default",
    bootstrap: s.bootstrap === true,
    valuesContent: str(s.valuesContent),
    backOffLimit: typeof s.backOffLimit === "number" ? s.backOffLimit : 1000,
  };
}
const specKey = (s: ChartSpec) => createHash("sha256").update(JSON.stringify(s)).digest("hex").slice(0, 16);

/** The controller runs: its Deployment has a ready pod. */
export function helmControllerRunning(
  engine: Engine,
  k: KubeClusterState,
  nodes: Map<string, NodeView>,
): boolean {
  return k.pods.some(
    (p) => p.namespace === CONTROLLER.namespace && p.app === CONTROLLER.name && podReady(engine, p, nodes),
  );
}

/** Whether a release of Gatekeeper's chart is installed (its CRDs and webhook are served). */
export function gatekeeperReleased(k: KubeClusterState): boolean {
  return helmCharts(k).some((o) => {
    const s = specOf(o);
    const job = k.jobs?.[`${o.metadata.namespace}/helm-install-${o.metadata.name}`];
    return isGatekeeperChart(s.repo, s.chart) && !o.metadata.deletionTimestamp && job?.state === "Succeeded";
  });
}

/**
 * The installed release of a chart (its install job succeeded and its
 * HelmChart is not being deleted): the namespace it went into and the
 * values it was installed with; null when there is none.
 */
export function installedRelease(
  k: KubeClusterState,
  chart: string,
): { namespace: string; values: Record<string, unknown> } | null {
  for (const o of helmCharts(k)) {
    const s = specOf(o);
    if (s.chart !== chart || o.metadata.deletionTimestamp) continue;
    if (k.jobs?.[`${o.metadata.namespace}/helm-install-${o.metadata.name}`]?.state !== "Succeeded") continue;
    let values: unknown = {};
    try {
      values = parse(s.valuesContent || "{}");
    } catch {
      values = {};
    }
    return {
      namespace: s.targetNamespace,
      values: values && typeof values === "object" ? (values as Record<string, unknown>) : {},
    };
  }
  return null;
}

/** One pass of the controller and its jobs. */
export function syncHelm(engine: Engine, k: KubeClusterState, nodes: NodeView[]): void {
  const now = engine.now();
  const byName = new Map(nodes.map((n) => [n.name, n]));
  k.jobs ??= {};
  k.crds ??= {};
  if (helmControllerRunning(engine, k, byName)) k.crds[HELMCHART_CRD] = true;
  else return; // Nothing acts on HelmCharts while the controller is down.
  for (const o of helmCharts(k)) {
    const ns = o.metadata.namespace ?? "kube-system";
    const name = o.metadata.name;
    const spec = specOf(o);
    const deleting = Boolean(o.metadata.deletionTimestamp);
    const jobName = `helm-${deleting ? "delete" : "install"}-${name}`;
    const jobKey = `${ns}/${jobName}`;
    const key = deleting ? "delete" : specKey(spec);
    let job = k.jobs[jobKey];
    if (!job || job.specKey !== key) {
      job = {
        namespace: ns,
        name: jobName,
        chart: name,
        specKey: key,
        createdAt: now,
        startedAt: null,
        attempts: 0,
        state: "Pending",
        log: [],
        bootstrap: spec.bootstrap,
      };
      k.jobs[jobKey] = job;
      if (deleting) delete k.jobs[`${ns}/helm-install-${name}`];
      o.status = {
        jobName,
        conditions: [
          {
            type: "JobCreated",
            status: "True",
            reason: "Job created",
            message: `Applying HelmChart using Job ${jobKey}`,
          },
          { type: "Failed", status: "False", reason: "", message: "" },
        ],
      };
      recordEvent(k, now, {
        namespace: ns,
        kind: "HelmChart",
        name,
        reason: "ApplyJob",
        message: `Applying HelmChart using Job ${jobKey}`,
        type: "Normal",
        component: "helm-controller",
      });
      k.resourceVersion++;
      engine.markDirty();
    }
    runJob(engine, k, o, spec, job, nodes, now);
  }
  // Jobs of HelmCharts that are gone.
  const live = new Set(helmCharts(k).map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
  for (const [key, j] of Object.entries(k.jobs))
    if (!live.has(`${j.namespace}/${j.chart}`)) delete k.jobs[key];
}

function runJob(
  engine: Engine,
  k: KubeClusterState,
  o: StoredObject,
  spec: ChartSpec,
  job: EmulatedJob,
  nodes: NodeView[],
  now: number,
): void {
  if (job.state === "Succeeded" || job.state === "Failed") return;
  // Where its pod may run: bootstrap jobs on a master the controller's selector matches, others on a ready worker.
  const host = job.bootstrap
    ? nodes.find(
        (n) =>
          n.ready &&
          n.config.role === "master" &&
          k.nodeLabels?.[n.name]?.["node-role.kubernetes.io/control-plane"] === "true",
      )
    : nodes.find((n) => n.ready && n.config.role === "worker" && !n.unschedulable && !n.uninitialized);
  if (!host) {
    if (job.state === "Pending" && job.lastUnschedulableAt === undefined) {
      job.lastUnschedulableAt = now;
      recordEvent(k, now, {
        namespace: job.namespace,
        kind: "Pod",
        name: jobPodName(job),
        reason: "FailedScheduling",
        message: job.bootstrap
          ? `0/${nodes.length} nodes are available: ${nodes.length} node(s) didn't match Pod's node affinity/selector.`
          : `0/${nodes.length} nodes are available: ${nodes.length} node(s) were unschedulable, not ready or had untolerated taints.`,
        type: "Warning",
        component: "default-scheduler",
      });
    }
    return;
  }
  if (job.startedAt === null) {
    job.startedAt = now;
    job.node = host.name;
    job.state = "Running";
    engine.markDirty();
  }
  if (now < job.startedAt + scaled(engine, JOB_RUN_MS) * (job.attempts + 1)) return;
  const name = o.metadata.name;
  if (job.specKey === "delete") {
    removeRelease(k, name);
    // helm uninstall deletes the release's Services; the claims of its StatefulSets stay, as Helm leaves them.
    for (const key of releaseServiceKeys(k, spec.targetNamespace, name)) deleteObject(k, key, now);
    delete k.applied![appliedKey(o.apiVersion, o.kind, o.metadata.namespace, name)];
    if (isGatekeeperChart(spec.repo, spec.chart)) {
      k.templates = {};
      k.constraints = {};
    }
    job.state = "Succeeded";
    k.resourceVersion++;
    engine.markDirty();
    return;
  }
  let values: Record<string, unknown> = {};
  try {
    const v: unknown = parse(spec.valuesContent || "{}");
    if (v && typeof v === "object") values = v as Record<string, unknown>;
  } catch (err) {
    return fail(
      engine,
      k,
      o,
      job,
      spec,
      `Error: failed to parse values: ${err instanceof Error ? err.message : String(err)}`,
      now,
    );
  }
  const r = fetchChart(name, spec.repo, spec.chart, spec.version, values);
  if ("error" in r) return fail(engine, k, o, job, spec, r.error, now);
  installRelease(k, name, spec, r.workloads);
  // Its Services (a changed chart drops the ones it no longer renders) and its workloads' claims.
  const services = new Set(r.services.map((x) => objectKey("Service", spec.targetNamespace, x.name)));
  for (const key of releaseServiceKeys(k, spec.targetNamespace, name))
    if (!services.has(key)) deleteObject(k, key, now);
  for (const x of r.services) putReleaseService(k, now, spec.targetNamespace, name, x);
  for (const w of r.workloads) for (const c of w.claims ?? []) ensureClaim(k, now, spec.targetNamespace, c);
  job.state = "Succeeded";
  job.log.push(`NAME: ${name}`, `NAMESPACE: ${spec.targetNamespace}`, "STATUS: deployed");
  k.resourceVersion++;
  engine.markDirty();
}

function fail(
  engine: Engine,
  k: KubeClusterState,
  o: StoredObject,
  job: EmulatedJob,
  spec: ChartSpec,
  message: string,
  now: number,
): void {
  job.attempts++;
  job.log = [
    `helm_v3 install --namespace ${spec.targetNamespace} ${o.metadata.name} ${o.metadata.name}/${spec.chart} --version ${spec.version}`,
    message,
  ];
  if (job.attempts > spec.backOffLimit) {
    job.state = "Failed";
    o.status = {
      ...(o.status as Record<string, unknown>),
      conditions: [
        {
          type: "JobCreated",
          status: "True",
          reason: "Job created",
          message: `Applying HelmChart using Job ${job.namespace}/${job.name}`,
        },
        {
          type: "Failed",
          status: "True",
          reason: "Job failed",
          message: "Job has reached configured number of retries without succeeding",
        },
      ],
    };
    recordEvent(k, now, {
      namespace: job.namespace,
      kind: "HelmChart",
      name: o.metadata.name,
      reason: "JobFailed",
      message: `Job ${job.namespace}/${job.name} failed`,
      type: "Warning",
      component: "helm-controller",
    });
  }
  k.resourceVersion++;
  engine.markDirty();
}

function installRelease(
  k: KubeClusterState,
  release: string,
  spec: ChartSpec,
  workloads: ReturnType<typeof fetchChart> extends infer R
    ? R extends { workloads: infer W }
      ? W
      : never
    : never,
): void {
  const want = new Set(workloads.map((w) => w.name));
  // A change that drops a workload (grafana off) removes it.
  for (const d of k.deployments.filter((x) => x.release === release && !want.has(x.name)))
    removeDeployment(k, d);
  for (const w of workloads) {
    const d: Deployment = {
      namespace: spec.targetNamespace,
      name: w.name,
      replicas: w.replicas,
      cpuMilli: w.cpuMilli,
      memoryMi: w.memoryMi,
      release,
      ...(w.onMasters ? { onMasters: true } : {}),
      ...(w.claims?.length ? { claims: w.claims.map((c) => c.name) } : {}),
      template: {
        labels: {
          app: w.name,
          "app.kubernetes.io/name": w.name,
          "app.kubernetes.io/instance": release,
          "app.kubernetes.io/managed-by": "Helm",
        },
        containers: [
          {
            ...hardened(w.name, `${w.image}:${spec.version}`),
            limits: { cpu: `${w.cpuMilli * 2}m`, memory: `${w.memoryMi * 2}Mi` },
          },
        ],
      },
    };
    const i = k.deployments.findIndex((x) => x.namespace === d.namespace && x.name === d.name);
    if (i < 0) k.deployments.push(d);
    else {
      k.deployments[i] = d;
      const pods = k.pods.filter((x) => x.namespace === d.namespace && x.app === d.name);
      for (const p of pods.slice(d.replicas)) k.pods = k.pods.filter((x) => x.uid !== p.uid);
    }
  }
}

function removeDeployment(k: KubeClusterState, d: Deployment): void {
  k.deployments = k.deployments.filter((x) => x !== d);
  k.pods = k.pods.filter((p) => !(p.namespace === d.namespace && p.app === d.name));
}

function removeRelease(k: KubeClusterState, release: string): void {
  for (const d of k.deployments.filter((x) => x.release === release)) removeDeployment(k, d);
  k.services = k.services.filter((s) => s.release !== release);
}
