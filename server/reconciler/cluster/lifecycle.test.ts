import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { auditLog } from "@/db/schema";
import { makeUser } from "@/db/testing";
import type { ClusterSpecInput } from "@/server/contracts/cluster";
import { allNodes } from "@/server/emulator/kube/model";
import { projectResources, type TestCloud } from "@/server/testing/cloud";
import { withTestCloud, withTestDb } from "@/server/testing/suite";
import { clusterRow, drive } from "@/server/testing/converge";

let db: Db;
let t: TestCloud;
withTestDb((d) => (db = d));
withTestCloud((c) => (t = c));

const baseSpec = (over: Partial<ClusterSpecInput> = {}): ClusterSpecInput => ({
  name: "life",
  topology: "standard",
  masterCount: 3,
  masterZone: "ru-msk-a",
  masterFlavor: "STD2-2-4",
  nodeGroups: [{ name: "web", flavor: "STD2-2-4", zone: "ru-msk-b", scaling: { mode: "fixed", size: 2 } }],
  ...over,
});

/** Create, converge, and wait for every kubelet to be Ready. */
async function running(over: Partial<ClusterSpecInput> = {}) {
  const u = await makeUser(db);
  const c = await u.caller.cluster.create({ projectId: u.personalProjectId, spec: baseSpec(over) });
  await drive(db, t, c.id);
  await drive(db, t, c.id, {
    until: async () => {
      const row = await clusterRow(db, c.id);
      // …and the console has read the workload (PDBs, API usage) for the readiness report.
      return (
        row.phase === "Running" &&
        row.status.nodes.every((n) => n.state === "Ready") &&
        (row.status.workload?.pdbs.length ?? 0) > 0
      );
    },
  });
  const ref = { projectId: u.personalProjectId, clusterId: c.id };
  return { u, c, ref };
}

const kubeNodes = (clusterId: string) => allNodes(t.emu.engine).get(clusterId) ?? [];

describe("stop and start", () => {
  it("round trip keeps volumes, addresses and node names; masters first on start; audited", async () => {
    const { u, c, ref } = await running();
    const before = projectResources(t.emu);
    const volumes = before.volumes.map((v) => v.id).sort();
    const ports = before.ports.map((p) => `${p.name}=${p.fixedIps.map((f) => f.ipAddress).join(",")}`).sort();
    const fips = before.fips.map((f) => f.address);
    const names = (await clusterRow(db, c.id)).status.nodes.map((n) => n.name).sort();
    const running1 = await u.caller.cluster.get(ref);
    expect(running1.stopSaving.perMonth).toBeGreaterThan(0);

    const stopping = await u.caller.cluster.stop(ref);
    expect(stopping.phase).toBe("Stopping");
    // Workers stop before any master.
    let mastersStoppedWhileWorkersUp = false;
    await drive(db, t, c.id, {
      stepMs: 2_000,
      onTick: () => {
        const servers = Object.values(t.emu.engine.state.servers);
        const workerUp = servers.some((s) => s.name.includes("-web-") && s.status === "ACTIVE");
        const masterDown = servers.some(
          (s) => s.name.includes("-master-") && (s.status === "SHUTOFF" || s.taskState === "powering-off"),
        );
        if (workerUp && masterDown) mastersStoppedWhileWorkersUp = true;
      },
    });
    expect(mastersStoppedWhileWorkersUp).toBe(false);
    const stopped = await u.caller.cluster.get(ref);
    expect(stopped.phase).toBe("Stopped");
    expect(Object.values(t.emu.engine.state.servers).every((s) => s.status === "SHUTOFF")).toBe(true);
    expect(stopped.cost.perMonth).toBeCloseTo(running1.cost.perMonth - running1.stopSaving.perMonth, 1);
    // The API is gone while stopped (the load balancer has no running member).
    await t.emu.kube.sync();
    expect(t.emu.kube.addresses()).toEqual([]);

    // Refused while stopped: scaling, upgrading, stopping again.
    await expect(
      u.caller.nodeGroup.update({
        ...ref,
        generation: stopped.generation,
        name: "web",
        scaling: { mode: "fixed", size: 3 },
      }),
    ).rejects.toThrow(/is stopped/);
    await expect(u.caller.cluster.stop(ref)).rejects.toThrow(/already stopped/);
    await expect(
      u.caller.cluster.upgrade({ ...ref, generation: stopped.generation, target: "1.36.1" }),
    ).rejects.toThrow(/start it before upgrading/);

    await u.caller.cluster.start(ref);
    let workerStartedBeforeApi = false;
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: async () => (await clusterRow(db, c.id)).phase === "Running",
      onTick: () => {
        const nodes = kubeNodes(c.id);
        const apiUp = nodes.some((n) => n.config.role === "master" && n.ready);
        const workerBooting = Object.values(t.emu.engine.state.servers).some(
          (s) => s.name.includes("-web-") && (s.status === "ACTIVE" || s.taskState === "powering-on"),
        );
        if (workerBooting && !apiUp) workerStartedBeforeApi = true;
      },
    });
    expect(workerStartedBeforeApi).toBe(false);
    const after = projectResources(t.emu);
    expect(after.volumes.map((v) => v.id).sort()).toEqual(volumes);
    expect(
      after.ports.map((p) => `${p.name}=${p.fixedIps.map((f) => f.ipAddress).join(",")}`).sort(),
    ).toEqual(ports);
    expect(after.fips.map((f) => f.address)).toEqual(fips);
    const row = await clusterRow(db, c.id);
    expect(row.status.nodes.map((n) => n.name).sort()).toEqual(names);
    expect(row.status.nodes.every((n) => n.state === "Ready")).toBe(true);
    // Uncordoned again: every worker schedulable.
    expect(
      kubeNodes(c.id)
        .filter((n) => n.config.role === "worker")
        .every((n) => n.ready && !n.unschedulable),
    ).toBe(true);
    expect(row.status.cordonedByStop).toEqual([]);

    const audits = await db
      .select({ action: auditLog.action, outcome: auditLog.outcome })
      .from(auditLog)
      .where(and(eq(auditLog.targetId, c.id), inArray(auditLog.action, ["cluster.stop", "cluster.start"])));
    expect(
      audits
        .filter((a) => a.outcome === "success")
        .map((a) => a.action)
        .sort(),
    ).toEqual(["cluster.start", "cluster.stop"]);
  }, 120_000);

  it("a start that is still waiting can be stopped again, and a stop can be undone before it finishes", async () => {
    const { u, c, ref } = await running({ name: "flip" });
    const servers = () => Object.values(t.emu.engine.state.servers);
    await u.caller.cluster.stop(ref);
    await drive(db, t, c.id, { stepMs: 2_000 });
    expect((await clusterRow(db, c.id)).phase).toBe("Stopped");
    // A stopped cluster's conditions do not say its nodes are ready.
    const cond = async (type: string) => (await clusterRow(db, c.id)).conditions.find((x) => x.type === type);
    expect(await cond("NodeGroupsReady")).toMatchObject({ status: "False", reason: "Stopped" });
    expect(await cond("ControlPlaneReady")).toMatchObject({ status: "False", reason: "Stopped" });
    expect(await cond("APILoadBalancerReady")).toMatchObject({ status: "False", reason: "NoRunningMaster" });

    // Start, and stop again while the start waits for its nodes: one master up, the workers not yet.
    await u.caller.cluster.start(ref);
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: () => servers().some((s) => s.name.includes("-master-") && s.status === "ACTIVE"),
    });
    expect((await clusterRow(db, c.id)).phase).toBe("Starting");
    // The workers are named while the start waits for them.
    expect((await cond("NodeGroupsReady"))?.message).toMatch(/^Not Ready: flip-web-\d \(\w+\)/);
    const stop = await u.caller.cluster.stop(ref);
    expect(stop.phase).toBe("Stopping");
    await drive(db, t, c.id, { stepMs: 2_000 });
    expect((await clusterRow(db, c.id)).phase).toBe("Stopped");
    expect(servers().every((s) => s.status === "SHUTOFF")).toBe(true);

    // Start, let it finish; stop, and start again while workers are still going down.
    await u.caller.cluster.start(ref);
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: async () => (await clusterRow(db, c.id)).phase === "Running",
    });
    await u.caller.cluster.stop(ref);
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: () => servers().some((s) => s.name.includes("-web-") && s.status === "SHUTOFF"),
    });
    expect((await clusterRow(db, c.id)).phase).toBe("Stopping");
    await u.caller.cluster.start(ref);
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: async () => {
        const row = await clusterRow(db, c.id);
        return row.phase === "Running" && row.status.nodes.every((n) => n.state === "Ready");
      },
    });
    expect(servers().every((s) => s.status === "ACTIVE")).toBe(true);
    expect((await clusterRow(db, c.id)).conditions.every((x) => x.status === "True")).toBe(true);
    expect(
      kubeNodes(c.id)
        .filter((n) => n.config.role === "worker")
        .every((n) => n.ready && !n.unschedulable),
    ).toBe(true);
    // Each interrupted operation reads superseded, not failed.
    const ops = await u.caller.operation.list(ref);
    const kinds = ops
      .filter((o) => o.kind === "start" || o.kind === "stop")
      .map((o) => `${o.kind}:${o.status}`);
    expect(kinds.filter((k) => k.endsWith(":failed"))).toEqual([]);
    expect(kinds.filter((k) => k.endsWith(":superseded")).length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it("refuses transitions that make no sense, with the reason", async () => {
    const u = await makeUser(db);
    const c = await u.caller.cluster.create({
      projectId: u.personalProjectId,
      spec: baseSpec({ name: "early" }),
    });
    const ref = { projectId: u.personalProjectId, clusterId: c.id };
    await expect(u.caller.cluster.stop(ref)).rejects.toThrow(/still being created/);
    await expect(u.caller.cluster.start(ref)).rejects.toThrow(/still being created/);
    await u.caller.cluster.delete({ ...ref, confirmName: "early" });
    await expect(u.caller.cluster.stop(ref)).rejects.toThrow(/being deleted/);
    const refused = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "cluster.stop"), eq(auditLog.outcome, "failure")));
    expect(refused.length).toBeGreaterThanOrEqual(2);
  });
});

describe("a start that waits for a node that never becomes Ready", () => {
  const fail = (clusterId: string, node: string) =>
    t.admin("POST", `/projects/${t.emu.demo.projectId}/clusters/${clusterId}/nodes/${node}/fail`);

  it("names the node and its reason, then hands a worker to auto-healing and finishes", async () => {
    const { u, c, ref } = await running({ name: "sick" });
    expect((await fail(c.id, "sick-web-1")).status).toBe(200);
    await u.caller.cluster.stop(ref);
    await drive(db, t, c.id, { stepMs: 2_000 });
    await u.caller.cluster.start(ref);
    // Everything else comes up; the start then waits for sick-web-1, by name, with the kubelet's reason.
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: async () => (await clusterRow(db, c.id)).status.startWait?.["sick-web-1"] !== undefined,
    });
    await drive(db, t, c.id, {
      stepMs: 2_000,
      maxPasses: 60,
      until: async () => kubeNodes(c.id).filter((n) => n.ready).length === 4,
    });
    const waiting = await u.caller.cluster.get(ref);
    expect(waiting.phase).toBe("Starting");
    expect(waiting.progress?.currentStep).toMatch(
      /^Waiting for sick-web-1 to be Ready: not Ready since \d\d:\d\d UTC \(Ready is Unknown: Kubelet stopped posting node status\); deadline \d\d:\d\d UTC$/,
    );
    expect(waiting.conditions.find((x) => x.type === "NodeGroupsReady")).toMatchObject({
      status: "False",
      message: expect.stringContaining("sick-web-1"),
    });
    const oldId = Object.values(t.emu.engine.state.servers).find((s) => s.name === "sick-web-1")!.id;

    // Past the deadline (10 min of cluster time): replaced, and the start finishes without waiting for the new one.
    await drive(db, t, c.id, {
      stepMs: 60_000,
      maxPasses: 15,
      until: async () => (await u.caller.operation.list(ref))[0]?.status === "succeeded",
    });
    const events = await u.caller.cluster.events({ ...ref, limit: 50 });
    expect(events.find((e) => e.reason === "AutoHealing" && e.objectName === "sick-web-1")?.message).toMatch(
      /^sick-web-1 was still not Ready 1\d min after it started \(Ready is Unknown: Kubelet stopped posting node status\): the start goes on without it, and auto-healing replaces it/,
    );
    // The converge flow builds its replacement: same name, a new server, Ready.
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: async () => {
        const row = await clusterRow(db, c.id);
        return row.phase === "Running" && row.status.nodes.every((n) => n.state === "Ready");
      },
    });
    const now = Object.values(t.emu.engine.state.servers).filter((s) => s.name === "sick-web-1");
    expect(now.map((s) => s.id)).not.toContain(oldId);
    expect(kubeNodes(c.id).find((n) => n.name === "sick-web-1")?.ready).toBe(true);
  }, 200_000);

  it("a master past the deadline fails the start with its name and reason; the cluster keeps serving", async () => {
    const { u, c, ref } = await running({ name: "mast" });
    await u.caller.cluster.stop(ref);
    await drive(db, t, c.id, { stepMs: 2_000 });
    expect((await fail(c.id, "mast-master-2")).status).toBe(409); // stopped servers cannot be failed
    await u.caller.cluster.start(ref);
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: () =>
        Object.values(t.emu.engine.state.servers).some(
          (s) => s.name === "mast-master-2" && s.status === "ACTIVE",
        ),
    });
    expect((await fail(c.id, "mast-master-2")).status).toBe(200);
    await drive(db, t, c.id, {
      stepMs: 60_000,
      until: async () => (await clusterRow(db, c.id)).phase === "Error",
    });
    const row = await clusterRow(db, c.id);
    expect(row.status.lastError).toMatchObject({
      terminal: true,
      step: "Wait for the masters to be Ready",
      message: expect.stringMatching(
        /^mast-master-2 is still not Ready 1\d min after it started \(Ready is Unknown: Kubelet stopped posting node status\)\. The cluster keeps serving with 2 Ready masters\. .*Retry waits for it again\.$/,
      ),
    });
    // Serving: the API answers through the other masters, and the workers run.
    expect(
      kubeNodes(c.id)
        .filter((n) => n.ready)
        .map((n) => n.name)
        .sort(),
    ).toEqual(["mast-master-0", "mast-master-1", "mast-web-0", "mast-web-1"]);
    const ops = await u.caller.operation.list(ref);
    expect(ops[0]).toMatchObject({ kind: "start", status: "failed" });
    // Retry waits for the master again, a whole deadline, and fails again with it still down.
    await u.caller.cluster.retry(ref);
    await drive(db, t, c.id, { stepMs: 60_000, maxPasses: 5, until: () => false }).catch(() => undefined);
    expect((await clusterRow(db, c.id)).phase).toBe("Starting");
    await drive(db, t, c.id, {
      stepMs: 60_000,
      until: async () => (await clusterRow(db, c.id)).phase === "Error",
    });
    expect((await clusterRow(db, c.id)).status.lastError?.message).toMatch(
      /^mast-master-2 is still not Ready/,
    );
    // The failed start can be cancelled: the cluster stops again.
    const failed = await u.caller.cluster.get(ref);
    expect(failed.phase).toBe("Error");
    expect(failed.progress?.cancel).toEqual({ possible: true, means: "The cluster is stopped again." });
    await u.caller.cluster.cancelOperation({ ...ref, operationId: ops[0]!.id });
    await drive(db, t, c.id, { stepMs: 2_000 });
    expect((await clusterRow(db, c.id)).phase).toBe("Stopped");
  }, 200_000);
});

describe("cancel", () => {
  const webServers = () =>
    Object.values(t.emu.engine.state.servers).filter(
      (s) => s.name.includes("-web-") && s.taskState !== "deleting",
    );

  it("a scale-up cancelled halfway goes back to the size before it; the new nodes are removed; audited", async () => {
    const { u, c, ref } = await running({ name: "undo" });
    const before = await u.caller.cluster.get(ref);
    await u.caller.nodeGroup.update({
      ...ref,
      generation: before.generation,
      name: "web",
      scaling: { mode: "fixed", size: 4 },
    });
    // Halfway: the new servers exist, the change has not finished.
    await drive(db, t, c.id, { stepMs: 2_000, until: () => webServers().length === 4 });
    const mid = await u.caller.cluster.get(ref);
    expect(mid.phase).toBe("Updating");
    expect(mid.progress).toMatchObject({ operation: "scale", cancel: { possible: true } });
    const scaleOp = mid.progress!.operationId;

    const undone = await u.caller.cluster.cancelOperation({ ...ref, operationId: scaleOp });
    expect(undone.spec.nodeGroups[0]!.scaling).toEqual({ mode: "fixed", size: 2 });
    expect(undone.generation).toBe(mid.generation + 1);
    // Cancelling twice is refused, by name.
    await expect(u.caller.cluster.cancelOperation({ ...ref, operationId: scaleOp })).rejects.toThrow(
      /already cancelled; there is nothing to cancel/,
    );
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: async () => {
        const row = await clusterRow(db, c.id);
        return row.phase === "Running" && webServers().length === 2;
      },
    });
    expect(kubeNodes(c.id).filter((n) => n.config.role === "worker")).toHaveLength(2);
    const ops = await u.caller.operation.list(ref);
    expect(ops.find((o) => o.id === scaleOp)?.status).toBe("cancelled");
    expect(ops[0]).toMatchObject({ kind: "scale", status: "succeeded" });
    expect(ops.every((o) => !("specBefore" in o))).toBe(true);
    const [audit] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "cluster.operation.cancel"), eq(auditLog.targetId, c.id)));
    expect(audit?.details).toMatchObject({ cancelled: scaleOp, kind: "scale" });
  }, 200_000);

  it("cancelling a stop starts the cluster again; create, finished and other clusters' operations are refused", async () => {
    const { u, c, ref } = await running({ name: "back" });
    const stopping = await u.caller.cluster.stop(ref);
    expect(stopping.progress?.cancel).toEqual({ possible: true, means: "The cluster is started again." });
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: () => webServers().some((s) => s.status === "SHUTOFF"),
    });
    const back = await u.caller.cluster.cancelOperation({
      ...ref,
      operationId: stopping.progress!.operationId,
    });
    expect(back).toMatchObject({ power: "on", phase: "Starting" });
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: async () => {
        const row = await clusterRow(db, c.id);
        return row.phase === "Running" && row.status.nodes.every((n) => n.state === "Ready");
      },
    });
    expect(webServers().every((s) => s.status === "ACTIVE")).toBe(true);

    // The create finished long ago.
    const ops = await u.caller.operation.list(ref);
    const create = ops.find((o) => o.kind === "create")!;
    await expect(u.caller.cluster.cancelOperation({ ...ref, operationId: create.id })).rejects.toThrow(
      /already finished/,
    );
    // A create that runs: cancelling it would leave half a cluster; delete says what it does instead.
    const fresh = await u.caller.cluster.create({
      projectId: ref.projectId,
      spec: baseSpec({ name: "newer" }),
    });
    const freshView = await u.caller.cluster.get({ projectId: ref.projectId, clusterId: fresh.id });
    expect(freshView.progress?.cancel).toEqual({
      possible: false,
      why: expect.stringMatching(/^Creating newer cannot be cancelled halfway; delete the cluster/),
    });
    await expect(
      u.caller.cluster.cancelOperation({
        projectId: ref.projectId,
        clusterId: fresh.id,
        operationId: freshView.progress!.operationId,
      }),
    ).rejects.toThrow(/cannot be cancelled halfway/);
    // Another cluster's operation is not found through this one.
    await expect(
      u.caller.cluster.cancelOperation({ ...ref, operationId: freshView.progress!.operationId }),
    ).rejects.toThrow(/has no such operation/);
  }, 200_000);
});

describe("upgrade", () => {
  const twoGroups: Partial<ClusterSpecInput> = {
    name: "upg",
    version: "1.35.1",
    nodeGroups: [
      {
        name: "roll",
        flavor: "STD2-2-4",
        zone: "ru-msk-b",
        scaling: { mode: "fixed", size: 3 },
        upgrade: { mode: "rolling", maxSurge: 1, maxUnavailable: 0 },
      },
      {
        name: "inplace",
        flavor: "STD2-2-4",
        zone: "ru-msk-c",
        scaling: { mode: "fixed", size: 2 },
        upgrade: { mode: "in-place", maxSurge: 0, maxUnavailable: 1 },
      },
    ],
  };

  it("3 masters and two node groups (rolling and in-place) keep quorum and capacity at every tick", async () => {
    const { u, c, ref } = await running(twoGroups);
    const serverIds = () =>
      Object.fromEntries(Object.values(t.emu.engine.state.servers).map((s) => [s.name, s.id]));
    const idsBefore = serverIds();

    const report = await u.caller.cluster.upgradeReadiness({ ...ref, target: "1.35.3" });
    const blocking = report.findings.filter((f) => f.severity === "blocking").map((f) => f.id);
    expect(blocking).toContain("pdb:shop/checkout"); // minAvailable 2 of 2 replicas
    const row0 = await clusterRow(db, c.id);
    await expect(
      u.caller.cluster.upgrade({ ...ref, generation: row0.generation, target: "1.35.3" }),
    ).rejects.toThrow(/Acknowledge the blocking findings/);
    await expect(
      u.caller.cluster.upgrade({ ...ref, generation: row0.generation, target: "1.33.2" }),
    ).rejects.toThrow(/not an allowed upgrade/);

    await u.caller.cluster.upgrade({
      ...ref,
      generation: row0.generation,
      target: "1.35.3",
      acknowledged: blocking,
    });
    await expect(u.caller.cluster.stop(ref)).rejects.toThrow(/is upgrading/);

    const violations: string[] = [];
    let ticks = 0;
    await drive(db, t, c.id, {
      stepMs: 2_000,
      maxPasses: 1500,
      until: async () => (await clusterRow(db, c.id)).phase === "Running",
      onTick: () => {
        ticks++;
        const nodes = kubeNodes(c.id);
        const readyMasters = nodes.filter((n) => n.config.role === "master" && n.ready).length;
        if (readyMasters < 2) violations.push(`tick ${ticks}: ${readyMasters} Ready masters`);
        const roll = nodes.filter((n) => n.config.group === "roll" && n.ready).length;
        if (roll < 3) violations.push(`tick ${ticks}: ${roll} Ready in roll (size 3, maxUnavailable 0)`);
        const inplace = nodes.filter((n) => n.config.group === "inplace" && n.ready).length;
        if (inplace < 1)
          violations.push(`tick ${ticks}: ${inplace} Ready in inplace (size 2, maxUnavailable 1)`);
      },
    });
    expect(violations).toEqual([]);
    expect(ticks).toBeGreaterThan(20);
    const nodes = kubeNodes(c.id);
    expect(nodes.map((n) => n.kubeletVersion)).toEqual(nodes.map(() => "v1.35.3"));
    expect(nodes.every((n) => n.ready && !n.unschedulable)).toBe(true);
    const idsAfter = serverIds();
    // Masters and in-place nodes are the same servers (rebuilt); rolling nodes are new ones.
    for (const name of ["upg-master-0", "upg-master-1", "upg-master-2", "upg-inplace-0", "upg-inplace-1"])
      expect(idsAfter[name]).toBe(idsBefore[name]);
    const rollBefore = Object.entries(idsBefore)
      .filter(([n]) => n.startsWith("upg-roll-"))
      .map(([, id]) => id);
    const rollAfter = Object.entries(idsAfter)
      .filter(([n]) => n.startsWith("upg-roll-"))
      .map(([, id]) => id);
    expect(rollAfter).toHaveLength(3);
    expect(rollAfter.filter((id) => rollBefore.includes(id))).toEqual([]);

    const row = await clusterRow(db, c.id);
    expect(row.spec.version).toBe("1.35.3");
    expect(Object.values(row.status.upgrade!.nodes).every((n) => n.state === "done")).toBe(true);
    expect(Date.parse(row.status.upgrade!.completedAt!)).toBeGreaterThanOrEqual(
      Date.parse(row.createdAt.toISOString()),
    );
    const audits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "cluster.upgrade"), eq(auditLog.projectId, ref.projectId)));
    // The two refusals (unacknowledged findings, a version that is not allowed) and the upgrade.
    expect(audits.map((a) => a.outcome).sort()).toEqual(["failure", "failure", "success"]);
    expect(audits.find((a) => a.outcome === "success")?.details).toMatchObject({
      from: "1.35.1",
      to: "1.35.3",
      forceDrain: true,
    });
  }, 300_000);

  it("a node that fails stops the rollout, the cluster keeps serving, and retry finishes it", async () => {
    const { u, c, ref } = await running({
      name: "fail",
      version: "1.35.1",
      masterCount: 1,
      topology: "single",
      nodeGroups: [
        {
          name: "ip",
          flavor: "STD2-2-4",
          zone: "ru-msk-b",
          scaling: { mode: "fixed", size: 2 },
          upgrade: { mode: "in-place", maxSurge: 0, maxUnavailable: 1 },
        },
      ],
    });
    const report = await u.caller.cluster.upgradeReadiness({ ...ref, target: "1.35.3" });
    const row0 = await clusterRow(db, c.id);
    await u.caller.cluster.upgrade({
      ...ref,
      generation: row0.generation,
      target: "1.35.3",
      acknowledged: report.findings.filter((f) => f.severity === "blocking").map((f) => f.id),
    });
    // Let the master finish, then break the first worker while it is rebuilt.
    let broke = false;
    await expect(
      drive(db, t, c.id, {
        stepMs: 2_000,
        onTick: async () => {
          const w = Object.values(t.emu.engine.state.servers).find((s) => s.name === "fail-ip-0");
          if (!broke && w?.status === "REBUILD") {
            broke = true;
            await t.admin("POST", `/servers/${w.id}/fail`);
          }
        },
      }),
    ).rejects.toThrow(/stopped: phase Upgrading/);
    const failed = await clusterRow(db, c.id);
    expect(failed.status.upgrade?.failed?.node).toBe("fail-ip-0");
    expect(failed.status.lastError?.terminal).toBe(true);
    // Still serving: the API answers and the other worker is Ready and schedulable.
    const other = kubeNodes(c.id).find((n) => n.name === "fail-ip-1")!;
    expect(other.ready && !other.unschedulable).toBe(true);

    await u.caller.cluster.retry(ref);
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: async () => (await clusterRow(db, c.id)).phase === "Running",
    });
    expect(kubeNodes(c.id).every((n) => n.ready && n.kubeletVersion === "v1.35.3")).toBe(true);
  }, 200_000);
});

describe("a stop that a server never finishes", () => {
  it("names the server, fails past the deadline with it named, and Retry finishes once Nova takes the stop", async () => {
    const { u, c, ref } = await running({ name: "hang" });
    const web1 = Object.values(t.emu.engine.state.servers).find((s) => s.name === "hang-web-1")!;
    // Nova refuses every stop of hang-web-1 (as a compute host that never answers would leave it).
    await t.injectFault({
      service: "compute",
      method: "POST",
      path: `/servers/${web1.id}/action$`,
      status: 409,
    });
    await u.caller.cluster.stop(ref);
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: async () => (await clusterRow(db, c.id)).status.stopWait?.["hang-web-1"] !== undefined,
    });
    const waiting = await u.caller.cluster.get(ref);
    expect(waiting.phase).toBe("Stopping");
    // Past the deadline (10 min of cluster time): the stop fails with the server named and what is off.
    await drive(db, t, c.id, {
      stepMs: 60_000,
      until: async () => (await clusterRow(db, c.id)).phase === "Error",
    });
    const row = await clusterRow(db, c.id);
    expect(row.status.lastError).toMatchObject({
      terminal: true,
      step: "Stop the servers",
      message: expect.stringMatching(
        /^hang-web-1 has not powered off 1\d min after its stop was sent \(Nova: ACTIVE\)\. 1 of 5 servers are off; the rest keep running and billing\./,
      ),
    });
    expect((await u.caller.operation.list(ref))[0]).toMatchObject({ kind: "stop", status: "failed" });
    expect(row.status.lastError?.message).toMatch(
      /Retry waits another 10 min .*Cancel starts the cluster again\.$/,
    );
    expect((await u.caller.cluster.get(ref)).progress?.cancel).toEqual({
      possible: true,
      means: "The cluster is started again.",
    });
    // The operator fixes the host; Retry sends the stop again and the cluster stops.
    expect((await t.admin("DELETE", "/faults")).status).toBe(204);
    await u.caller.cluster.retry(ref);
    await drive(db, t, c.id, {
      stepMs: 2_000,
      until: async () => (await clusterRow(db, c.id)).phase === "Stopped",
    });
    expect(Object.values(t.emu.engine.state.servers).every((s) => s.status === "SHUTOFF")).toBe(true);
    expect((await clusterRow(db, c.id)).status.stopWait).toEqual({});
  }, 200_000);
});
