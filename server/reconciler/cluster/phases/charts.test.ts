import { kubectlIn } from "@/server/testing/kubectl";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { Db } from "@/db/client";
import { makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import type { ClusterSpecInput } from "@/server/contracts/cluster";
import { ADDONS, defaultValuesYaml } from "@/server/domain/addons";
import { SYSTEM, systemChartVersion, wantedCharts, type WantedChart } from "@/server/domain/charts";
import { createKubeClient, kubeConfigFor, type KubeClient, type KubeJob } from "@/server/kube/client";
import { helmChartManifest, MANAGED_LABEL } from "@/server/kube/helm";
import { ensureClusterPki, readCloudCredential, writeCloudCredential } from "@/server/kube/store";
import { storageClassName } from "@/server/domain/storage-classes";
import { cloudCredentialName } from "../../names";
import { issueKubeconfig } from "@/server/services/cluster/kubeconfig";
import { requireProjectRole } from "@/server/services/project/access";
import type { TestCloud } from "@/server/testing/cloud";
import { clusterRow, drive } from "@/server/testing/converge";
import { withTestCloud, withTestDb } from "@/server/testing/suite";
import { CONTROL_PLANE_LABEL } from "../helm-plan";

/**
 * The console's charts end to end against the emulated cluster's Helm
 * controller (k3s-io/helm-controller as server/emulator/kube/helm.ts models
 * it): real HTTP from the console's KubeClient, the reconciler's passes on
 * the test clock, and the emulator's chart index deciding which versions exist.
 */

let db: Db;
let t: TestCloud;
withTestDb((d) => (db = d));
withTestCloud((c) => (t = c));

const NS = "kube-system";
const POD_CIDR = "10.200.0.0/16";
const values = (id: string) => defaultValuesYaml(ADDONS.find((a) => a.id === id)!);

const spec = (over: Partial<ClusterSpecInput> = {}): ClusterSpecInput => ({
  name: "charts",
  topology: "single",
  masterCount: 1,
  masterFlavor: "STD2-2-4",
  nodeGroups: [{ name: "web", flavor: "STD2-4-8", zone: "ru-msk-a", scaling: { mode: "fixed", size: 2 } }],
  ...over,
});

async function created(over: Partial<ClusterSpecInput> = {}) {
  const u = await makeUser(db);
  const c = await u.caller.cluster.create({ projectId: u.personalProjectId, spec: spec(over) });
  return { u, c, ref: { projectId: u.personalProjectId, clusterId: c.id } };
}

async function running(over: Partial<ClusterSpecInput> = {}) {
  const r = await created(over);
  await drive(db, t, r.c.id);
  return r;
}

/** The console's own client for the cluster (its system:masters certificate), as the reconciler makes it. */
async function kubeOf(
  clusterId: string,
): Promise<{ kube: KubeClient; core: CoreV1Api; custom: CustomObjectsApi }> {
  const row = await clusterRow(db, clusterId);
  const pki = await ensureClusterPki(db, { id: clusterId, name: row.name }, TEST_ENCRYPTION_KEY);
  const target = {
    server: row.status.apiEndpoint!,
    caCertPem: pki.ca.certPem,
    clientCertPem: pki.console.certPem,
    clientKeyPem: pki.console.keyPem,
  };
  const kc = kubeConfigFor(target);
  return {
    kube: createKubeClient(target),
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
}

/**
 * Drive until every named component and addon is Installed in one pass's
 * status. The pass that writes them is the one checked: a pass after it
 * may find the cluster's charts freshly synced and read nothing.
 */
async function installed(clusterId: string, components: string[], addons: string[] = []) {
  await drive(db, t, clusterId, {
    until: async () => {
      const s = (await clusterRow(db, clusterId)).status;
      return (
        components.every((n) => s.components?.[n]?.phase === "Installed") &&
        addons.every((n) => s.addons?.[n]?.phase === "Installed")
      );
    },
  });
}

/**
 * A new cluster driven until its Helm controller is ready and its masters
 * labelled, while its charts are still installing (so the next passes read
 * the cluster's charts again rather than trusting a fresh sync).
 */
async function controllerUp(over: Partial<ClusterSpecInput> = {}) {
  const r = await created(over);
  await drive(db, t, r.c.id, {
    until: async () => {
      const s = (await clusterRow(db, r.c.id)).status.components ?? {};
      return (
        s["helm-controller"]?.phase === "Installed" && Object.values(s).some((x) => x.phase === "Installing")
      );
    },
  });
  return r;
}

/** Drive until the addon reaches `phase` (or is gone, for null). */
async function addonPhase(clusterId: string, id: string, phase: string | null, onTick?: () => Promise<void>) {
  await drive(db, t, clusterId, {
    until: async () => {
      const s = (await clusterRow(db, clusterId)).status.addons ?? {};
      return phase === null ? !(id in s) : s[id]?.phase === phase;
    },
    ...(onTick ? { onTick } : {}),
  });
}

/** The emulator's clock moves on and its controllers catch up (no reconciler pass). */
async function tick(ms = 5_000) {
  t.advance(ms);
  await t.emu.kube.sync();
}

const chartContext = async (clusterId: string) => {
  const row = await clusterRow(db, clusterId);
  return {
    row,
    wanted: wantedCharts(row.spec, {
      clusterId,
      nodeCidr: row.spec.network.mode === "new" ? row.spec.network.cidr : null,
      cloudConfig: false,
    }),
  };
};

type HelmChartObject = {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: Record<string, unknown>;
  status?: {
    jobName?: string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
  };
};
const getHelmChart = async (custom: CustomObjectsApi, name: string) =>
  (await custom.getNamespacedCustomObject({
    group: "helm.cattle.io",
    version: "v1",
    namespace: NS,
    plural: "helmcharts",
    name,
  })) as HelmChartObject;

const systemChart = (id: string) => SYSTEM.charts.find((c) => c.id === id)!;

describe("system charts of a new cluster", () => {
  it("applies the Helm controller, labels the masters, and installs Calico, Gatekeeper and metrics-server as wantedCharts says", async () => {
    const { c } = await created({ podCidr: POD_CIDR });
    await installed(c.id, ["helm-controller", "calico", "gatekeeper"], ["metrics-server"]);
    const { row, wanted } = await chartContext(c.id);
    expect(row.spec.policies.gatekeeper).toBe(true);
    const k = t.emu.engine.state.kube[c.id]!;
    const { kube, custom } = await kubeOf(c.id);

    // The controller's own objects, applied with server-side apply, and its pod running on a master.
    const ctl = k.applied?.["apps/v1/Deployment/helm-controller/helm-controller"];
    expect(ctl?.metadata.managedFields?.[0]).toMatchObject({ manager: "kube-console", operation: "Apply" });
    expect(k.applied?.["v1/Namespace//helm-controller"]).toBeDefined();
    expect(k.applied?.["rbac.authorization.k8s.io/v1/ClusterRoleBinding//helm-controller"]).toBeDefined();
    expect(
      (await kube.deploymentsIn("helm-controller")).find((d) => d.name === "helm-controller"),
    ).toMatchObject({ replicas: 1, ready: 1 });
    expect(row.status.components?.["helm-controller"]).toMatchObject({
      phase: "Installed",
      version: SYSTEM.helmController.image.split(":").at(-1),
    });

    // Every master carries the label bootstrap jobs select by, with the value the controller wants.
    const nodes = await kube.listNodes();
    const masters = nodes.filter((n) => n.controlPlane);
    expect(masters.length).toBe(1);
    expect(masters.every((n) => n.controlPlaneLabel === "true")).toBe(true);
    expect(nodes.filter((n) => !n.controlPlane).every((n) => n.controlPlaneLabel === null)).toBe(true);

    // One HelmChart per wanted chart, as the console lists them over the API.
    const listed = (await kube.listHelmCharts())!;
    const names = listed.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(["calico", "gatekeeper", "metrics-server"]));
    expect(names).not.toContain("cilium");
    for (const x of listed) expect(x.conditions.find((cnd) => cnd.type === "Failed")?.status).toBe("False");

    // Calico at exactly the version the catalog gives this Kubernetes version.
    const calicoVersion = systemChartVersion(systemChart("calico"), row.spec.version);
    expect(calicoVersion).not.toBeNull();
    const byName = new Map(wanted.map((w) => [w.name, w]));
    expect(byName.get("calico")?.version).toBe(calicoVersion);

    for (const name of ["calico", "gatekeeper", "metrics-server"]) {
      const w = byName.get(name)!;
      const o = await getHelmChart(custom, name);
      expect(o.metadata.labels?.[MANAGED_LABEL]).toBe("true");
      expect(o.spec).toMatchObject({
        repo: w.repo,
        chart: w.chart,
        version: w.version,
        targetNamespace: w.targetNamespace,
        bootstrap: w.bootstrap,
        backOffLimit: 3,
      });
      expect(parseYaml(o.spec.valuesContent as string)).toEqual(w.values);
      expect(o.status?.jobName).toBe(`helm-install-${name}`);
      const job = (await kube.getJob(NS, `helm-install-${name}`))!;
      expect(job).toMatchObject({ active: 0, succeeded: 1, failed: 0 });
      expect(job.conditions).toContainEqual(expect.objectContaining({ type: "Complete", status: "True" }));
      expect(k.events).toContainEqual(
        expect.objectContaining({
          kind: "HelmChart",
          name,
          reason: "ApplyJob",
          message: `Applying HelmChart using Job ${NS}/helm-install-${name}`,
        }),
      );
    }
    expect(byName.get("calico")).toMatchObject({ chart: "tigera-operator", bootstrap: true });
    expect(byName.get("gatekeeper")?.bootstrap).toBe(false);
    expect(byName.get("metrics-server")?.bootstrap).toBe(false);
    // The calico chart's values carry the cluster's pod CIDR.
    const calico = parseYaml((await getHelmChart(custom, "calico")).spec.valuesContent as string) as {
      installation: { calicoNetwork: { ipPools: Array<{ cidr: string }> } };
    };
    expect(calico.installation.calicoNetwork.ipPools.map((p) => p.cidr)).toEqual([POD_CIDR]);
    // Bootstrap jobs ran on the (labelled) master, the others on a worker.
    expect(k.jobs?.[`${NS}/helm-install-calico`]?.node).toBe(masters[0]!.name);
    expect(k.jobs?.[`${NS}/helm-install-metrics-server`]?.node).toMatch(/^charts-web-/);

    // Their releases' workloads run, and the status says so.
    expect(await kube.releaseWorkloads(byName.get("calico")!.targetNamespace, "calico")).toEqual([
      expect.objectContaining({ kind: "Deployment", name: "tigera-operator", desired: 1, ready: 1 }),
    ]);
    const gk = await kube.releaseWorkloads(byName.get("gatekeeper")!.targetNamespace, "gatekeeper");
    expect(gk.map((x) => `${x.name}:${x.ready}/${x.desired}`).sort()).toEqual([
      "gatekeeper-audit:1/1",
      "gatekeeper-controller-manager:2/2",
    ]);
    for (const name of ["calico", "gatekeeper"])
      expect(row.status.components?.[name]).toMatchObject({
        phase: "Installed",
        version: byName.get(name)!.version,
        message: null,
      });
    expect(row.status.addons?.["metrics-server"]).toMatchObject({ phase: "Installed", message: null });
    expect(row.status.components?.cilium).toBeUndefined();
  }, 90_000);

  it("Cilium chosen in the spec gets a cilium HelmChart instead of Calico's; policies off, no Gatekeeper", async () => {
    const { c } = await created({ cni: "cilium", podCidr: POD_CIDR, policies: { gatekeeper: false } });
    await installed(c.id, ["helm-controller", "cilium"], ["metrics-server"]);
    const { row, wanted } = await chartContext(c.id);
    const { kube, custom } = await kubeOf(c.id);
    const names = (await kube.listHelmCharts())!.map((x) => x.name);
    expect(names).toContain("cilium");
    expect(names).not.toContain("calico");
    expect(names).not.toContain("gatekeeper");

    const w = wanted.find((x) => x.name === "cilium")!;
    expect(w.version).toBe(systemChartVersion(systemChart("cilium"), row.spec.version));
    const o = await getHelmChart(custom, "cilium");
    expect(o.spec).toMatchObject({
      repo: "https://helm.cilium.io",
      chart: "cilium",
      version: w.version,
      targetNamespace: w.targetNamespace,
      bootstrap: true,
    });
    const v = parseYaml(o.spec.valuesContent as string) as {
      ipam: { mode: string; operator: { clusterPoolIPv4PodCIDRList: string[] } };
    };
    expect(v.ipam.mode).toBe("cluster-pool");
    expect(v.ipam.operator.clusterPoolIPv4PodCIDRList).toEqual([POD_CIDR]);
    expect(await kube.releaseWorkloads(w.targetNamespace, "cilium")).toEqual([
      expect.objectContaining({ name: "cilium-operator", desired: 2, ready: 2 }),
    ]);
    expect(row.status.components?.cilium).toMatchObject({ phase: "Installed", version: w.version });
    expect(row.status.components?.calico).toBeUndefined();
    expect(row.status.components?.gatekeeper).toBeUndefined();
    expect(row.status.policies?.gatekeeper).toBe("Off");
    const k = t.emu.engine.state.kube[c.id]!;
    expect(k.deployments.some((d) => d.name === "tigera-operator")).toBe(false);
    expect(k.jobs?.[`${NS}/helm-install-calico`]).toBeUndefined();
  }, 90_000);
});

describe("system components in the cluster's status", () => {
  it("outlast a pass that trusts the last kube sync and reads nothing", async () => {
    const { c } = await created({ policies: { gatekeeper: false } });
    // Until a pass finds every chart installed and settled: it writes the components and records the sync.
    await drive(db, t, c.id, {
      until: async () => {
        const row = await clusterRow(db, c.id);
        return (
          row.status.kubeSync?.generation === row.generation &&
          row.status.components?.calico?.phase === "Installed"
        );
      },
    });
    const before = (await clusterRow(db, c.id)).status;
    expect(Object.keys(before.components ?? {})).toEqual(
      expect.arrayContaining(["helm-controller", "calico"]),
    );
    // The next pass finds the sync fresh and leaves the charts alone; what they were stays on record.
    await drive(db, t, c.id, { maxPasses: 1, until: () => true });
    const after = (await clusterRow(db, c.id)).status;
    expect(after.kubeSync).toEqual(before.kubeSync);
    expect(after.addons?.["metrics-server"]?.phase).toBe("Installed");
    expect(after.components).toEqual(before.components);
  }, 60_000);
});

describe("a chart whose version the repository lacks", () => {
  it("the install job fails with Helm's message, retries backOffLimit times, then the HelmChart is Failed", async () => {
    const { c } = await controllerUp({ policies: { gatekeeper: false } });
    const { kube, custom, core } = await kubeOf(c.id);
    // A HelmChart someone else wrote (no kube-console.io/managed label: the console neither lists nor prunes it).
    const bad: WantedChart = {
      name: "registry-mirror",
      title: "Registry mirror",
      kind: "addon",
      repo: "https://helm.twun.io",
      chart: "docker-registry",
      version: "9.9.9",
      targetNamespace: "registry",
      bootstrap: false,
      values: { replicaCount: 1 },
    };
    const m = helmChartManifest(bad);
    const { [MANAGED_LABEL]: _managed, ...labels } = m.metadata.labels!;
    await kube.apply({ ...m, metadata: { ...m.metadata, labels } });
    expect((await kube.listHelmCharts())!.map((x) => x.name)).not.toContain("registry-mirror");

    const jobName = "helm-install-registry-mirror";
    const failedCounts: number[] = [];
    let retryingLog: string | null = null;
    let job: KubeJob | null = null;
    for (let i = 0; i < 40; i++) {
      await tick();
      job = await kube.getJob(NS, jobName);
      if (!job) continue;
      if (job.failed > 0 && failedCounts.at(-1) !== job.failed) failedCounts.push(job.failed);
      const done = job.conditions.some((x) => x.type === "Failed" && x.status === "True");
      if (job.failed > 0 && !done) {
        // Still retrying in place: active, no terminal condition, the last attempt's log readable.
        expect(job.active).toBe(1);
        retryingLog ??= await kube.failedJobLog(NS, jobName, 5);
      }
      if (done) break;
    }
    expect(retryingLog).toContain('chart "docker-registry" matching 9.9.9 not found');
    // backOffLimit 3: the first attempt and three retries, then the job is Failed.
    expect(failedCounts).toEqual([1, 2, 3, 4]);
    expect(job).toMatchObject({ active: 0, succeeded: 0, failed: 4 });
    expect(job!.conditions).toContainEqual(
      expect.objectContaining({ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }),
    );

    const o = await getHelmChart(custom, "registry-mirror");
    expect(o.status?.jobName).toBe(jobName);
    expect(o.status?.conditions).toContainEqual(expect.objectContaining({ type: "Failed", status: "True" }));

    const log = await kube.failedJobLog(NS, jobName, 5);
    expect(log).not.toBeNull();
    expect(log!.split("\n")).toContainEqual(
      expect.stringContaining('Error: INSTALLATION FAILED: chart "docker-registry" matching 9.9.9 not found'),
    );
    // The pod (label job-name) is Failed; nothing of the release runs; the target namespace was never made.
    const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: `job-name=${jobName}` });
    expect(pods.items.map((p) => p.status?.phase)).toEqual(["Failed"]);
    const k = t.emu.engine.state.kube[c.id]!;
    expect(k.deployments.some((d) => d.release === "registry-mirror")).toBe(false);
    await expect(core.readNamespace({ name: "registry" })).rejects.toMatchObject({ code: 404 });
    expect(k.events).toContainEqual(
      expect.objectContaining({ kind: "HelmChart", name: "registry-mirror", reason: "JobFailed" }),
    );

    // The console's passes read the cluster's charts until its own are installed, and leave this one alone.
    await installed(c.id, ["helm-controller", "calico"], ["metrics-server"]);
    expect((await getHelmChart(custom, "registry-mirror")).metadata.deletionTimestamp).toBeUndefined();
    expect((await kube.getJob(NS, jobName))!.failed).toBe(4);
  }, 90_000);

  it("through the console: an addon whose chart version the repository lacks is Failed with the job and Helm's error; a good version recovers it", async () => {
    // The catalog offers a cert-manager release the chart repository does not publish (a yanked chart).
    const entry = ADDONS.find((a) => a.id === "cert-manager")!;
    const yanked = { ...entry.versions[0]!, version: "1.19.0" };
    entry.versions.splice(1, 0, yanked);
    try {
      const { u, c, ref } = await running({ policies: { gatekeeper: false } });
      const g = (await clusterRow(db, c.id)).generation;
      await u.caller.addon.install({
        ...ref,
        generation: g,
        addon: { id: "cert-manager", version: "1.19.0", values: values("cert-manager") },
      });
      let retrying: string | null = null;
      await addonPhase(c.id, "cert-manager", "Failed", async () => {
        const a = (await clusterRow(db, c.id)).status.addons?.["cert-manager"];
        if (a?.phase === "Installing" && a.message?.startsWith("Helm is retrying")) retrying ??= a.message;
      });
      expect(retrying).toMatch(
        /^Helm is retrying cert-manager 1\.19\.0 \(job kube-system\/helm-install-cert-manager\)/,
      );
      expect(retrying).toContain('chart "cert-manager" matching 1.19.0 not found');

      const a = (await clusterRow(db, c.id)).status.addons!["cert-manager"]!;
      expect(a.version).toBe("1.19.0");
      expect(a.message).toContain("Install job kube-system/helm-install-cert-manager failed");
      expect(a.message).toContain('chart "cert-manager" matching 1.19.0 not found');
      const { kube } = await kubeOf(c.id);
      expect((await kube.getJob(NS, "helm-install-cert-manager"))!.failed).toBe(4);
      expect(t.emu.engine.state.kube[c.id]!.deployments.some((d) => d.release === "cert-manager")).toBe(
        false,
      );

      // Choosing a version the repository has: a new install job, and the release runs.
      const g2 = (await clusterRow(db, c.id)).generation;
      await u.caller.addon.install({
        ...ref,
        generation: g2,
        addon: { id: "cert-manager", version: "1.19.1", values: values("cert-manager") },
      });
      await addonPhase(c.id, "cert-manager", "Installed");
      const fixed = (await clusterRow(db, c.id)).status.addons!["cert-manager"]!;
      expect(fixed).toMatchObject({ version: "1.19.1", message: null });
      expect(await kube.getJob(NS, "helm-install-cert-manager")).toMatchObject({ succeeded: 1, failed: 0 });
      expect(
        (await kube.releaseWorkloads("cert-manager", "cert-manager")).map(
          (w) => `${w.name}:${w.ready}/${w.desired}`,
        ),
      ).toEqual(
        expect.arrayContaining([
          "cert-manager:1/1",
          "cert-manager-webhook:1/1",
          "cert-manager-cainjector:1/1",
        ]),
      );
    } finally {
      entry.versions.splice(entry.versions.indexOf(yanked), 1);
    }
  }, 120_000);
});

describe("uninstalling an addon", () => {
  it("deletes its HelmChart; the controller runs helm-delete-<name>; the release's Deployments go; the status entry disappears", async () => {
    const { u, c, ref } = await running({
      policies: { gatekeeper: false },
      addons: [
        { id: "metrics-server", version: "3.13.0", values: values("metrics-server") },
        { id: "cert-manager", version: "1.19.1", values: values("cert-manager") },
      ],
    });
    await addonPhase(c.id, "cert-manager", "Installed");
    const { kube } = await kubeOf(c.id);
    const k = t.emu.engine.state.kube[c.id]!;
    expect((await kube.releaseWorkloads("cert-manager", "cert-manager")).length).toBe(3);

    const g = (await clusterRow(db, c.id)).generation;
    await u.caller.addon.uninstall({ ...ref, generation: g, id: "cert-manager" });
    const seen = {
      deleting: false,
      deleteJob: null as KubeJob | null,
      removing: false,
      installJobAfter: false,
    };
    await addonPhase(c.id, "cert-manager", null, async () => {
      const chart = (await kube.listHelmCharts())?.find((x) => x.name === "cert-manager");
      if (chart?.deleting) {
        seen.deleting = true;
        expect(chart.jobName).toBe("helm-delete-cert-manager");
        if ((await kube.getJob(NS, "helm-install-cert-manager")) !== null) seen.installJobAfter = true;
      }
      seen.deleteJob ??= await kube.getJob(NS, "helm-delete-cert-manager");
      if ((await clusterRow(db, c.id)).status.addons?.["cert-manager"]?.phase === "Removing")
        seen.removing = true;
    });
    expect(seen.deleting).toBe(true);
    expect(seen.removing).toBe(true);
    expect(seen.deleteJob).toMatchObject({ active: 1, succeeded: 0, failed: 0 });
    // The delete job replaces the install job while the chart is being deleted.
    expect(seen.installJobAfter).toBe(false);
    expect(k.events).toContainEqual(
      expect.objectContaining({
        kind: "HelmChart",
        name: "cert-manager",
        reason: "ApplyJob",
        message: `Applying HelmChart using Job ${NS}/helm-delete-cert-manager`,
      }),
    );

    // Gone: the HelmChart, its jobs, the release's Deployments, the status entry.
    expect((await kube.listHelmCharts())!.map((x) => x.name)).not.toContain("cert-manager");
    expect(k.applied?.["helm.cattle.io/v1/HelmChart/kube-system/cert-manager"]).toBeUndefined();
    expect(await kube.getJob(NS, "helm-delete-cert-manager")).toBeNull();
    expect(await kube.getJob(NS, "helm-install-cert-manager")).toBeNull();
    expect(await kube.releaseWorkloads("cert-manager", "cert-manager")).toEqual([]);
    expect(k.deployments.some((d) => d.release === "cert-manager")).toBe(false);
    const row = await clusterRow(db, c.id);
    expect(row.status.addons?.["cert-manager"]).toBeUndefined();
    expect(row.status.addons?.["metrics-server"]?.phase).toBe("Installed");
    expect(row.spec.addons.map((x) => x.id)).toEqual(["metrics-server"]);
  }, 90_000);
});

describe("bootstrap charts and the control-plane label", () => {
  it("a bootstrap job waits unschedulable while no master carries control-plane=true; the next pass relabels and it runs", async () => {
    const { c } = await controllerUp({ policies: { gatekeeper: false } });
    const { kube, core, custom } = await kubeOf(c.id);
    const master = (await kube.listNodes()).find((n) => n.controlPlane)!;
    expect(master.controlPlaneLabel).toBe("true");

    // Back to kubeadm's empty value: the controller's bootstrap jobs no longer select the master.
    await kube.labelNode(master.name, { [CONTROL_PLANE_LABEL]: "" });
    expect((await kube.listNodes()).find((n) => n.controlPlane)!.controlPlaneLabel).toBe("");
    const occm = systemChart("openstack-cloud-controller-manager");
    const probe: WantedChart = {
      name: "bootstrap-probe",
      title: "Bootstrap probe",
      kind: "system",
      repo: occm.repo,
      chart: occm.chart,
      version: occm.versions.at(-1)!.version,
      targetNamespace: NS,
      bootstrap: true,
      values: {},
    };
    const m = helmChartManifest(probe);
    const { [MANAGED_LABEL]: _managed, ...labels } = m.metadata.labels!;
    await kube.apply({ ...m, metadata: { ...m.metadata, labels } });
    const jobName = "helm-install-bootstrap-probe";

    for (let i = 0; i < 6; i++) await tick();
    const job = (await kube.getJob(NS, jobName))!;
    expect(job).toMatchObject({ active: 1, succeeded: 0, failed: 0, conditions: [] });
    const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: `job-name=${jobName}` });
    expect(pods.items).toHaveLength(1);
    expect(pods.items[0]!.status?.phase).toBe("Pending");
    expect(pods.items[0]!.spec?.nodeName).toBeUndefined();
    const events = await kube.recentEvents(500);
    const unschedulable = events.filter((e) => e.reason === "FailedScheduling" && e.name.startsWith(jobName));
    expect(unschedulable.length).toBeGreaterThanOrEqual(1);
    expect(unschedulable[0]!.message).toMatch(/didn't match Pod's node affinity\/selector/);
    expect(unschedulable[0]).toMatchObject({ type: "Warning", kind: "Pod" });
    expect((await getHelmChart(custom, "bootstrap-probe")).status?.conditions).toContainEqual(
      expect.objectContaining({ type: "Failed", status: "False" }),
    );

    // The next reconcile pass labels the master again ...
    await drive(db, t, c.id, {
      maxPasses: 1,
      until: async () => (await kube.listNodes()).find((n) => n.controlPlane)!.controlPlaneLabel === "true",
    });
    // ... and the waiting job is scheduled there and completes.
    let done: KubeJob | null = null;
    for (let i = 0; i < 10 && !done?.succeeded; i++) {
      await tick();
      done = await kube.getJob(NS, jobName);
    }
    expect(done).toMatchObject({ active: 0, succeeded: 1, failed: 0 });
    const after = await core.listNamespacedPod({ namespace: NS, labelSelector: `job-name=${jobName}` });
    expect(after.items[0]!.spec?.nodeName).toBe(master.name);
    expect(after.items[0]!.status?.phase).toBe("Succeeded");
  }, 90_000);
});

describe("kubectl against the emulated Helm controller", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "charts-kubectl-"));
  const kubectl = kubectlIn(dir);

  it("kubectl discovers helm.cattle.io/v1 and batch/v1, lists HelmCharts and jobs, and prints a failed job pod's log", async () => {
    const { u, c } = await created({ policies: { gatekeeper: false } });
    await installed(c.id, ["calico"], ["metrics-server"]);
    const project = await requireProjectRole(db, u.personalProjectId, u.userId, "member");
    const out = await issueKubeconfig({
      ctx: {
        db,
        actor: { userId: u.userId, email: u.email },
        requestId: "req-test",
        clientIp: null,
        encryptionKey: TEST_ENCRYPTION_KEY,
      },
      project,
      clusterId: c.id,
      request: { validity: "8h", kind: "certificate" },
    });
    const file = path.join(dir, `${c.id}.yaml`);
    writeFileSync(file, out.content, { mode: 0o600 });

    const resources = await kubectl(file, "api-resources", "--api-group=helm.cattle.io");
    expect(resources.stdout).toMatch(/^helmcharts\s+hc\s+helm\.cattle\.io\/v1\s+true\s+HelmChart$/m);
    const versions = await kubectl(file, "api-versions");
    expect(versions.stdout.split("\n")).toEqual(expect.arrayContaining(["helm.cattle.io/v1", "batch/v1"]));

    const charts = await kubectl(file, "get", "helmcharts", "-n", "kube-system", "-o", "json");
    expect(charts.stderr).toBe("");
    const chartNames = (
      JSON.parse(charts.stdout) as { items: Array<{ metadata: { name: string } }> }
    ).items.map((x) => x.metadata.name);
    expect(chartNames).toEqual(expect.arrayContaining(["calico", "metrics-server"]));
    const table = await kubectl(file, "get", "helmcharts", "-n", "kube-system");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\b/);
    expect(table.stdout).toMatch(/\ncalico\b/);

    const jobs = await kubectl(file, "get", "jobs", "-n", "kube-system", "-o", "json");
    expect(jobs.stderr).toBe("");
    const jobItems = (
      JSON.parse(jobs.stdout) as {
        items: Array<{ metadata: { name: string }; status: { succeeded?: number } }>;
      }
    ).items;
    expect(jobItems.find((j) => j.metadata.name === "helm-install-calico")?.status.succeeded).toBe(1);
    const jobTable = await kubectl(file, "get", "jobs", "-n", "kube-system");
    expect(jobTable.code).toBe(0);
    expect(jobTable.stdout).toMatch(/helm-install-calico/);

    // A chart whose version the repository lacks: its job's pod log is Helm's error.
    const { kube } = await kubeOf(c.id);
    const m = helmChartManifest({
      name: "broken",
      title: "Broken",
      kind: "addon",
      repo: "https://charts.jetstack.io",
      chart: "cert-manager",
      version: "0.0.1",
      targetNamespace: "broken",
      bootstrap: false,
      values: {},
    });
    const { [MANAGED_LABEL]: _managed, ...labels } = m.metadata.labels!;
    await kube.apply({ ...m, metadata: { ...m.metadata, labels } });
    for (let i = 0; i < 15; i++) {
      await tick();
      if (((await kube.getJob(NS, "helm-install-broken"))?.failed ?? 0) > 0) break;
    }
    // The job's pod, found by its job-name label as `kubectl logs -l` finds it: Helm's command and error.
    const pods = await kubectl(
      file,
      "get",
      "pods",
      "-n",
      "kube-system",
      "-l",
      "job-name=helm-install-broken",
      "-o",
      "name",
    );
    expect(pods.stdout.trim()).toMatch(/^pod\/helm-install-broken-[0-9a-f]{5}$/);
    const logs = await kubectl(file, "logs", "-n", "kube-system", "-l", "job-name=helm-install-broken");
    expect(logs.stderr).toBe("");
    expect(logs.stdout.trim().split("\n")).toEqual([
      "helm_v3 install --namespace broken broken broken/cert-manager --version 0.0.1",
      expect.stringMatching(
        /^Error: INSTALLATION FAILED: chart "cert-manager" matching 0\.0\.1 not found in broken index/,
      ),
    ]);
  }, 90_000);
});

describe("the cluster's cloud credential and the cloud charts", () => {
  it("makes a Keystone application credential for the cluster, writes cloud.conf, installs the cloud controller, Cinder CSI and one StorageClass per volume type, and deletes the credential with the cluster", async () => {
    const { u, c, ref } = await running();
    await drive(db, t, c.id, {
      until: async () => {
        const s = (await clusterRow(db, c.id)).status.components ?? {};
        return (
          s["openstack-cloud-controller-manager"]?.phase === "Installed" &&
          s["openstack-cinder-csi"]?.phase === "Installed"
        );
      },
    });
    const stored = await readCloudCredential(db, c.id, TEST_ENCRYPTION_KEY);
    expect(stored).not.toBeNull();
    const found = await t.cloud.identity.findApplicationCredential(cloudCredentialName(c.id));
    expect(found?.id).toBe(stored!.id);
    expect(await t.cloud.identity.verifyApplicationCredential(stored!)).toBe(true);

    // cloud.conf in kube-system/cloud-config carries it; the secret is nowhere in the row's status or events.
    const { core } = await kubeOf(c.id);
    const secret = await core.readNamespacedSecret({ name: "cloud-config", namespace: NS });
    const conf = Buffer.from(secret.data!["cloud.conf"]!, "base64").toString();
    expect(conf).toContain(`application-credential-id=${stored!.id}`);
    expect(conf).toContain(`application-credential-secret=${stored!.secret}`);
    expect(conf).toMatch(/^auth-url=http/m);
    expect(conf).toMatch(/^subnet-id=\S+/m);
    const row = await clusterRow(db, c.id);
    expect(JSON.stringify(row.status)).not.toContain(stored!.secret);
    expect(JSON.stringify(await u.caller.cluster.get(ref))).not.toContain(stored!.secret);

    // The cloud charts point at that Secret; the cluster id names the controller's load balancers.
    const k = t.emu.engine.state.kube[c.id]!;
    const occm = k.applied?.[`helm.cattle.io/v1/HelmChart/${NS}/openstack-cloud-controller-manager`];
    expect(occm?.spec).toMatchObject({ chart: "openstack-cloud-controller-manager", bootstrap: true });
    expect(parseYaml((occm!.spec as { valuesContent: string }).valuesContent)).toMatchObject({
      secret: { enabled: true, create: false, name: "cloud-config" },
      cluster: { name: c.id },
    });
    const csi = k.applied?.[`helm.cattle.io/v1/HelmChart/${NS}/openstack-cinder-csi`];
    expect(parseYaml((csi!.spec as { valuesContent: string }).valuesContent)).toMatchObject({
      secret: { enabled: true, create: false, name: "cloud-config", filename: "cloud.conf" },
    });

    // One StorageClass per volume type of the catalog, the node disks' type marked default.
    const { kube } = await kubeOf(c.id);
    const classes = await kube.listStorageClasses();
    const catalog = await u.caller.catalog.get({ projectId: ref.projectId });
    expect(classes.map((x) => x.name).sort()).toEqual(
      catalog.volumeTypes.map((v: { name: string }) => storageClassName(v.name)).sort(),
    );
    expect(classes.every((x) => x.managed)).toBe(true);

    // Deleting the cluster deletes its credential (last), and Keystone refuses it afterwards.
    await u.caller.cluster.delete({ ...ref, confirmName: c.name });
    await drive(db, t, c.id, { until: async () => (await clusterRow(db, c.id)).phase === "Deleted" });
    expect(await t.cloud.identity.findApplicationCredential(cloudCredentialName(c.id))).toBeNull();
    expect(await t.cloud.identity.verifyApplicationCredential(stored!)).toBe(false);
  }, 120_000);

  it("a credential found in Keystone without its stored secret (a crash after the create) is replaced", async () => {
    const { c } = await running();
    const first = await readCloudCredential(db, c.id, TEST_ENCRYPTION_KEY);
    expect(first).not.toBeNull();
    // The crash: Keystone made it, the row never got it.
    await writeCloudCredential(db, c.id, null, TEST_ENCRYPTION_KEY);
    await drive(db, t, c.id, {
      until: async () => {
        const now = await readCloudCredential(db, c.id, TEST_ENCRYPTION_KEY);
        return now !== null && now.id !== first!.id;
      },
    });
    const now = await readCloudCredential(db, c.id, TEST_ENCRYPTION_KEY);
    expect(await t.cloud.identity.verifyApplicationCredential(first!)).toBe(false);
    expect(await t.cloud.identity.verifyApplicationCredential(now!)).toBe(true);
    expect((await t.cloud.identity.findApplicationCredential(cloudCredentialName(c.id)))?.id).toBe(now!.id);
  }, 120_000);
});
