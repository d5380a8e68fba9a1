import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "@/server/testing/cloud";
import { AdminOnly, BadRequest, Conflict, Forbidden, QuotaExceeded } from "./index";

let t: TestCloud;
beforeEach(async () => {
  t = await startTestCloud();
});
afterEach(() => t.stop());

const MIN = 60_000;

async function apiLb(tc: TestCloud) {
  const net = await tc.cloud.network.createNetwork({ name: "c1-net" });
  const subnet = await tc.cloud.network.createSubnet({
    name: "c1-subnet",
    networkId: net.id,
    cidr: "10.9.0.0/24",
  });
  const flavors = await tc.cloud.compute.listFlavors();
  const images = await tc.cloud.image.listImages();
  const masters = [];
  for (const az of ["ru-msk-a", "ru-msk-b", "ru-msk-c"]) {
    const port = await tc.cloud.network.createPort({
      name: `c1-master-${az}`,
      networkId: net.id,
      subnetId: subnet.id,
    });
    const { id } = await tc.cloud.compute.createServer({
      name: `c1-master-${az}`,
      flavorId: flavors[1]!.id,
      imageId: images[0]!.id,
      availabilityZone: az,
      network: { portId: port.id },
    });
    masters.push({ id, ip: port.fixedIps[0]!.ipAddress });
  }
  const lb = await tc.cloud.loadBalancer.createLoadBalancer({
    name: "c1-api",
    vipSubnetId: subnet.id,
    tags: ["cluster:c1"],
  });
  return { net, subnet, masters, lb };
}

describe("Octavia", () => {
  it("builds an API load balancer step by step, honouring PENDING_* with 409", async () => {
    const { subnet, masters, lb } = await apiLb(t);
    const o = t.cloud.loadBalancer;
    expect(lb).toMatchObject({ provisioningStatus: "PENDING_CREATE", operatingStatus: "OFFLINE" });
    expect(lb.vipAddress).toMatch(/^10\.9\.0\./);
    await expect(
      o.createListener({ name: "c1-api-6443", loadBalancerId: lb.id, protocol: "TCP", port: 6443 }),
    ).rejects.toBeInstanceOf(Conflict);
    t.advance(2 * MIN);
    expect((await o.getLoadBalancer(lb.id))?.provisioningStatus).toBe("ACTIVE");

    const listener = await o.createListener({
      name: "c1-api-6443",
      loadBalancerId: lb.id,
      protocol: "TCP",
      port: 6443,
      allowedCidrs: ["203.0.113.0/24"],
    });
    expect((await o.getLoadBalancer(lb.id))?.provisioningStatus).toBe("PENDING_UPDATE");
    t.advance(10_000);
    const pool = await o.createPool({ name: "c1-api-masters", listenerId: listener.id, protocol: "TCP" });
    t.advance(10_000);
    for (const [i, m] of masters.entries()) {
      await o.createMember(pool.id, {
        name: `c1-master-${i}`,
        address: m.ip,
        port: 6443,
        subnetId: subnet.id,
      });
      t.advance(10_000);
    }
    await o.createHealthMonitor({ name: "c1-api-hm", poolId: pool.id, type: "TCP" });
    t.advance(10_000);

    const tree = await o.statusTree(lb.id);
    expect(tree).toMatchObject({ provisioning_status: "ACTIVE", operating_status: "ONLINE" });
    const members = tree!.listeners[0]!.pools[0]!.members;
    expect(members.map((m) => m.operating_status)).toEqual(["ONLINE", "ONLINE", "ONLINE"]);
    expect((await o.listListeners({ loadBalancerId: lb.id }))[0]).toMatchObject({
      protocolPort: 6443,
      defaultPoolId: pool.id,
      allowedCidrs: ["203.0.113.0/24"],
    });
    expect((await o.listLoadBalancers({ tags: ["cluster:c1"] })).map((x) => x.id)).toEqual([lb.id]);

    // A stopped master: its member goes ERROR, the LB is DEGRADED but serving.
    await t.cloud.compute.stopServer(masters[0]!.id);
    t.advance(MIN);
    const degraded = await o.statusTree(lb.id);
    expect(degraded?.operating_status).toBe("DEGRADED");
    expect(degraded?.listeners[0]?.pools[0]?.members.map((m) => m.operating_status)).toEqual([
      "ERROR",
      "ONLINE",
      "ONLINE",
    ]);
  });

  it("fails over to the standby amphora: the BACKUP becomes MASTER, the failed one is rebuilt, the LB stays ONLINE", async () => {
    const { lb } = await apiLb(t);
    t.advance(2 * MIN);
    const before = await t.cloud.loadBalancer.amphorae(lb.id);
    expect(before?.map((a) => a.role)).toEqual(["MASTER", "BACKUP"]);
    // Two amphorae, two unrelated UUIDs (they used to share the load balancer's prefix, so the page showed one id twice).
    const ids = before!.map((a) => a.id);
    expect(
      ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)),
    ).toBe(true);
    expect(ids[0]!.slice(0, 8)).not.toBe(ids[1]!.slice(0, 8));
    expect(ids.some((id) => id.startsWith(lb.id.slice(0, 8)))).toBe(false);
    const r = await t.admin("POST", `/loadbalancers/${lb.id}/fail-amphora`);
    expect(r.body).toMatchObject({ activeAmphora: 1, failovers: 1 });
    expect((await t.cloud.loadBalancer.getLoadBalancer(lb.id))?.operatingStatus).toBe("ONLINE");
    const during = await t.cloud.loadBalancer.amphorae(lb.id);
    // The old BACKUP holds the VIP; the failed MASTER comes back under a new id as BACKUP.
    expect(during?.find((a) => a.role === "MASTER")?.id).toBe(before?.[1]?.id);
    expect(during?.find((a) => a.role === "BACKUP")).toMatchObject({ status: "BOOTING" });
    expect(during?.map((a) => a.id)).not.toContain(before?.[0]?.id);
    t.advance(10_000);
    expect(await t.cloud.loadBalancer.getLoadBalancer(lb.id)).toMatchObject({
      operatingStatus: "ONLINE",
      provisioningStatus: "ACTIVE",
    });
  });

  it("refuses to delete an LB with children unless cascading; cascade removes everything and the VIP port", async () => {
    const { lb } = await apiLb(t);
    t.advance(2 * MIN);
    await t.cloud.loadBalancer.createListener({
      name: "l",
      loadBalancerId: lb.id,
      protocol: "TCP",
      port: 6443,
    });
    t.advance(10_000);
    await expect(t.cloud.loadBalancer.deleteLoadBalancer(lb.id)).rejects.toBeInstanceOf(BadRequest);
    expect(await t.cloud.loadBalancer.deleteLoadBalancer(lb.id, true)).toBe(true);
    expect((await t.cloud.loadBalancer.getLoadBalancer(lb.id))?.provisioningStatus).toBe("PENDING_DELETE");
    t.advance(MIN);
    expect(await t.cloud.loadBalancer.getLoadBalancer(lb.id)).toBeNull();
    expect(await t.cloud.loadBalancer.listListeners()).toHaveLength(0);
    expect(await t.cloud.network.getPort(lb.vipPortId)).toBeNull();
  });

  it("reports the load-balancer quota", async () => {
    await t.admin("PUT", `/projects/${t.emu.demo.projectId}/quotas`, { loadbalancers: 1 });
    const { subnet } = await apiLb(t);
    const err = await t.cloud.loadBalancer
      .createLoadBalancer({ name: "second", vipSubnetId: subnet.id })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaExceeded);
    expect((err as QuotaExceeded).resource).toBe("Load Balancer");
    expect(await t.cloud.loadBalancer.quota(t.emu.demo.projectId)).toEqual({ load_balancer: 1 });
  });
});

describe("Octavia as the real service answers (release profiles)", () => {
  /** A pool with no monitor on an ACTIVE load balancer, and the pool's raw JSON. */
  async function poolWithoutMonitor(tc: TestCloud) {
    const { lb } = await apiLb(tc);
    tc.advance(2 * MIN);
    const l = await tc.cloud.loadBalancer.createListener({
      name: "l",
      loadBalancerId: lb.id,
      protocol: "TCP",
      port: 6443,
    });
    tc.advance(10_000);
    const pool = await tc.cloud.loadBalancer.createPool({ name: "p", listenerId: l.id, protocol: "TCP" });
    const raw = await tc.cloud.session.request("load-balancer", {
      method: "GET",
      path: `/v2/lbaas/pools/${pool.id}`,
    });
    return { pool, raw: (raw.body as { pool: Record<string, unknown> }).pool };
  }

  it("leaves healthmonitor_id out of a pool without a monitor (default profile); the adapter reads it as none", async () => {
    const { pool, raw } = await poolWithoutMonitor(t);
    expect(raw).not.toHaveProperty("healthmonitor_id");
    expect(raw).toHaveProperty("lb_algorithm", "ROUND_ROBIN");
    expect(pool.healthMonitorId).toBeNull();
    expect((await t.cloud.loadBalancer.listPools()).map((p) => p.healthMonitorId)).toEqual([null]);
  });

  it("sends it as null when the profile keeps optional fields", async () => {
    const tc = await startTestCloud({ profile: { omitOptionalFields: false } });
    try {
      const { raw } = await poolWithoutMonitor(tc);
      expect(raw).toHaveProperty("healthmonitor_id", null);
    } finally {
      await tc.stop();
    }
  });

  it("refuses the amphora API to a project token with 403 (zed-lab profile): AdminOnly, a Forbidden", async () => {
    const tc = await startTestCloud({ profile: "zed-lab" });
    try {
      const err = await tc.cloud.loadBalancer.amphorae("any").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdminOnly);
      expect(err).toBeInstanceOf(Forbidden);
      expect((err as AdminOnly).message).toMatch(
        /amphora API is for cloud admins.*Policy does not allow this request to be performed/,
      );
      expect((err as AdminOnly).status).toBe(403);
    } finally {
      await tc.stop();
    }
  });
});
