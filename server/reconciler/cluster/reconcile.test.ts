import { emulatorCatalogConfig } from "@/server/testing/emulator-catalog";
import { type TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { clusters, operations } from "@/db/schema";
import { makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import type { ClusterSpecInput } from "@/server/contracts/cluster";
import { projectResources, type TestCloud } from "@/server/testing/cloud";
import { withTestCloud, withTestDb } from "@/server/testing/suite";
import { reconcileCluster } from "./reconcile";

let db: Db;
let t: TestCloud;
withTestDb((d) => (db = d));
withTestCloud((c) => (t = c));

const deps = () => ({
  db,
  cloudFor: async () => t.cloud,
  encryptionKey: TEST_ENCRYPTION_KEY,
  catalogConfigOf: emulatorCatalogConfig,
});

/** Passes until converged, moving emulated time on between them. */
async function converge(clusterId: string, maxPasses = 200, onEmulatorClock = false): Promise<number> {
  for (let pass = 1; pass <= maxPasses; pass++) {
    const r = await reconcileCluster(
      onEmulatorClock ? { ...deps(), clock: () => t.clock.now() } : deps(),
      clusterId,
    );
    if (r.converged) return pass;
    if (r.requeueAfterMs === null)
      throw new Error(
        `stopped without converging: ${JSON.stringify((await row(clusterId)).status.lastError)}`,
      );
    t.advance(5_000);
  }
  const r = await row(clusterId);
  const [op] = await db.select().from(operations).where(eq(operations.clusterId, clusterId));
  throw new Error(
    `did not converge: phase ${r.phase}, step ${op?.currentStep}, lastError ${JSON.stringify(r.status.lastError)}, conditions ${JSON.stringify(r.conditions.map((c) => c.message))}`,
  );
}
const row = async (id: string) => (await db.select().from(clusters).where(eq(clusters.id, id)))[0]!;

const spec = (over: Partial<ClusterSpecInput> = {}): ClusterSpecInput => ({
  name: "c1",
  topology: "standard",
  masterCount: 3,
  masterZone: "ru-msk-b",
  masterFlavor: "STD2-4-8",
  nodeGroups: [
    { name: "workers", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 2 } },
  ],
  ...over,
});

const cloudState = () => projectResources(t.emu);

async function create(over: Partial<ClusterSpecInput> = {}) {
  const u = await makeUser(db);
  const c = await u.caller.cluster.create({ projectId: u.personalProjectId, spec: spec(over) });
  return { u, c };
}

describe("create", () => {
  it("builds a standard 3-master cluster with exactly the resources it needs", async () => {
    const { u, c } = await create({ apiAccess: { public: true, allowedCidrs: ["203.0.113.0/24"] } });
    expect(c.phase).toBe("Provisioning");
    const passes = await converge(c.id);
    const s = cloudState();
    const masters = s.servers.filter((x) => x.name.startsWith("c1-master-"));
    const workers = s.servers.filter((x) => x.name.startsWith("c1-workers-"));
    expect(masters.map((m) => m.az)).toEqual(["ru-msk-b", "ru-msk-b", "ru-msk-b"]);
    expect(workers.map((w) => [w.name, w.az]).sort()).toEqual([
      ["c1-workers-0", "ru-msk-a"],
      ["c1-workers-1", "ru-msk-a"],
    ]);
    expect(s.serverGroups).toMatchObject([{ name: "c1-master", policy: "soft-anti-affinity" }]);
    expect(s.serverGroups[0]!.members.sort()).toEqual(masters.map((m) => m.id).sort());
    // One etcd volume per master, High-IOPS, in its zone, attached to it.
    const etcd = s.volumes.filter((v) => v.name.includes("-etcd-"));
    expect(etcd).toHaveLength(3);
    // Every node boots from its own root volume: masters 40 GB, workers the group's disk size and type.
    const roots = s.volumes.filter((v) => v.bootable);
    expect(roots.map((v) => [v.size, v.volumeTypeName]).sort()).toEqual([
      [40, "ceph-ssd"],
      [40, "ceph-ssd"],
      [40, "ceph-ssd"],
      [50, "ceph-ssd"],
      [50, "ceph-ssd"],
    ]);
    for (const m of masters) {
      const v = s.volumes.find((x) => x.attachment?.serverId === m.id)!;
      expect(v).toMatchObject({ volumeTypeName: "high-iops", az: m.az, status: "in-use", size: 20 });
    }
    expect(s.secGroups.map((g) => g.name).sort()).toEqual(["c1-base", "c1-master", "c1-minion"]);
    expect(s.networks.map((n) => n.name)).toEqual(["c1-net"]);
    expect(s.routers).toHaveLength(1);
    expect(s.lbs).toHaveLength(1);
    expect(s.listeners).toMatchObject([
      { protocol: "TCP", protocolPort: 6443, allowedCidrs: ["203.0.113.0/24"] },
    ]);
    expect(s.members.map((m) => m.protocolPort)).toEqual([6443, 6443, 6443]);
    expect(s.hms).toMatchObject([{ type: "TCP" }]);
    expect(s.fips).toHaveLength(1);
    expect(s.fips[0]!.portId).toBe(s.lbs[0]!.vipPortId);

    const view = await u.caller.cluster.get({ projectId: u.personalProjectId, clusterId: c.id });
    expect(view.phase).toBe("Running");
    expect(view.observedGeneration).toBe(1);
    expect(view.status.apiEndpoint).toMatch(/^https:\/\/127\.\d+\.\d+\.\d+:6443$/);
    // The Overview's summary: the API load balancer and one etcd volume per master, attached to it.
    expect(view.status.inventory?.loadBalancers).toMatchObject([
      {
        name: "c1-api",
        purpose: "Kubernetes API",
        floatingIp: view.status.apiAddress,
        provisioning: "ACTIVE",
        operating: "ONLINE",
      },
    ]);
    expect(
      view.status.inventory?.volumes.map((v) => [
        v.name,
        v.purpose,
        v.sizeGb,
        v.volumeType,
        v.status,
        v.attachedTo,
      ]),
    ).toEqual(
      [0, 1, 2].map((i) => [
        `c1-etcd-${i}`,
        `etcd of master ${i + 1}`,
        20,
        "high-iops",
        "in-use",
        `c1-master-${i}`,
      ]),
    );
    // The allowlist keeps the console out: Nova says the servers run, nothing says the kubelets are Ready.
    expect(view.status.nodes.filter((n) => n.state === "Unverified")).toHaveLength(5);
    expect(view.conditions.map((x) => [x.type, x.status])).toEqual([
      ["NetworkReady", "True"],
      ["ControlPlaneReady", "True"],
      ["APILoadBalancerReady", "True"],
      ["NodeGroupsReady", "True"],
    ]);
    const [op] = await u.caller.operation.list({ projectId: u.personalProjectId, clusterId: c.id });
    expect(op).toMatchObject({ kind: "create", status: "succeeded" });
    expect(op!.stepsDone).toBe(op!.stepsTotal);
    // Every state change became an event: nodes, the load balancer, the volumes.
    const events = await u.caller.cluster.events({
      projectId: u.personalProjectId,
      clusterId: c.id,
      limit: 500,
    });
    const reasons = new Set(events.map((e) => `${e.objectKind}:${e.reason}`));
    for (const r of [
      "Node:Installing",
      "Node:Unverified",
      "LoadBalancer:LoadBalancerStatus",
      "Volume:VolumeStatus",
      "Cluster:StepDone",
    ])
      expect(reasons).toContain(r);
    expect(
      events.find((e) => e.objectKind === "LoadBalancer" && e.message.endsWith("ACTIVE/ONLINE"))?.objectName,
    ).toBe("c1-api");
    // A second pass after convergence changes nothing in the cloud.
    const posts = t.log.filter((e) => e.method !== "GET").length;
    await reconcileCluster(deps(), c.id);
    expect(t.log.filter((e) => e.method !== "GET").length).toBe(posts);
    expect(passes).toBeLessThan(60);
  });

  it("spreads a regional 5-master cluster over all zones (2 + 2 + 1), private API without a floating IP", async () => {
    const { c } = await create({
      name: "reg",
      topology: "regional",
      masterCount: 5,
      apiAccess: { public: false, allowedCidrs: [] },
      nodeGroups: [],
    });
    await converge(c.id);
    const s = cloudState();
    const zones = s.servers.map((x) => x.az).sort();
    expect(zones).toEqual(["ru-msk-a", "ru-msk-a", "ru-msk-b", "ru-msk-b", "ru-msk-c"]);
    for (const v of s.volumes) expect(v.az).toBe(s.servers.find((x) => x.id === v.attachment?.serverId)?.az);
    expect(s.fips).toHaveLength(0);
    expect((await row(c.id)).status.apiEndpoint).toMatch(/^https:\/\/10\.0\.0\.\d+:6443$/);
  });

  it("builds a single-master cluster with an anti-affinity node group", async () => {
    const { c } = await create({
      name: "dev",
      topology: "single",
      masterCount: 1,
      nodeGroups: [
        {
          name: "spread",
          flavor: "STD2-2-4",
          zone: "ru-msk-c",
          scaling: { mode: "fixed", size: 3 },
          antiAffinity: true,
          diskGb: 100,
          diskType: "ceph-hdd",
        },
      ],
    });
    await converge(c.id);
    const s = cloudState();
    expect(s.servers).toHaveLength(4);
    expect(s.serverGroups.map((g) => [g.name, g.policy]).sort()).toEqual([
      ["dev-master", "soft-anti-affinity"],
      ["dev-spread", "anti-affinity"],
    ]);
    expect(s.serverGroups.find((g) => g.name === "dev-spread")!.members).toHaveLength(3);
    expect(
      s.volumes.filter((v) => v.bootable && v.size === 100 && v.volumeTypeName === "ceph-hdd"),
    ).toHaveLength(3);
  });
});

describe("API allowlist", () => {
  it("a changed allowlist reaches the Octavia listener, and clearing it opens the API again", async () => {
    const { u, c } = await create({
      name: "allow",
      apiAccess: { public: true, allowedCidrs: ["203.0.113.0/24"] },
    });
    await converge(c.id);
    const listener = () => cloudState().listeners.find((l) => l.name.startsWith("allow-"))!;
    expect(listener().allowedCidrs).toEqual(["203.0.113.0/24"]);
    const ref = { projectId: u.personalProjectId, clusterId: c.id };
    const before = await u.caller.cluster.get(ref);
    const id = listener().id;
    await u.caller.cluster.update({
      ...ref,
      generation: before.generation,
      spec: {
        ...before.spec,
        apiAccess: { public: true, allowedCidrs: ["198.51.100.0/24", "203.0.113.0/24"] },
      },
    });
    await converge(c.id);
    // The same listener, updated in place: the API address and its connections stay.
    expect(listener().id).toBe(id);
    expect([...(listener().allowedCidrs ?? [])].sort()).toEqual(["198.51.100.0/24", "203.0.113.0/24"]);
    const mid = await u.caller.cluster.get(ref);
    await u.caller.cluster.update({
      ...ref,
      generation: mid.generation,
      spec: { ...mid.spec, apiAccess: { public: true, allowedCidrs: [] } },
    });
    await converge(c.id);
    expect(listener().allowedCidrs ?? []).toEqual([]);
    expect(listener().id).toBe(id);
    expect((await u.caller.cluster.get(ref)).phase).toBe("Running");
  });
});

describe("scale and delete", () => {
  it("scales a group up and down (newest removed first), adds and removes groups, then deletes everything", async () => {
    const { u, c } = await create();
    const p = u.personalProjectId;
    await converge(c.id);
    let g = (await row(c.id)).generation;
    /** The group `workers` to a fixed size, on the generation last read. */
    const scaleWorkers = (size: number) =>
      u.caller.nodeGroup.update({
        projectId: p,
        clusterId: c.id,
        generation: g,
        name: "workers",
        scaling: { mode: "fixed", size },
      });
    await scaleWorkers(4);
    expect((await row(c.id)).phase).toBe("Running"); // the API stored intent only
    await converge(c.id);
    expect(
      cloudState()
        .servers.filter((x) => x.name.startsWith("c1-workers-"))
        .map((x) => x.name)
        .sort(),
    ).toEqual(["c1-workers-0", "c1-workers-1", "c1-workers-2", "c1-workers-3"]);

    g = (await row(c.id)).generation;
    await scaleWorkers(1);
    // Each removed worker is drained first. When the sample shop's pods have nowhere to go, its
    // PodDisruptionBudget holds the drain until the drain timeout (30 emulated minutes) forces it.
    await converge(c.id, 600, true);
    expect(
      cloudState()
        .servers.filter((x) => x.name.startsWith("c1-workers-"))
        .map((x) => x.name),
    ).toEqual(["c1-workers-0"]);
    expect(cloudState().ports.filter((x) => x.name.startsWith("c1-workers-"))).toHaveLength(1);

    g = (await row(c.id)).generation;
    await u.caller.nodeGroup.add({
      projectId: p,
      clusterId: c.id,
      generation: g,
      nodeGroup: {
        name: "gpu",
        flavor: "STD3-8-16",
        zone: "ru-msk-c",
        scaling: { mode: "fixed", size: 2 },
        antiAffinity: true,
      },
    });
    await converge(c.id);
    expect(cloudState().servers.filter((x) => x.name.startsWith("c1-gpu-"))).toHaveLength(2);
    g = (await row(c.id)).generation;
    await u.caller.nodeGroup.remove({ projectId: p, clusterId: c.id, generation: g, name: "gpu" });
    await converge(c.id);
    expect(cloudState().servers.filter((x) => x.name.startsWith("c1-gpu-"))).toHaveLength(0);
    expect(cloudState().serverGroups.map((x) => x.name)).toEqual(["c1-master"]);

    const wrong = await u.caller.cluster
      .delete({ projectId: p, clusterId: c.id, confirmName: "c2" })
      .catch((e: unknown) => e);
    expect((wrong as TRPCError).code).toBe("BAD_REQUEST");
    await u.caller.cluster.delete({ projectId: p, clusterId: c.id, confirmName: "c1" });
    await converge(c.id);
    const s = cloudState();
    for (const [kind, items] of Object.entries(s))
      expect({ kind, left: items.length }).toEqual({ kind, left: 0 });
    const deleted = await row(c.id);
    expect(deleted).toMatchObject({ phase: "Deleted" });
    expect(deleted.deletedAt).not.toBeNull();
    const ops = await db.select().from(operations).where(eq(operations.clusterId, c.id));
    expect(ops.map((o) => o.kind).sort()).toEqual(["create", "delete", "scale", "scale", "scale", "scale"]);
    await expect(u.caller.cluster.get({ projectId: p, clusterId: c.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await u.caller.operation.list({ projectId: p, clusterId: c.id })).toHaveLength(6);
  }, 180_000);

  it("deletes a half-built cluster", async () => {
    const { u, c } = await create();
    for (let i = 0; i < 4; i++) {
      await reconcileCluster(deps(), c.id);
      t.advance(5_000);
    }
    expect(cloudState().servers.length).toBeGreaterThan(0);
    await u.caller.cluster.delete({ projectId: u.personalProjectId, clusterId: c.id, confirmName: "c1" });
    await converge(c.id);
    for (const [kind, items] of Object.entries(cloudState()))
      expect({ kind, left: items.length }).toEqual({ kind, left: 0 });
  });
});

describe("intent rules and errors", () => {
  it("refuses a stale generation with CONFLICT, changes to immutable fields, and changes while deleting", async () => {
    const { u, c } = await create();
    const p = u.personalProjectId;
    await u.caller.nodeGroup.update({
      projectId: p,
      clusterId: c.id,
      generation: 1,
      name: "workers",
      scaling: { mode: "fixed", size: 3 },
    });
    const stale = await u.caller.nodeGroup
      .update({
        projectId: p,
        clusterId: c.id,
        generation: 1,
        name: "workers",
        scaling: { mode: "fixed", size: 5 },
      })
      .catch((e: unknown) => e);
    expect(stale).toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/changed meanwhile \(now at revision 2, you edited revision 1\)/),
    });
    const current = await u.caller.cluster.get({ projectId: p, clusterId: c.id });
    const immutable = await u.caller.cluster
      .update({
        projectId: p,
        clusterId: c.id,
        generation: current.generation,
        spec: { ...current.spec, topology: "regional" },
      })
      .catch((e: unknown) => e);
    expect(immutable).toMatchObject({
      code: "BAD_REQUEST",
      message: "The topology cannot be changed after creation",
    });
    const aa = await u.caller.nodeGroup
      .update({
        projectId: p,
        clusterId: c.id,
        generation: current.generation,
        name: "workers",
        scaling: { mode: "fixed", size: 3 },
      })
      .then(() => null);
    expect(aa).toBeNull();
    await u.caller.cluster.delete({ projectId: p, clusterId: c.id, confirmName: "c1" });
    const g = (await row(c.id)).generation;
    const late = await u.caller.nodeGroup
      .update({
        projectId: p,
        clusterId: c.id,
        generation: g,
        name: "workers",
        scaling: { mode: "fixed", size: 1 },
      })
      .catch((e: unknown) => e);
    expect(late).toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "Cluster c1 is being deleted; it can no longer be changed",
    });
  });

  it("stops in Error with the quota named, and converges after the quota is raised and the user retries", async () => {
    await t.admin("PUT", `/projects/${t.emu.demo.projectId}/quotas`, { instances: 3 });
    const { u, c } = await create();
    for (let i = 0; i < 60; i++) {
      const r = await reconcileCluster(deps(), c.id);
      if (r.requeueAfterMs === null) break;
      t.advance(5_000);
    }
    const failed = await row(c.id);
    expect(failed.phase).toBe("Error");
    expect(failed.status.lastError).toMatchObject({
      terminal: true,
      message: expect.stringMatching(/Quota exceeded for instances/),
    });
    const [op] = await u.caller.operation.list({ projectId: u.personalProjectId, clusterId: c.id });
    expect(op).toMatchObject({ status: "failed", error: expect.stringMatching(/instances/) });

    await t.admin("PUT", `/projects/${t.emu.demo.projectId}/quotas`, { instances: 10 });
    await u.caller.cluster.retry({ projectId: u.personalProjectId, clusterId: c.id });
    await converge(c.id);
    expect((await row(c.id)).phase).toBe("Running");
  });

  it("refuses a flavor the cloud does not have at create, and reports one gone later as a terminal error naming it", async () => {
    const refused = (await create({ masterFlavor: "NOPE-1-1" }).catch((e: unknown) => e)) as TRPCError;
    expect(refused.message).toBe("Some fields need attention");
    expect(JSON.stringify(refused.cause)).toMatch(
      /Flavor 'NOPE-1-1' does not exist in this cloud; choose one of STD2-1-2/,
    );
    // The operator removes the flavor after the cluster was accepted.
    const { c } = await create();
    const [stored] = await db.select().from(clusters).where(eq(clusters.id, c.id));
    await db
      .update(clusters)
      .set({ spec: { ...stored!.spec, masterFlavor: "NOPE-1-1" } })
      .where(eq(clusters.id, c.id));
    await reconcileCluster(deps(), c.id);
    const r = await row(c.id);
    expect(r.phase).toBe("Error");
    expect(r.status.lastError?.message).toMatch(/Flavor 'NOPE-1-1' does not exist/);
  });

  it("a 404 from a call that is not a delete is an error with backoff, shown on the cluster, not a success", async () => {
    // Pointing the floating IP at the VIP port answers 404 (as a real Neutron did when the port was not there yet).
    await t.injectFault({
      status: 404,
      service: "network",
      method: "PUT",
      path: "^/network/v2.0/floatingips/[^/]+$",
    });
    const { c } = await create({ topology: "single", masterCount: 1, nodeGroups: [] });
    let last = null;
    for (let pass = 0; pass < 120; pass++) {
      last = await reconcileCluster(deps(), c.id);
      const r = await row(c.id);
      if (r.status.lastError?.step.startsWith("Point")) break;
      t.advance(5_000);
    }
    const r = await row(c.id);
    expect(r.status.lastError).toMatchObject({
      step: "Point the API's public address at the load balancer",
      message: expect.stringMatching(/NotFound/),
    });
    expect(last?.converged).toBe(false);
    // Backed off (2 s and up), never the 200 ms progress poll.
    expect(last?.requeueAfterMs).toBeGreaterThanOrEqual(2_000);
  });

  it("a create whose tags cannot be set is taken back, so failed tag calls never leak resources", async () => {
    // The default profile has no tag-creation: tags follow the create with PUT …/tags, which fails here 3 times
    // (a 409, which the HTTP client does not retry by itself).
    await t.injectFault({ status: 409, service: "network", method: "PUT", path: "/tags$", count: 3 });
    const { c } = await create({ topology: "single", masterCount: 1, nodeGroups: [] });
    await converge(c.id);
    const s = cloudState();
    expect(s.networks.filter((n) => n.name.startsWith("c1-"))).toHaveLength(1);
    expect(s.fips).toHaveLength(1);
    expect(s.ports.filter((p) => p.name.startsWith("c1-")).length).toBe(1);
  });

  it("converges through 20% injected 503s without duplicates", async () => {
    await t.injectFault({ status: 503, rate: 0.2 });
    const { c } = await create({
      nodeGroups: [
        { name: "workers", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 3 } },
      ],
    });
    await converge(c.id, 400);
    const s = cloudState();
    expect(s.servers).toHaveLength(6);
    expect(s.volumes.filter((v) => v.name.includes("-etcd-"))).toHaveLength(3);
    expect(s.volumes.filter((v) => v.bootable)).toHaveLength(6);
    expect(s.lbs).toHaveLength(1);
    expect(s.members).toHaveLength(3);
    expect(new Set(s.servers.map((x) => x.name)).size).toBe(6);
  });
});

describe("listing", () => {
  it("lists a summary per cluster that agrees with the whole cluster, at a fraction of its size", async () => {
    const { u, c } = await create({ name: "sum" });
    await converge(c.id);
    const p = u.personalProjectId;
    // A second, still provisioning cluster with an error to show.
    const other = await u.caller.cluster.create({
      projectId: p,
      spec: spec({ name: "sum-2", topology: "single", masterCount: 1, masterZone: "ru-msk-c" }),
    });
    await db
      .update(clusters)
      .set({
        status: {
          ...(await row(other.id)).status,
          lastError: { step: "x", message: "Nova said no", at: "", attempts: 2, terminal: false },
        },
      })
      .where(eq(clusters.id, other.id));
    const [list, detailed, whole] = await Promise.all([
      u.caller.cluster.list({ projectId: p }),
      u.caller.cluster.listDetailed({ projectId: p }),
      u.caller.cluster.get({ projectId: p, clusterId: c.id }),
    ]);
    expect(list.items.map((x) => x.name)).toEqual(["sum-2", "sum"]);
    expect(detailed.items.map((x) => x.id)).toEqual(list.items.map((x) => x.id));
    const s = list.items[1]!;
    const readyWorkers = whole.status.nodes.filter((n) => n.role === "worker" && n.state === "Ready").length;
    expect(readyWorkers).toBe(2);
    expect(s).toMatchObject({
      phase: "Running",
      power: "on",
      version: whole.spec.version,
      topology: "standard",
      masterCount: 3,
      zones: ["ru-msk-a", "ru-msk-b"],
      workers: { ready: 2, wanted: 2 },
      apiEndpoint: whole.status.apiEndpoint,
      lastError: null,
      progress: null,
      cost: { perHour: whole.cost.perHour, perMonth: whole.cost.perMonth, currency: whole.cost.currency },
    });
    expect(s.apiEndpoint).toMatch(/^https:\/\//);
    const pending = list.items[0]!;
    expect(pending).toMatchObject({
      phase: "Provisioning",
      zones: ["ru-msk-a", "ru-msk-c"],
      workers: { ready: 0, wanted: 2 },
      lastError: "Nova said no",
      progress: { operation: "create", done: 0 },
    });
    // The summary carries no spec or status: a converged cluster's row is a small part of the whole.
    expect(s).not.toHaveProperty("spec");
    expect(s).not.toHaveProperty("status");
    const bytes = (x: unknown) => JSON.stringify(x).length;
    expect(bytes(s) * 4).toBeLessThan(bytes(detailed.items[1]));
  });

  it("pages through clusters created in the same instant without skipping or repeating (microsecond keyset)", async () => {
    const u = await makeUser(db);
    const p = u.personalProjectId;
    const base = (await u.caller.cluster.create({ projectId: p, spec: spec({ name: "seed" }) })).spec;
    // One statement: identical created_at for all rows.
    await db.insert(clusters).values(
      Array.from({ length: 25 }, (_, i) => ({
        projectId: p,
        name: `same-${i}`,
        spec: { ...base, name: `same-${i}` },
      })),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await u.caller.cluster.list({ projectId: p, limit: 7, cursor });
      seen.push(...page.items.map((c) => c.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(26);
    expect(new Set(seen).size).toBe(26);
    const filtered = await u.caller.cluster.list({ projectId: p, search: "same-1", limit: 50 });
    expect(filtered.items.map((c) => c.name).sort()).toEqual([
      "same-1",
      "same-10",
      "same-11",
      "same-12",
      "same-13",
      "same-14",
      "same-15",
      "same-16",
      "same-17",
      "same-18",
      "same-19",
    ]);
  });
});
