/**
 * Every phase against the emulator, with STYLE's four properties: it creates
 * what it is for; a second pass makes no mutating call; after a crash (its
 * actions ran, the pass never persisted) the next passes adopt instead of
 * doing it twice; and a cluster deleted half-way through leaves nothing.
 */
import { emulatorCatalogConfig } from "@/server/testing/emulator-catalog";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import type { ClusterSpecInput } from "@/server/contracts/cluster";
import { createKubeClient, type KubeClient, type KubeTarget } from "@/server/kube/client";
import { projectResources, type TestCloud } from "@/server/testing/cloud";
import { clusterRow, drive } from "@/server/testing/converge";
import { withTestCloud, withTestDb } from "@/server/testing/suite";
import { passScope, reconcileCluster } from "../reconcile";
import type { PhaseFn, ReconcileDeps } from "../scope";
import { addonsPhase } from "./addons";
import { autoscalerPhase } from "./autoscaler";
import { caRotationPhase } from "./ca-rotation";
import { infrastructurePhase } from "./infrastructure";
import { lbHealthPhase } from "./lb-health";
import { prunePhase } from "./prune";
import { startPhase } from "./start";
import { stopPhase } from "./stop";
import { upgradePhase } from "./upgrade";

let db: Db;
let t: TestCloud;
withTestDb((d) => (db = d));
withTestCloud((c) => (t = c));

/** Kubernetes calls that change something, by method name. */
const KUBE_WRITES = /^(set|put|delete|evict|apply)/;

function deps(kubeWrites: string[] = []): ReconcileDeps {
  return {
    db,
    cloudFor: async () => t.cloud,
    encryptionKey: TEST_ENCRYPTION_KEY,
    catalogConfigOf: emulatorCatalogConfig,
    clock: () => t.clock.now(),
    kubeFor: (target: KubeTarget) => {
      const real = createKubeClient(target);
      return new Proxy(real, {
        get(obj, key, receiver) {
          const v = Reflect.get(obj, key, receiver) as unknown;
          if (typeof key === "string" && typeof v === "function" && KUBE_WRITES.test(key))
            return (...args: unknown[]) => {
              kubeWrites.push(key);
              return (v as (...a: unknown[]) => unknown).apply(obj, args);
            };
          return v;
        },
      }) as KubeClient;
    },
  };
}

/** OpenStack calls since `from` that change something. */
const cloudWrites = (from: number) =>
  t.log
    .slice(from)
    .filter((e) => e.method !== "GET" && e.method !== "HEAD")
    .map((e) => `${e.method} ${e.path}`);

const spec = (over: Partial<ClusterSpecInput> = {}): ClusterSpecInput => ({
  name: "ph",
  topology: "single",
  masterCount: 1,
  masterZone: "ru-msk-a",
  masterFlavor: "STD2-2-4",
  nodeGroups: [{ name: "web", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 2 } }],
  ...over,
});

async function create(over: Partial<ClusterSpecInput> = {}) {
  const u = await makeUser(db);
  const c = await u.caller.cluster.create({ projectId: u.personalProjectId, spec: spec(over) });
  return { u, c, ref: { projectId: u.personalProjectId, clusterId: c.id } };
}

/** Converged, and every kubelet Ready. */
async function running(over: Partial<ClusterSpecInput> = {}) {
  const x = await create(over);
  await drive(db, t, x.c.id);
  await drive(db, t, x.c.id, {
    until: async () => {
      const row = await clusterRow(db, x.c.id);
      return row.phase === "Running" && row.status.nodes.every((n) => n.state === "Ready");
    },
  });
  return x;
}

async function allReady(clusterId: string) {
  const row = await clusterRow(db, clusterId);
  return row.phase === "Running" && row.status.nodes.every((n) => n.state === "Ready");
}

/** Plan one phase on a fresh scope and run its actions, as a pass killed before it persisted would. */
async function planAndRun(clusterId: string, phase: PhaseFn) {
  const r = await phase(await passScope(deps(), clusterId));
  await Promise.allSettled(r.actions.map((a) => a.run()));
  return r.actions.map((a) => a.label);
}

/** Cloud resources of one kind that share a name: there must be none. */
function duplicateNames(): string[] {
  const r = projectResources(t.emu);
  return Object.entries(r).flatMap(([kind, list]) => {
    const names = list.map((x) => ("name" in x ? x.name : "")).filter((n) => n);
    return names.filter((n, i) => names.indexOf(n) !== i).map((n) => `${kind}/${n}`);
  });
}

function nothingLeft() {
  const r = projectResources(t.emu);
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.length]));
}
const EMPTY = {
  servers: 0,
  volumes: 0,
  networks: 0,
  subnets: 0,
  routers: 0,
  ports: 0,
  secGroups: 0,
  rules: 0,
  serverGroups: 0,
  lbs: 0,
  listeners: 0,
  pools: 0,
  members: 0,
  hms: 0,
  fips: 0,
};

async function deleteAndDrain(
  u: Awaited<ReturnType<typeof create>>["u"],
  ref: { projectId: string; clusterId: string },
) {
  await u.caller.cluster.delete({ ...ref, confirmName: "ph" });
  await drive(db, t, ref.clusterId, {
    until: async () => (await clusterRow(db, ref.clusterId)).phase === "Deleted",
  });
  expect(nothingLeft()).toEqual(EMPTY);
}

describe("infrastructure and prune", () => {
  it("create: the first plan starts every step without inputs; once converged, nothing is left to plan", async () => {
    const { c } = await create();
    const first = await infrastructurePhase(await passScope(deps(), c.id));
    expect(first.done).toBe(false);
    expect(first.actions.map((a) => a.label)).toEqual(
      expect.arrayContaining(["Create network", "Create security group ph-base"]),
    );
    await drive(db, t, c.id);
    const scope = await passScope(deps(), c.id);
    for (const phase of [infrastructurePhase, prunePhase]) {
      const r = await phase(scope);
      expect({ actions: r.actions.map((a) => a.label), done: r.done }).toEqual({ actions: [], done: true });
    }
    const r = projectResources(t.emu);
    expect(r.servers.map((s) => s.name).sort()).toEqual(["ph-master-0", "ph-web-0", "ph-web-1"]);
  });

  it("adopt after a crash: steps that ran unrecorded are found again, never created twice", async () => {
    const { c } = await create();
    // Three passes whose actions ran but whose status was never written.
    for (let i = 0; i < 3; i++) {
      await planAndRun(c.id, infrastructurePhase);
      t.advance(5_000);
      await t.emu.kube.sync();
    }
    await drive(db, t, c.id);
    expect(duplicateNames()).toEqual([]);
    const r = projectResources(t.emu);
    expect([r.networks.length, r.subnets.length, r.routers.length, r.lbs.length, r.servers.length]).toEqual([
      1, 1, 1, 1, 3,
    ]);
  });

  it("delete when half-built: nothing is left", async () => {
    const { u, c, ref } = await create();
    for (let i = 0; i < 3; i++) {
      await reconcileCluster(deps(), c.id);
      t.advance(2_000);
    }
    expect(projectResources(t.emu).networks).toHaveLength(1);
    await deleteAndDrain(u, ref);
    expect((await clusterRow(db, c.id)).phase).toBe("Deleted");
  });
});

describe("a converged, running cluster", () => {
  it("a second pass makes no mutating call, and every phase has nothing to do", async () => {
    const { c } = await running();
    // Running comes before the charts' install jobs finish: wait until Gatekeeper's objects are in too.
    await drive(db, t, c.id, {
      until: async (res) =>
        res.converged &&
        res.actions.length === 0 &&
        (await clusterRow(db, c.id)).status.policies?.gatekeeper === "Ready",
    });
    await drive(db, t, c.id, { maxPasses: 3, until: () => false }).catch(() => undefined);
    const kubeWrites: string[] = [];
    const from = t.log.length;
    const pass = await reconcileCluster(deps(kubeWrites), c.id);
    expect(pass.converged).toBe(true);
    expect(pass.actions).toEqual([]);
    expect(cloudWrites(from)).toEqual([]);
    expect(kubeWrites).toEqual([]);
    const scope = await passScope(deps(), c.id);
    expect(scope.flow).toBe("converge");
    for (const phase of [
      caRotationPhase,
      autoscalerPhase,
      infrastructurePhase,
      prunePhase,
      addonsPhase,
      lbHealthPhase,
      startPhase,
      upgradePhase,
    ]) {
      const r = await phase(scope);
      expect({
        phase: phase.name,
        actions: r.actions.map((a) => a.label),
        failure: r.failure ?? null,
      }).toEqual({
        phase: phase.name,
        actions: [],
        failure: null,
      });
    }
  }, 300_000);
});

describe("stop and start", () => {
  it("stop: a crash after its actions is adopted (nothing stopped twice), a stopped cluster's pass is quiet, start brings it back", async () => {
    const { u, c, ref } = await running();
    await u.caller.cluster.stop(ref);
    const cordons = await reconcileCluster(deps(), c.id);
    expect(cordons.actions).toEqual(["Cordon ph-web-0", "Cordon ph-web-1"]);
    // The workers' stops run, and the pass dies before it records them.
    expect(await planAndRun(c.id, stopPhase)).toEqual(["Stop ph-web-0", "Stop ph-web-1"]);
    const next = (await stopPhase(await passScope(deps(), c.id))).actions.map((a) => a.label);
    expect(next.filter((l) => l.startsWith("Stop ph-web") || l.startsWith("Cordon"))).toEqual([]);
    await drive(db, t, c.id, { until: async () => (await clusterRow(db, c.id)).phase === "Stopped" });
    const from = t.log.length;
    const quiet = await reconcileCluster(deps(), c.id);
    expect([quiet.converged, quiet.actions, cloudWrites(from)]).toEqual([true, [], []]);

    await u.caller.cluster.start(ref);
    const starting = (await startPhase(await passScope(deps(), c.id))).actions.map((a) => a.label);
    expect(starting).toEqual(["Start ph-master-0"]);
    await drive(db, t, c.id, { until: async () => (await allReady(c.id)) === true });
  }, 300_000);

  // Known gap (issue 20): which workers the stop cordoned lives only in the cluster's status, so a pass
  // killed between the cordon and its commit forgets them and the start leaves them cordoned. Fixing it
  // needs the mark on the node itself (an annotation); this test fails until then, then must be un-marked.
  it.fails(
    "a crash between the stop's cordon and its commit still uncordons the workers on start",
    async () => {
      const { u, c, ref } = await running();
      await u.caller.cluster.stop(ref);
      expect(await planAndRun(c.id, stopPhase)).toEqual(["Cordon ph-web-0", "Cordon ph-web-1"]);
      await drive(db, t, c.id, { until: async () => (await clusterRow(db, c.id)).phase === "Stopped" });
      await u.caller.cluster.start(ref);
      await drive(db, t, c.id, { maxPasses: 80, until: async () => (await allReady(c.id)) === true });
    },
    300_000,
  );

  it("delete when half-stopped: nothing is left", async () => {
    const { u, c, ref } = await running();
    await u.caller.cluster.stop(ref);
    await drive(db, t, c.id, { maxPasses: 2, until: () => false }).catch(() => undefined);
    expect(t.emu.engine.state.servers).not.toEqual({});
    await deleteAndDrain(u, ref);
  }, 300_000);
});

describe("upgrade", () => {
  it("a crash after a rebuild is adopted (no second rebuild), the upgrade finishes, and a half-upgraded cluster deletes cleanly", async () => {
    const { u, c, ref } = await running({
      version: "1.35.1",
      nodeGroups: [
        {
          name: "web",
          flavor: "STD2-2-4",
          zone: "ru-msk-a",
          scaling: { mode: "fixed", size: 1 },
          upgrade: { mode: "in-place", maxSurge: 0, maxUnavailable: 1 },
        },
      ],
    });
    const row = await clusterRow(db, c.id);
    const report = await u.caller.cluster.upgradeReadiness({ ...ref, target: "1.35.3" });
    await u.caller.cluster.upgrade({
      ...ref,
      generation: row.generation,
      target: "1.35.3",
      acknowledged: report.findings.filter((f) => f.severity === "blocking").map((f) => f.id),
    });
    const first = await planAndRun(c.id, upgradePhase);
    expect(first).toEqual(["Upgrade master ph-master-0 to 1.35.3 (rebuild)"]);
    const again = (await upgradePhase(await passScope(deps(), c.id))).actions.map((a) => a.label);
    expect(again).toEqual([]);
    await drive(db, t, c.id, {
      until: async () => {
        const r = await clusterRow(db, c.id);
        return Object.values(r.status.upgrade?.nodes ?? {}).some((n) => n.state === "draining");
      },
    });
    // Half-way: the master is on 1.35.3, the worker is being drained. Delete now.
    const versions = Object.values(t.emu.engine.state.servers).map(
      (s) => `${s.name}@${s.metadata["kc-version"]}`,
    );
    expect(versions.sort()).toEqual(["ph-master-0@1.35.3", "ph-web-0@1.35.1"]);
    expect(duplicateNames()).toEqual([]);
    await deleteAndDrain(u, ref);
  }, 300_000);
});
