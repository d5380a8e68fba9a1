import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { clusterEvents } from "@/db/schema";
import { makeUser } from "@/db/testing";
import type { ClusterSpecInput } from "@/server/contracts/cluster";
import type { TestCloud } from "@/server/testing/cloud";
import { withTestCloud, withTestDb } from "@/server/testing/suite";
import { clusterRow, drive } from "@/server/testing/converge";

let db: Db;
let t: TestCloud;
withTestDb((d) => (db = d));
withTestCloud((c) => (t = c));

const MIN = 60_000;

const spec = (over: Partial<ClusterSpecInput> = {}): ClusterSpecInput => ({
  name: "auto",
  topology: "single",
  masterCount: 1,
  masterZone: "ru-msk-a",
  masterFlavor: "STD2-2-4",
  nodeGroups: [
    { name: "web", flavor: "STD2-2-4", zone: "ru-msk-b", scaling: { mode: "autoscale", min: 1, max: 3 } },
  ],
  ...over,
});

async function running(over: Partial<ClusterSpecInput> = {}) {
  const u = await makeUser(db);
  const c = await u.caller.cluster.create({ projectId: u.personalProjectId, spec: spec(over) });
  await drive(db, t, c.id, {
    until: async () => {
      const row = await clusterRow(db, c.id);
      return (
        row.phase === "Running" &&
        row.status.nodes.length > 0 &&
        row.status.nodes.every((n) => n.state === "Ready") &&
        row.status.autoscaler !== undefined
      );
    },
  });
  return { u, c };
}

const workers = (group = "web") =>
  Object.values(t.emu.engine.state.servers).filter(
    (s) =>
      s.projectId === t.emu.demo.projectId && s.name.includes(`-${group}-`) && s.taskState !== "deleting",
  );
const eventsOf = (clusterId: string, reason: string) =>
  db
    .select()
    .from(clusterEvents)
    .where(and(eq(clusterEvents.clusterId, clusterId), eq(clusterEvents.reason, reason)))
    .orderBy(asc(clusterEvents.id));
const setLoad = async (clusterId: string, load: Record<string, unknown>) => {
  const r = await t.admin("PUT", `/projects/${t.emu.demo.projectId}/clusters/${clusterId}/load`, load);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};

describe("cluster autoscaler", () => {
  it("a load ramp scales up within max with events; low load scales down after 10 minutes, never below min", async () => {
    const { c } = await running();
    expect(workers()).toHaveLength(1);

    // Ramp to 10× over 5 minutes: the elastic deployments want ~8 CPU, three nodes give 5.7.
    await setLoad(c.id, { profile: "ramp", base: 1, peak: 10, periodMinutes: 5 });
    let most = 0;
    await drive(db, t, c.id, {
      stepMs: 15_000,
      maxPasses: 400,
      onTick: () => {
        most = Math.max(most, workers().length);
        expect(workers().length).toBeLessThanOrEqual(3);
      },
      until: async () =>
        workers().length === 3 &&
        (await clusterRow(db, c.id)).status.nodes.filter((n) => n.state === "Ready" && n.role === "worker")
          .length === 3 &&
        (await eventsOf(c.id, "NotTriggerScaleUp")).length > 0,
    });
    expect(most).toBe(3);
    const ups = await eventsOf(c.id, "ScaleUp");
    expect(ups.length).toBeGreaterThan(0);
    expect(ups[0]!.message).toMatch(/^Scaling node group web from 1 to [23]: \d+ pending pods? requesting/);
    const notTriggered = await eventsOf(c.id, "NotTriggerScaleUp");
    expect(notTriggered.at(-1)!.message).toMatch(
      /did not trigger scale-up: web: max node group size reached \(3\/3\)/,
    );
    expect((await clusterRow(db, c.id)).status.autoscaler?.pending).toBeGreaterThan(0);

    // Low load: the elastic deployments shrink to their minimum; two nodes become unneeded.
    // (The sample workload's checkout budget allows no eviction at all; the customer drops it here.)
    const k = t.emu.engine.state.kube[c.id]!;
    k.pdbs = k.pdbs.filter((b) => b.name !== "checkout");
    await setLoad(c.id, { profile: "steady", base: 0.2 });
    const lowSince = t.clock.now();
    let firstScaleDownAt: number | null = null;
    let fewest = 3;
    await drive(db, t, c.id, {
      stepMs: 15_000,
      maxPasses: 400,
      onTick: async () => {
        fewest = Math.min(fewest, workers().length);
        if (firstScaleDownAt === null && (await eventsOf(c.id, "ScaleDown")).length > 0)
          firstScaleDownAt = t.clock.now();
      },
      until: async () => {
        const row = await clusterRow(db, c.id);
        return workers().length === 1 && !row.status.autoscaler?.removing && row.phase === "Running";
      },
    });
    expect(firstScaleDownAt).not.toBeNull();
    // Not before 10 minutes of low utilization.
    expect(firstScaleDownAt! - lowSince).toBeGreaterThanOrEqual(10 * MIN);
    expect(fewest).toBe(1);
    const downs = await eventsOf(c.id, "ScaleDown");
    expect(downs).toHaveLength(2);
    expect(downs[0]!.message).toMatch(
      /requests use \d+% CPU and \d+% memory, under 50% for 1\d min; its \d+ pods fit on other nodes|it runs no pods/,
    );
    // At the minimum it stays, however idle.
    await drive(db, t, c.id, { stepMs: MIN, maxPasses: 15, until: () => false }).catch(() => undefined);
    expect(workers()).toHaveLength(1);
    expect(await eventsOf(c.id, "ScaleDown")).toHaveLength(2);
  }, 240_000);

  it("quota reached: NotTriggerScaleUp names the quota, and nothing is created", async () => {
    const { c } = await running({
      nodeGroups: [
        { name: "web", flavor: "STD2-2-4", zone: "ru-msk-b", scaling: { mode: "autoscale", min: 1, max: 5 } },
      ],
    });
    // One core left: a new STD2-2-4 worker needs two.
    const used = Object.values(t.emu.engine.state.servers)
      .filter((s) => s.projectId === t.emu.demo.projectId)
      .reduce((n, s) => n + (t.emu.engine.state.flavors.find((f) => f.id === s.flavorId)?.vcpus ?? 0), 0);
    const q = await t.admin("PUT", `/projects/${t.emu.demo.projectId}/quotas`, { cores: used + 1 });
    expect(q.status).toBe(200);
    await setLoad(c.id, { profile: "steady", base: 6 });
    await drive(db, t, c.id, {
      stepMs: 15_000,
      maxPasses: 100,
      until: async () => (await eventsOf(c.id, "NotTriggerScaleUp")).length > 0,
    });
    const [e] = await eventsOf(c.id, "NotTriggerScaleUp");
    expect(e!.message).toMatch(/web: quota exceeded: cores \(2 needed, 1 left\)/);
    expect(await eventsOf(c.id, "ScaleUp")).toHaveLength(0);
    expect(workers()).toHaveLength(1);
    const row = await clusterRow(db, c.id);
    expect(row.phase).toBe("Running");
    expect(row.status.lastError).toBeNull();
  }, 120_000);
});

describe("auto-healing", () => {
  it("a node NotReady for 10 minutes is replaced in the same group and zone, not before", async () => {
    const { c } = await running({
      nodeGroups: [
        { name: "web", flavor: "STD2-2-4", zone: "ru-msk-b", scaling: { mode: "fixed", size: 2 } },
      ],
    });
    const victim = workers().sort((a, b) => a.name.localeCompare(b.name))[0]!;
    const r = await t.admin(
      "POST",
      `/projects/${t.emu.demo.projectId}/clusters/${c.id}/nodes/${victim.name}/fail`,
    );
    expect(r.status).toBe(200);
    const failedAt = t.clock.now();
    let replacedAt: number | null = null;
    await drive(db, t, c.id, {
      stepMs: 30_000,
      maxPasses: 200,
      onTick: () => {
        const same = Object.values(t.emu.engine.state.servers).find((s) => s.id === victim.id);
        if (replacedAt === null && (!same || same.taskState === "deleting")) replacedAt = t.clock.now();
      },
      until: async () => {
        const row = await clusterRow(db, c.id);
        const node = row.status.nodes.find((n) => n.name === victim.name);
        return replacedAt !== null && node?.state === "Ready" && node.serverId !== victim.id;
      },
    });
    expect(replacedAt! - failedAt).toBeGreaterThanOrEqual(10 * MIN);
    expect(replacedAt! - failedAt).toBeLessThan(12 * MIN);
    const replacement = workers().find((s) => s.name === victim.name)!;
    expect(replacement.id).not.toBe(victim.id);
    expect(replacement.az).toBe(victim.az);
    const [healed] = await eventsOf(c.id, "AutoHealing");
    expect(healed!.objectName).toBe(victim.name);
    expect(healed!.message).toMatch(/NotReady for 1\d min .*replacing it in node group web \(ru-msk-b\)/);
    const row = await clusterRow(db, c.id);
    expect(row.status.nodes.filter((n) => n.role === "worker" && n.state === "Ready")).toHaveLength(2);
  }, 120_000);
});

describe("load balancer health", () => {
  it("an amphora failure is a failover event and the API load balancer stays ONLINE", async () => {
    const { c } = await running();
    await drive(db, t, c.id, {
      stepMs: 15_000,
      until: async () =>
        Boolean((await clusterRow(db, c.id)).status.loadBalancers?.[`${c.name}-api`]?.master),
    });
    const before = (await clusterRow(db, c.id)).status.loadBalancers![`${c.name}-api`]!;
    expect(before.operating).toBe("ONLINE");
    expect(before.members.length).toBeGreaterThan(0);
    expect(before.members.every((m) => m.status === "ONLINE")).toBe(true);
    const lb = Object.values(t.emu.engine.state.loadBalancers).find((x) => x.name === `${c.name}-api`)!;
    const r = await t.admin("POST", `/loadbalancers/${lb.id}/fail-amphora`);
    expect(r.status).toBe(200);
    await drive(db, t, c.id, {
      stepMs: 5_000,
      until: async () => (await eventsOf(c.id, "Failover")).length > 0,
    });
    const after = (await clusterRow(db, c.id)).status.loadBalancers![`${c.name}-api`]!;
    expect(after.master).not.toBe(before.master);
    expect(after.failovers).toBe(1);
    expect(after.operating).toBe("ONLINE");
    const [f] = await eventsOf(c.id, "Failover");
    expect(f!.message).toMatch(/VRRP failover: .* took over the VIP .*operating status ONLINE/);
    const row = await clusterRow(db, c.id);
    expect(row.phase).toBe("Running");
  }, 120_000);
});
