import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "@/server/testing/cloud";
import { BadRequest, Conflict, QuotaExceeded } from "./index";

let t: TestCloud;
beforeEach(async () => {
  t = await startTestCloud({ maxPageSize: 2 });
});
afterEach(() => t.stop());

const tag = ["cluster:0f3a"];

describe("Neutron", () => {
  it("builds a routed network with tags, and finds it again by tag or name", async () => {
    const net = t.cloud.network;
    const [ext] = await net.listNetworks({ external: true });
    expect(ext).toMatchObject({ name: "ext-net", external: true });
    const n = await net.createNetwork({ name: "c1-net", tags: tag });
    const s = await net.createSubnet({
      name: "c1-subnet",
      networkId: n.id,
      cidr: "10.0.0.0/24",
      dnsNameservers: ["8.8.8.8"],
      tags: tag,
    });
    expect(s).toMatchObject({ cidr: "10.0.0.0/24", gatewayIp: "10.0.0.1", tags: tag });
    const r = await net.createRouter({ name: "c1-router", externalNetworkId: ext!.id, tags: tag });
    expect(r.externalIps[0]).toMatch(/^127\.\d+\./);
    await net.addRouterInterface(r.id, s.id);
    await expect(net.addRouterInterface(r.id, s.id)).rejects.toBeInstanceOf(BadRequest);

    await net.createNetwork({ name: "other-net" });
    await net.createNetwork({ name: "c1-net-2" });
    expect((await net.listNetworks({ tags: tag })).map((x) => x.name)).toEqual(["c1-net"]);
    expect((await net.listNetworks({ name: "c1-net" })).map((x) => x.id)).toEqual([n.id]);
    expect((await net.listRouters({ tags: tag })).map((x) => x.id)).toEqual([r.id]);
    expect(await net.listNetworks()).toHaveLength(4); // ext-net + 3, across two pages
    expect(
      t.log.filter((e) => e.path === "/network/v2.0/networks" && e.method === "GET").length,
    ).toBeGreaterThan(4);
  });

  it("tags a resource after creation (for clouds without tags on create) and filters by them", async () => {
    const n = await t.cloud.network.createNetwork({ name: "late" });
    await t.cloud.network.setTags("networks", n.id, ["cluster:late", "role:node"]);
    expect(
      (await t.cloud.network.listNetworks({ tags: ["cluster:late", "role:node"] })).map((x) => x.id),
    ).toEqual([n.id]);
    expect(await t.cloud.network.listNetworks({ tags: ["cluster:late", "role:master"] })).toHaveLength(0);
  });

  it("creates the three security groups with rules, refuses duplicate rules and an in-use delete", async () => {
    const net = t.cloud.network;
    const base = await net.createSecurityGroup({ name: "c1-base", tags: tag });
    const master = await net.createSecurityGroup({ name: "c1-master", tags: tag });
    const minion = await net.createSecurityGroup({ name: "c1-minion", tags: tag });
    await net.createSecurityGroupRule(base.id, {
      direction: "ingress",
      remoteGroupId: base.id,
      description: "cluster internal",
    });
    await net.createSecurityGroupRule(master.id, {
      direction: "ingress",
      protocol: "tcp",
      portRangeMin: 6443,
      remoteIpPrefix: "0.0.0.0/0",
    });
    await net.createSecurityGroupRule(minion.id, {
      direction: "ingress",
      protocol: "tcp",
      portRangeMin: 30000,
      portRangeMax: 32767,
    });
    await expect(
      net.createSecurityGroupRule(master.id, {
        direction: "ingress",
        protocol: "tcp",
        portRangeMin: 6443,
        remoteIpPrefix: "0.0.0.0/0",
      }),
    ).rejects.toBeInstanceOf(Conflict);
    const m = await net.getSecurityGroup(master.id);
    expect(m?.rules.filter((r) => r.direction === "ingress")).toMatchObject([
      { protocol: "tcp", portRangeMin: 6443, portRangeMax: 6443 },
    ]);
    expect((await net.listSecurityGroups({ tags: tag })).map((g) => g.name).sort()).toEqual([
      "c1-base",
      "c1-master",
      "c1-minion",
    ]);

    const n = await net.createNetwork({ name: "n" });
    await net.createSubnet({ name: "s", networkId: n.id, cidr: "10.1.0.0/24" });
    const port = await net.createPort({ name: "p", networkId: n.id, securityGroupIds: [master.id] });
    await expect(net.deleteSecurityGroup(master.id)).rejects.toBeInstanceOf(Conflict);
    await net.updatePortSecurityGroups(port.id, []);
    expect(await net.deleteSecurityGroup(master.id)).toBe(true);
  });

  it("allocates loopback floating IPs, associates them through the router, and counts the quota", async () => {
    const net = t.cloud.network;
    const [ext] = await net.listNetworks({ external: true });
    const n = await net.createNetwork({ name: "n" });
    const s = await net.createSubnet({ name: "s", networkId: n.id, cidr: "10.2.0.0/24" });
    const port = await net.createPort({ name: "api-vip", networkId: n.id, subnetId: s.id });
    const fip = await net.createFloatingIp({ networkId: ext!.id, tags: tag, description: "c1 API" });
    expect(fip.address).toMatch(/^127\.\d+\.\d+\.\d+$/);
    // No router to the external network yet: Neutron refuses the association.
    await expect(net.associateFloatingIp(fip.id, port.id)).rejects.toThrow(/not reachable/);
    const r = await net.createRouter({ name: "r", externalNetworkId: ext!.id });
    await net.addRouterInterface(r.id, s.id);
    const assoc = await net.associateFloatingIp(fip.id, port.id);
    expect(assoc).toMatchObject({ portId: port.id, fixedIp: port.fixedIps[0]!.ipAddress, status: "ACTIVE" });
    expect(await net.listFloatingIps({ tags: tag })).toHaveLength(1);

    await t.admin("PUT", `/projects/${t.emu.demo.projectId}/quotas`, { floatingips: 1 });
    const err = await net.createFloatingIp({ networkId: ext!.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaExceeded);
    expect((err as QuotaExceeded).resource).toBe("floatingip");
  });

  it("tears down in reverse order; a network with ports is refused; deleting twice is a no-op", async () => {
    const net = t.cloud.network;
    const [ext] = await net.listNetworks({ external: true });
    const n = await net.createNetwork({ name: "n" });
    const s = await net.createSubnet({ name: "s", networkId: n.id, cidr: "10.3.0.0/24" });
    const r = await net.createRouter({ name: "r", externalNetworkId: ext!.id });
    await net.addRouterInterface(r.id, s.id);
    const p = await net.createPort({ name: "p", networkId: n.id });
    await expect(net.deleteNetwork(n.id)).rejects.toBeInstanceOf(Conflict);
    await expect(net.deleteRouter(r.id)).rejects.toBeInstanceOf(Conflict);
    expect(await net.deletePort(p.id)).toBe(true);
    expect(await net.removeRouterInterface(r.id, s.id)).toBe(true);
    expect(await net.removeRouterInterface(r.id, s.id)).toBe(false);
    expect(await net.deleteRouter(r.id)).toBe(true);
    expect(await net.deleteSubnet(s.id)).toBe(true);
    expect(await net.deleteNetwork(n.id)).toBe(true);
    expect(await net.deleteNetwork(n.id)).toBe(false);
    expect(await net.getNetwork(n.id)).toBeNull();
  });

  it("rejects an overlapping subnet with Neutron's own message", async () => {
    const n = await t.cloud.network.createNetwork({ name: "n" });
    await t.cloud.network.createSubnet({ name: "a", networkId: n.id, cidr: "10.4.0.0/16" });
    const err = await t.cloud.network
      .createSubnet({ name: "b", networkId: n.id, cidr: "10.4.8.0/24" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequest);
    expect((err as BadRequest).message).toMatch(/overlaps with another subnet/);
  });
});

describe("Neutron tags on create, by the cloud's extensions", () => {
  const calls = (tc: TestCloud) =>
    tc.log
      .filter((e) => e.service === "network")
      .map((e) => `${e.method} ${e.path.replace(/[0-9a-f-]{36}/g, "{id}")}`);

  it("without tag-creation (Zed, the default profile): creates, then PUTs the tags; asks for extensions once", async () => {
    const net = t.cloud.network;
    expect(await net.tagsOnCreate()).toBe(false);
    const n = await net.createNetwork({ name: "c1-net", tags: tag });
    const g = await net.createSecurityGroup({ name: "c1-sg", tags: tag });
    const plain = await net.createNetwork({ name: "untagged" });
    expect(n.tags).toEqual(tag);
    expect(g.tags).toEqual(tag);
    expect(plain.tags).toEqual([]);
    expect((await net.listNetworks({ tags: tag })).map((x) => x.id)).toEqual([n.id]);
    expect((await net.listSecurityGroups({ tags: tag })).map((x) => x.id)).toEqual([g.id]);
    expect(calls(t).slice(0, 6)).toEqual([
      "GET /network/v2.0/extensions",
      "POST /network/v2.0/networks",
      "PUT /network/v2.0/networks/{id}/tags",
      "POST /network/v2.0/security-groups",
      "PUT /network/v2.0/security-groups/{id}/tags",
      "POST /network/v2.0/networks",
    ]);
  });

  it("the emulator refuses tags in a create body as Zed's Neutron does, and does not list tag-creation", async () => {
    const err = await t.cloud.session
      .request("network", {
        method: "POST",
        path: "/v2.0/networks",
        body: { network: { name: "x", tags: tag } },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequest);
    expect((err as BadRequest).message).toBe("Attribute 'tags' not allowed in POST");
    expect(Object.values(t.emu.engine.state.networks).some((x) => x.name === "x")).toBe(false);
    expect(await t.cloud.network.extensions()).toContain("standard-attr-tag");
  });

  it("with tag-creation listed: tags go in the create body, no PUT", async () => {
    const tc = await startTestCloud({ profile: { tagCreation: true } });
    try {
      const net = tc.cloud.network;
      expect(await net.tagsOnCreate()).toBe(true);
      const n = await net.createNetwork({ name: "c1-net", tags: tag });
      const s = await net.createSubnet({
        name: "c1-subnet",
        networkId: n.id,
        cidr: "10.9.0.0/24",
        tags: tag,
      });
      expect([n.tags, s.tags]).toEqual([tag, tag]);
      expect(calls(tc)).toEqual([
        "GET /network/v2.0/extensions",
        "POST /network/v2.0/networks",
        "POST /network/v2.0/subnets",
      ]);
    } finally {
      await tc.stop();
    }
  });
});
