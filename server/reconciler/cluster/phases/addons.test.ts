import { parse as parseYaml } from "yaml";
import { SYSTEM_NAMESPACES } from "@/server/domain/policy-library";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { makeUser } from "@/db/testing";
import { and, eq } from "drizzle-orm";
import { clusterEvents } from "@/db/schema";
import { ADDON_INSTALL_MS } from "./addons";
import type { ClusterSpecInput } from "@/server/contracts/cluster";
import { ADDONS, defaultValuesYaml } from "@/server/domain/addons";
import { projectResources, type TestCloud } from "@/server/testing/cloud";
import { withTestCloud, withTestDb } from "@/server/testing/suite";
import { clusterRow, drive } from "@/server/testing/converge";
import { CUSTOM_TEMPLATE } from "@/server/testing/policies";

let db: Db;
let t: TestCloud;
withTestDb((d) => (db = d));
withTestCloud((c) => (t = c));

const values = (id: string) => defaultValuesYaml(ADDONS.find((a) => a.id === id)!);

const spec = (over: Partial<ClusterSpecInput> = {}): ClusterSpecInput => ({
  name: "addons",
  topology: "single",
  masterCount: 1,
  masterFlavor: "STD2-2-4",
  nodeGroups: [{ name: "web", flavor: "STD2-4-8", zone: "ru-msk-a", scaling: { mode: "fixed", size: 2 } }],
  ...over,
});

async function running(over: Partial<ClusterSpecInput> = {}) {
  const u = await makeUser(db);
  const c = await u.caller.cluster.create({ projectId: u.personalProjectId, spec: spec(over) });
  await drive(db, t, c.id);
  const ref = { projectId: u.personalProjectId, clusterId: c.id };
  return { u, c, ref };
}

async function errorOf(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}

/** Drive until the addon reaches `phase` (or is gone, for null). */
async function addonPhase(clusterId: string, id: string, phase: string | null) {
  await drive(db, t, clusterId, {
    until: async () => {
      const s = (await clusterRow(db, clusterId)).status.addons ?? {};
      return phase === null ? !(id in s) : s[id]?.phase === phase;
    },
  });
}

describe("addons", () => {
  it("an install that cannot finish reads overdue after its deadline, with one Warning event, and is Installed once it can run", async () => {
    // No worker: metrics-server's install job has nowhere to run.
    const { u, c, ref } = await running({ nodeGroups: [] });
    const addon = async () => (await clusterRow(db, c.id)).status.addons?.["metrics-server"];
    expect(await addon()).toMatchObject({ phase: "Installing" });
    expect((await addon())?.overdue).toBeUndefined();
    const since = Date.parse((await addon())!.since);
    // The deadline runs on the wall clock, as the phase's since does; 4 s here instead of 15 min.
    const deps = { addonInstallWaitMs: 4_000 };
    await drive(db, t, c.id, { deps, until: async () => Boolean((await addon())?.overdue) });
    expect(Date.now() - since).toBeGreaterThanOrEqual(4_000);
    const late = (await addon())!;
    expect(late.phase).toBe("Installing");
    expect(late.since).toBe(new Date(since).toISOString());
    // Named with how long and what it waits for.
    expect(late.message).toMatch(
      /^Still installing \d+ s after it began \(expected within 4 s\): Helm is installing metrics-server 3\.13\.0 \(job kube-system\/helm-install-metrics-server\)\. The Helm controller keeps trying; look at the install job helm-install-metrics-server/,
    );
    // More passes: still overdue, one event only.
    let more = 0;
    await drive(db, t, c.id, { deps, until: () => ++more >= 3 });
    expect((await addon())?.overdue).toBe(true);
    const warned = await db
      .select()
      .from(clusterEvents)
      .where(and(eq(clusterEvents.clusterId, c.id), eq(clusterEvents.reason, "InstallOverdue")));
    // Other charts wait for a worker too: each overdue one has exactly one event, none repeated.
    const status = (await clusterRow(db, c.id)).status;
    const overdue = Object.entries({ ...status.components, ...status.addons })
      .filter(([, x]) => x.overdue)
      .map(([name]) => name)
      .sort();
    expect(overdue).toContain("metrics-server");
    expect(warned.map((e) => e.objectName).sort()).toEqual(overdue);
    expect(warned.every((e) => e.type === "Warning")).toBe(true);
    expect(warned.find((e) => e.objectName === "metrics-server")?.message).toMatch(
      /^metrics-server is still installing after \d+ s$/,
    );
    // The default deadline is 15 min.
    expect(ADDON_INSTALL_MS).toBe(15 * 60_000);
    // A worker to run it: Installed, no longer overdue.
    await u.caller.nodeGroup.add({
      ...ref,
      generation: (await clusterRow(db, c.id)).generation,
      nodeGroup: { name: "web", flavor: "STD2-4-8", zone: "ru-msk-a", scaling: { mode: "fixed", size: 1 } },
    });
    await addonPhase(c.id, "metrics-server", "Installed");
    const done = (await addon())!;
    expect(done.overdue).toBeUndefined();
    expect(done.message).toBeNull();
  }, 180_000);

  it("ingress-nginx's LoadBalancer Service gets an Octavia load balancer from the cluster's cloud controller, PROXY protocol on; uninstalling removes it", async () => {
    const { u, c, ref } = await running();
    await addonPhase(c.id, "metrics-server", "Installed");
    const row = await clusterRow(db, c.id);

    const installed = await u.caller.addon.install({
      ...ref,
      generation: row.generation,
      addon: { id: "ingress-nginx", version: "4.13.3", values: values("ingress-nginx") },
    });
    expect(installed.spec.addons.map((a) => a.id)).toEqual(["metrics-server", "ingress-nginx"]);
    await addonPhase(c.id, "ingress-nginx", "Installed");

    // The chart's values ask for a LoadBalancer Service with the cloud controller's annotations.
    const k = t.emu.engine.state.kube[c.id]!;
    const chart = k.applied?.["helm.cattle.io/v1/HelmChart/kube-system/ingress-nginx"];
    expect(chart?.spec).toMatchObject({
      repo: "https://kubernetes.github.io/ingress-nginx",
      chart: "ingress-nginx",
      version: "4.13.3",
      targetNamespace: "ingress-nginx",
    });
    const chartValues = parseYaml((chart?.spec as { valuesContent: string }).valuesContent) as {
      controller: Record<string, unknown>;
    };
    expect(chartValues.controller).toMatchObject({
      replicaCount: 2,
      config: { "use-proxy-protocol": "true" },
      service: {
        type: "LoadBalancer",
        annotations: {
          "loadbalancer.openstack.org/proxy-protocol": "true",
          "service.beta.kubernetes.io/openstack-internal-load-balancer": "false",
        },
        nodePorts: { http: 30080, https: 30443 },
      },
    });
    expect(k.jobs?.["kube-system/helm-install-ingress-nginx"]?.state).toBe("Succeeded");
    expect(k.deployments.find((d) => d.name === "ingress-nginx-controller")?.replicas).toBe(2);

    // The cloud controller made it (OCCM's names), PROXY pools with monitors, a member per worker on the node ports.
    const r = projectResources(t.emu);
    const lbName = `kube_service_${c.id}_ingress-nginx_ingress-nginx-controller`;
    const lb = r.lbs.find((l) => l.name === lbName)!;
    expect(lb.tags).toEqual([lbName]);
    expect(lb.provisioningStatus).toBe("ACTIVE");
    expect(r.lbs.some((l) => l.tags.includes("kc-addon=ingress-nginx"))).toBe(false);
    const listeners = r.listeners.filter((l) => l.loadBalancerId === lb.id);
    expect(listeners.map((l) => `${l.protocol}:${l.protocolPort}`).sort()).toEqual(["TCP:443", "TCP:80"]);
    const pools = r.pools.filter((p) => p.loadBalancerId === lb.id);
    expect(pools.map((p) => p.protocol)).toEqual(["PROXY", "PROXY"]);
    const workerIps = r.ports
      .filter((p) => p.name.startsWith("addons-web-"))
      .map((p) => p.fixedIps[0]!.ipAddress)
      .sort();
    for (const pool of pools) {
      const members = r.members.filter((m) => m.poolId === pool.id);
      expect(members.map((m) => m.address).sort()).toEqual(workerIps);
      expect(members.every((m) => m.protocolPort === (pool.name.startsWith("pool_0_") ? 30080 : 30443))).toBe(
        true,
      );
      expect(pool.healthMonitorId).not.toBeNull();
    }
    const fip = r.fips.find((f) => f.portId === lb.vipPortId)!;
    expect(fip.description).toBe(
      `Floating IP for Kubernetes external service ingress-nginx/ingress-nginx-controller from cluster ${c.id}`,
    );
    const status = (await clusterRow(db, c.id)).status;
    expect(status.addons!["ingress-nginx"]!.resources[0]).toContain(fip.address);
    expect(status.madeByCluster!.loadBalancers.map((l) => l.floatingIp)).toEqual([fip.address]);

    // Scaling the workers moves the members along (the cloud controller follows the nodes).
    const g = (await clusterRow(db, c.id)).generation;
    await u.caller.nodeGroup.update({
      ...ref,
      generation: g,
      name: "web",
      scaling: { mode: "fixed", size: 3 },
    });
    await drive(db, t, c.id, {
      until: () =>
        projectResources(t.emu).members.filter(
          (m) => m.poolId === pools[0]!.id && m.provisioningStatus === "ACTIVE",
        ).length === 3,
    });

    // A second pass after convergence changes nothing in the cloud.
    await drive(db, t, c.id);
    const settled = await drive(db, t, c.id, { until: (res) => res.converged });
    expect(settled).toBe(1);

    const g2 = (await clusterRow(db, c.id)).generation;
    await u.caller.addon.uninstall({ ...ref, generation: g2, id: "ingress-nginx" });
    await addonPhase(c.id, "ingress-nginx", null);
    await drive(db, t, c.id, {
      until: async () => (await clusterRow(db, c.id)).status.madeByCluster?.loadBalancers.length === 0,
    });
    const after = projectResources(t.emu);
    expect(after.lbs.map((l) => l.name)).toEqual(["addons-api"]);
    expect(after.fips.some((f) => f.address === fip.address)).toBe(false);
    expect(k.applied?.["helm.cattle.io/v1/HelmChart/kube-system/ingress-nginx"]).toBeUndefined();
    expect(k.deployments.some((d) => d.name === "ingress-nginx-controller")).toBe(false);
  }, 120_000);

  it("a load balancer an older console built for ingress-nginx is replaced make-before-break by the Service's", async () => {
    const { u, c, ref } = await running();
    // What an older console left: its own LB and address for the addon, tagged with the cluster and the addon.
    const cloud = t.cloud;
    const subnet = (await cloud.network.listSubnets({ tags: [`kc-cluster=${c.id}`] }))[0]!;
    const tags = [`kc-cluster=${c.id}`, "kc-addon=ingress-nginx"];
    const legacy = await cloud.loadBalancer.createLoadBalancer({
      name: "addons-ingress-nginx-ingress",
      vipSubnetId: subnet.id,
      tags,
    });
    const external = Object.values(t.emu.engine.state.networks).find((n) => n.external)!;
    const legacyFip = await cloud.network.createFloatingIp({
      networkId: external.id,
      portId: legacy.vipPortId,
      tags,
    });
    await u.caller.addon.install({
      ...ref,
      generation: (await clusterRow(db, c.id)).generation,
      addon: { id: "ingress-nginx", version: "4.13.3", values: values("ingress-nginx") },
    });
    let servedThroughout = true;
    let heldForTheNewOne = false;
    await drive(db, t, c.id, {
      until: async () => {
        const s = (await clusterRow(db, c.id)).status;
        return (
          s.addons?.["ingress-nginx"]?.phase === "Installed" &&
          !projectResources(t.emu).lbs.some((l) => l.id === legacy.id)
        );
      },
      onTick: () => {
        const r = projectResources(t.emu);
        const old = r.fips.some((f) => f.id === legacyFip.id && f.portId === legacy.vipPortId);
        const made = r.lbs.find((l) => l.name.startsWith(`kube_service_${c.id}_ingress-nginx_`));
        const serving =
          made?.provisioningStatus === "ACTIVE" && r.fips.some((f) => f.portId === made.vipPortId);
        if (!old && !serving) servedThroughout = false;
        if (old && !serving) heldForTheNewOne = true;
      },
    });
    expect(heldForTheNewOne).toBe(true);
    expect(servedThroughout).toBe(true);
    const r = projectResources(t.emu);
    expect(r.fips.some((f) => f.id === legacyFip.id)).toBe(false);
    expect(r.lbs.filter((l) => l.name.startsWith("kube_service_")).length).toBe(1);
  }, 120_000);

  it("a cluster deleted with addons leaves no load balancer, address or volume behind", async () => {
    const { u, c, ref } = await running({
      addons: [
        { id: "metrics-server", version: "3.13.0", values: values("metrics-server") },
        { id: "ingress-nginx", version: "4.13.3", values: values("ingress-nginx") },
        { id: "kube-prometheus-stack", version: "77.12.0", values: values("kube-prometheus-stack") },
      ],
    });
    await addonPhase(c.id, "kube-prometheus-stack", "Installed");
    await addonPhase(c.id, "ingress-nginx", "Installed");
    // Prometheus' data: a claim of the ceph-ssd class, whose 50 GB volume Cinder CSI made for the cluster.
    await drive(db, t, c.id, {
      until: async () => (await clusterRow(db, c.id)).status.madeByCluster?.volumes.length === 1,
    });
    const vol = projectResources(t.emu).volumes.find(
      (v) => v.metadata["cinder.csi.openstack.org/cluster"] === c.id,
    );
    expect(vol).toMatchObject({
      size: 50,
      volumeTypeName: "ceph-ssd",
      metadata: {
        "csi.storage.k8s.io/pvc/namespace": "monitoring",
        "csi.storage.k8s.io/pvc/name":
          "prometheus-kube-prometheus-stack-prometheus-db-prometheus-kube-prometheus-stack-prometheus-0",
      },
    });
    await u.caller.cluster.delete({ ...ref, confirmName: "addons" });
    await drive(db, t, c.id);
    const left = projectResources(t.emu);
    expect([...left.lbs, ...left.fips, ...left.volumes, ...left.servers, ...left.ports]).toEqual([]);
  }, 120_000);

  it("refuses incompatible choices with the reason and changes nothing", async () => {
    const u = await makeUser(db);
    const c = await u.caller.cluster.create({ projectId: u.personalProjectId, spec: spec() });
    const ref = { projectId: u.personalProjectId, clusterId: c.id, generation: c.generation };
    const cases: Array<[Parameters<typeof u.caller.addon.install>[0]["addon"], RegExp]> = [
      [
        { id: "ingress-nginx", version: "4.12.7", values: values("ingress-nginx") },
        /Ingress NGINX 4\.12\.7 supports Kubernetes 1\.29–1\.34, not 1\.36; choose 4\.13\.3/,
      ],
      [
        { id: "docker-registry", version: "2.3.0", values: values("docker-registry") },
        /needs an addon that provides ingress-controller/,
      ],
      [
        {
          id: "ingress-nginx",
          version: "4.13.3",
          values: values("ingress-nginx").replace("replicaCount: 2", "replicaCount: 0"),
        },
        /line 2: controller\.replicaCount must be >= 1/,
      ],
      [{ id: "velero", version: "10.1.1", values: "schedule: [unclosed\n" }, /YAML syntax/],
      [{ id: "nope", version: "1.0.0", values: "" }, /Unknown addon 'nope'/],
    ];
    for (const [addon, message] of cases) {
      const err = await errorOf(u.caller.addon.install({ ...ref, addon }));
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.message).toMatch(message);
    }
    // Two ingress controllers on the same node ports.
    const withNginx = await u.caller.addon.install({
      ...ref,
      addon: { id: "ingress-nginx", version: "4.13.3", values: values("ingress-nginx") },
    });
    const clash = await errorOf(
      u.caller.addon.install({
        ...ref,
        generation: withNginx.generation,
        addon: { id: "traefik", version: "37.1.2", values: values("traefik") },
      }),
    );
    expect(clash.message).toMatch(/Traefik and Ingress NGINX both use NodePort 30080/);
    const system = await errorOf(
      u.caller.addon.uninstall({ ...ref, generation: withNginx.generation, id: "metrics-server" }),
    );
    expect(system.message).toMatch(/metrics-server is a system addon and cannot be removed/);
    const row = await clusterRow(db, c.id);
    expect(row.generation).toBe(withNginx.generation);
    expect(row.spec.addons.map((a) => a.id)).toEqual(["metrics-server", "ingress-nginx"]);
  });
});

/** Violations per pre-configured constraint, counted by hand from the emulator's sample workload. */
const EXPECTED = {
  "psp-privileged-containers": 2, // ops/node-agent ×2
  "psp-host-namespaces": 2, // node-agent hostPID
  "psp-host-network-ports": 2, // node-agent hostNetwork
  "psp-host-filesystem": 4, // node-agent: /var/log and /proc, ×2
  "psp-privilege-escalation": 3, // node-agent ×2 (unset), debug-shell (true)
  "psp-proc-mount": 0,
  "psp-capabilities": 1, // debug-shell adds SYS_ADMIN
  "psp-apparmor": 0,
  "psp-selinux": 0,
  "psp-seccomp": 2, // node-agent has no profile
  "psp-readonly-root-filesystem": 6, // web ×3, node-agent ×2, debug-shell
  "block-nodeport-services": 1, // shop/checkout-nodeport
};

describe("gatekeeper", () => {
  it("audits the sample workload per constraint, and a deny constraint refuses new violating pods", async () => {
    const { u, c, ref } = await running();
    const audited = async () => {
      const p = (await clusterRow(db, c.id)).status.policies;
      return (
        p?.gatekeeper === "Ready" &&
        Object.values(p.constraints).every((x) => x.state === "Enforced" && x.totalViolations !== null)
      );
    };
    await drive(db, t, c.id, { until: audited });
    const policies = (await clusterRow(db, c.id)).status.policies!;
    expect(
      Object.fromEntries(Object.entries(policies.constraints).map(([n, x]) => [n, x.totalViolations])),
    ).toEqual(EXPECTED);
    expect(
      policies.constraints["psp-privileged-containers"]!.violations.map((v) => `${v.namespace}/${v.kind}`),
    ).toEqual(["ops/Pod", "ops/Pod"]);

    // Parameters are checked against the template's schema, naming the field.
    const g = (await clusterRow(db, c.id)).generation;
    const repos = (parameters: Record<string, unknown>) => ({
      name: "allowed-repos",
      kind: "K8sAllowedRepos",
      enforcementAction: "dryrun" as const,
      enabled: true,
      parameters,
      match: {
        kinds: [{ apiGroups: [""], kinds: ["Pod"] }],
        namespaces: [],
        excludedNamespaces: [...SYSTEM_NAMESPACES],
        labelSelector: { matchLabels: {} },
      },
    });
    const bad = await errorOf(
      u.caller.policy.saveConstraint({ ...ref, generation: g, constraint: repos({ repos: "ghcr.io/" }) }),
    );
    expect(bad.message).toMatch(/parameters\.repos must be array/);
    const missing = await errorOf(
      u.caller.policy.saveConstraint({ ...ref, generation: g, constraint: repos({}) }),
    );
    expect(missing.message).toMatch(/parameters\.repos is required/);

    await u.caller.policy.saveConstraint({
      ...ref,
      generation: g,
      constraint: repos({ repos: ["registry.k8s.io/", "ghcr.io/acme/"] }),
    });
    await drive(db, t, c.id, { until: audited });
    const withRepos = (await clusterRow(db, c.id)).status.policies!.constraints["allowed-repos"]!;
    // web ×3 (docker.io), checkout ×2 (registry.acme.example), node-agent ×2, debug-shell.
    expect(withRepos.totalViolations).toBe(8);

    // dryrun → deny: existing pods stay (the audit still reports them), new violating pods are refused.
    const g2 = (await clusterRow(db, c.id)).generation;
    await u.caller.policy.setEnforcement({
      ...ref,
      generation: g2,
      name: "allowed-repos",
      enforcementAction: "deny",
    });
    await drive(db, t, c.id, { until: audited });
    const k = t.emu.engine.state.kube[c.id]!;
    const webPod = k.pods.find((p) => p.app === "web")!;
    k.pods = k.pods.filter((p) => p.uid !== webPod.uid);
    await t.emu.kube.sync();
    expect(k.pods.filter((p) => p.app === "web")).toHaveLength(2);
    expect(k.events.some((e) => e.reason === "FailedCreate" && e.message.includes("[allowed-repos]"))).toBe(
      true,
    );
    const afterDeny = (await clusterRow(db, c.id)).status.policies!.constraints["allowed-repos"]!;
    expect(afterDeny.violations[0]?.message).toMatch(/invalid image repo/);

    // Stop and start: the deny constraint still holds. Pods the kubelets restart are the same objects (no
    // admission), but every pod the deployments make — from the first moment an API server answers, while
    // Gatekeeper itself is still starting — is refused: its webhook fails closed (its own and the platform's
    // namespaces exempt), so no docker.io pod slips in.
    await u.caller.cluster.stop(ref);
    await drive(db, t, c.id, { until: async () => (await clusterRow(db, c.id)).phase === "Stopped" });
    const eventsBefore = k.events.length;
    await u.caller.cluster.start(ref);
    const dropWeb = async () => {
      k.pods = k.pods.filter((p) => p.app !== "web");
      await t.emu.kube.sync();
      return k.pods.filter((p) => p.app === "web").length;
    };
    await drive(db, t, c.id, {
      onTick: async () => {
        expect(await dropWeb()).toBe(0);
      },
      until: async () => {
        const r = await clusterRow(db, c.id);
        return r.phase === "Running" && r.status.policies?.gatekeeper === "Ready";
      },
    });
    for (let i = 0; i < 6; i++) {
      t.advance(10_000);
      expect(await dropWeb()).toBe(0);
    }
    const refused = k.events.slice(eventsBefore).filter((e) => e.reason === "FailedCreate");
    expect(refused.some((e) => e.name.startsWith("web") && e.message.includes("[allowed-repos]"))).toBe(true);
    // The console shows the refusals with the constraint that refused them (read at the next kube sync).
    t.advance(61_000);
    await drive(db, t, c.id, {
      until: async () =>
        ((await clusterRow(db, c.id)).status.policies?.refusals ?? []).some(
          (x) => x.name.startsWith("web") && x.constraints.length > 0,
        ),
    });
    const shown = (await clusterRow(db, c.id)).status.policies!.refusals!.find((x) =>
      x.name.startsWith("web"),
    )!;
    expect(shown).toMatchObject({ namespace: "default", kind: "ReplicaSet", constraints: ["allowed-repos"] });
    expect(shown.message).toMatch(/invalid image repo/);
    // The platform's pods (exempt namespaces) run.
    expect(k.pods.some((p) => p.namespace === "kube-system" && p.app === "metrics-server")).toBe(true);
  }, 120_000);

  it("custom templates: a missing Rego target is refused with the line; a valid one is applied and in use cannot go", async () => {
    const u = await makeUser(db);
    const c = await u.caller.cluster.create({ projectId: u.personalProjectId, spec: spec() });
    const ref = { projectId: u.personalProjectId, clusterId: c.id };
    const noRego = CUSTOM_TEMPLATE.replace(/      rego: \|[\s\S]*$/, "");
    const err = await errorOf(
      u.caller.policy.addTemplate({ ...ref, generation: c.generation, yaml: noRego }),
    );
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toMatch(/line 21: spec\.targets\[0\]\.rego: is missing/);
    const wrongName = CUSTOM_TEMPLATE.replace("name: k8srequiredannotations", "name: annotations");
    expect(
      (await errorOf(u.caller.policy.addTemplate({ ...ref, generation: c.generation, yaml: wrongName })))
        .message,
    ).toMatch(/line 4: metadata\.name: must be the lowercased CRD kind 'k8srequiredannotations'/);

    const added = await u.caller.policy.addTemplate({
      ...ref,
      generation: c.generation,
      yaml: CUSTOM_TEMPLATE,
    });
    const used = await u.caller.policy.saveConstraint({
      ...ref,
      generation: added.generation,
      constraint: {
        name: "owner-annotation",
        kind: "K8sRequiredAnnotations",
        enforcementAction: "warn",
        enabled: true,
        parameters: { annotations: ["owner"] },
        match: {
          kinds: [{ apiGroups: [""], kinds: ["Pod"] }],
          namespaces: [],
          excludedNamespaces: [],
          labelSelector: { matchLabels: {} },
        },
      },
    });
    const inUse = await errorOf(
      u.caller.policy.deleteTemplate({ ...ref, generation: used.generation, kind: "K8sRequiredAnnotations" }),
    );
    expect(inUse.message).toMatch(/used by constraint owner-annotation/);
    await drive(db, t, c.id, {
      until: async () =>
        (await clusterRow(db, c.id)).status.policies?.constraints["owner-annotation"]?.state === "Enforced",
    });
    const k = t.emu.engine.state.kube[c.id]!;
    expect(k.templates["k8srequiredannotations"]?.metadata.name).toBe("k8srequiredannotations");
    expect(k.constraints["K8sRequiredAnnotations/owner-annotation"]?.metadata.name).toBe("owner-annotation");
  });
});
