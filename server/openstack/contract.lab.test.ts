/**
 * The adapter's contract with a real OpenStack Zed (the lab, `npm run
 * test:openstack`): every call the console makes, as the demo user, in the
 * order the reconciler makes them — catalog and quota reads, network,
 * security groups, ports, server group, an etcd volume, a boot-from-volume
 * server in a Nova zone, attach/detach, the API load balancer and its
 * floating IP, stop/start, rebuild — then the teardown's deletes in its
 * order, and a sweep of the project that must find nothing left.
 *
 * The tests share one run (each builds on the previous one) and stop at the
 * first failure; afterAll removes whatever a failed run left.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  describeLeftovers,
  LAB,
  labCloud,
  labCloudConfig,
  purgeLab,
  runPrefix,
  sweepLab,
  sweepLabCluster,
  waitFor,
  type KnownIds,
} from "@/server/testing/lab";
import type { Volume } from "./blockstorage";
import type { Server, ServerGroup } from "./compute";
import type { OpenStackCloud } from "./index";
import {
  AdminOnly,
  ApplicationCredentialExists,
  BadRequest,
  Conflict,
  createCloud,
  CredentialsRejected,
  Forbidden,
} from "./index";
import type { HealthMonitor, Listener, LoadBalancer, Member, Pool } from "./loadbalancer";
import type { FloatingIp, Network, Port, Router, SecurityGroup, Subnet } from "./network";

const prefix = runPrefix("contract");
const clusterTag = `kc-cluster=${prefix}id`;
const tags = [clusterTag];
const CIDR = "10.77.0.0/24";

let cloud: OpenStackCloud;
let projectId: string;
const known: KnownIds = { volume: [], loadbalancer: [], port: [] };

/** What the run has made so far (each test adds to it; the teardown removes it). */
const s: {
  external?: Network;
  network?: Network;
  subnet?: Subnet;
  router?: Router;
  routerPortId?: string;
  sg: Record<"base" | "master" | "minion", SecurityGroup | undefined>;
  masterPort?: Port;
  workerPort?: Port;
  serverGroup?: ServerGroup;
  etcd?: Volume;
  server?: Server;
  rootVolumeId?: string;
  lb?: LoadBalancer;
  listener?: Listener;
  pool?: Pool;
  member?: Member;
  hm?: HealthMonitor;
  fip?: FloatingIp;
  flavorId?: string;
  imageId?: string;
} = { sg: { base: undefined, master: undefined, minion: undefined } };

/** The reconciler never mutates a load balancer that is PENDING_*; neither does this test. */
const lbActive = (what: string) =>
  waitFor(
    `load balancer ACTIVE after ${what}`,
    async () => {
      const lb = await cloud.loadBalancer.getLoadBalancer(s.lb!.id);
      if (lb?.provisioningStatus === "ERROR") throw new Error(`load balancer ERROR after ${what}`);
      return lb?.provisioningStatus === "ACTIVE" ? lb : undefined;
    },
    { timeoutMs: 150_000, intervalMs: 1000 },
  );

const serverStatus = (want: string) =>
  waitFor(
    `server ${want}`,
    async () => {
      const sv = await cloud.compute.getServer(s.server!.id);
      if (sv?.status === "ERROR") throw new Error(`server ERROR: ${sv.fault?.message ?? "no fault"}`);
      return sv?.status === want && !sv.taskState ? sv : undefined;
    },
    // A boot from volume is ~20 s on an idle lab; the image copy slows down a lot on a busy machine.
    { timeoutMs: 180_000, intervalMs: 1000 },
  );

const volumeStatus = (id: string, want: string, seen?: Set<string>) =>
  waitFor(
    `volume ${want}`,
    async () => {
      const v = await cloud.blockStorage.getVolume(id);
      if (v) seen?.add(v.status);
      if (v?.status.startsWith("error")) throw new Error(`volume ${v.status}`);
      return v?.status === want ? v : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );

const gone = (what: string, get: () => Promise<unknown>, timeoutMs = 90_000) =>
  waitFor(what, async () => ((await get()) === null ? true : undefined), { timeoutMs, intervalMs: 1000 });

beforeAll(async () => {
  cloud = labCloud();
  projectId = (await cloud.session.auth()).projectId;
});

afterAll(async () => {
  if (!cloud) return;
  // Application credentials a failed run left (they belong to the demo user, not to the project).
  for (const suffix of APP_CRED_SUFFIXES) {
    const left = await cloud.identity.findApplicationCredential(`${prefix}${suffix}`).catch(() => null);
    if (left) await cloud.identity.deleteApplicationCredential(left.id).catch(() => false);
  }
  const left = await sweepLab(cloud, prefix, known).catch(() => []);
  if (left.length) await purgeLab(cloud, left);
  cloud.close();
}, 180_000);

/**
 * Each test builds on the ones before: after a failure the rest are skipped
 * (not failed for want of what the broken one should have made), except
 * tests nothing later depends on, and the final sweep, which always runs.
 */
let broken: string | null = null;
/** Names (after the run prefix) of the application credentials a run may create. */
const APP_CRED_SUFFIXES = ["appcred", "appcred-admin", "appcred-more"];
/** Tests that build nothing the cluster flow needs: they run even when that flow broke. */
const UNRELATED = /^application credentials/;
const INDEPENDENT = [
  UNRELATED,
  /^extends/,
  /^reads LB health/,
  /^changes an addon/,
  /^sweepLabCluster/,
  /^rebuilds/,
  /^leaves nothing/,
];
beforeEach((ctx) => {
  if (broken && !/^leaves nothing/.test(ctx.task.name) && !UNRELATED.test(ctx.task.name))
    ctx.skip(`skipped: '${broken}' failed`);
});
afterEach((ctx) => {
  if (ctx.task.result?.state === "fail" && !INDEPENDENT.some((r) => r.test(ctx.task.name)))
    broken = ctx.task.name;
});

describe.sequential("adapter contract with a real OpenStack (lab, demo project)", () => {
  it("reads the catalog: flavors, images, Nova and Cinder zones, volume types, external network", async () => {
    const [flavors, images, novaZones, cinderZones, types, externals] = await Promise.all([
      cloud.compute.listFlavors(),
      cloud.image.listImages({ name: LAB.image }),
      cloud.compute.listAvailabilityZones(),
      cloud.blockStorage.listAvailabilityZones(),
      cloud.blockStorage.listVolumeTypes(),
      cloud.network.listNetworks({ external: true }),
    ]);
    expect(flavors.find((f) => f.name === "small")).toMatchObject({ vcpus: 1, ramMb: 2048, diskGb: 20 });
    for (const name of LAB.flavors) expect(flavors.map((f) => f.name)).toContain(name);
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ name: LAB.image, status: "active" });
    // Nova and Cinder zones differ on this cloud, as on many real ones.
    expect(novaZones.map((z) => z.name).sort()).toEqual([...LAB.computeZones].sort());
    expect(novaZones.every((z) => z.available)).toBe(true);
    expect(cinderZones.map((z) => z.name)).toEqual([LAB.volumeZone]);
    expect(types.map((t) => t.name)).toContain(LAB.volumeType);
    expect(externals.map((n) => n.name)).toContain(LAB.externalNetwork);
    s.flavorId = flavors.find((f) => f.name === "small")!.id;
    s.imageId = images[0]!.id;
    s.external = externals.find((n) => n.name === LAB.externalNetwork);
  });

  it("reads quotas, limits and usage from Nova, Cinder, Neutron and Octavia", async () => {
    const [limits, volumes, network, lbQuota, lbs] = await Promise.all([
      cloud.compute.limits(),
      cloud.blockStorage.quotaUsage(projectId),
      cloud.network.quotaDetails(projectId),
      cloud.loadBalancer.quota(projectId),
      cloud.loadBalancer.listLoadBalancers(),
    ]);
    expect(limits.maxTotalInstances).toBeGreaterThan(0);
    expect(limits.maxTotalCores).toBeGreaterThan(0);
    expect(limits.totalInstancesUsed).toBeGreaterThanOrEqual(0);
    expect(volumes.volumes.limit).not.toBe(0);
    expect(volumes.gigabytes.in_use).toBeGreaterThanOrEqual(0);
    for (const k of ["floatingip", "security_group", "network", "router", "port"])
      expect(network[k], k).toMatchObject({ limit: expect.any(Number), used: expect.any(Number) });
    expect(typeof lbQuota.load_balancer).toBe("number");
    expect(Array.isArray(lbs)).toBe(true);
  });

  it("creates the cluster network: network, subnet, router with external gateway, interface", async () => {
    const net = cloud.network;
    s.network = await net.createNetwork({ name: `${prefix}net`, tags });
    expect(s.network.tags).toEqual(tags);
    s.subnet = await net.createSubnet({
      name: `${prefix}subnet`,
      networkId: s.network.id,
      cidr: CIDR,
      dnsNameservers: ["192.0.2.53"],
      tags,
    });
    expect(s.subnet).toMatchObject({ cidr: CIDR, gatewayIp: "10.77.0.1", networkId: s.network.id });
    s.router = await net.createRouter({ name: `${prefix}router`, externalNetworkId: s.external!.id, tags });
    expect(s.router.externalNetworkId).toBe(s.external!.id);
    s.routerPortId = (await net.addRouterInterface(s.router.id, s.subnet.id)).portId;

    // Found again the way observe() finds them: by tag, server-side.
    const [nets, subnets, routers, routerPorts] = await Promise.all([
      net.listNetworks({ tags }),
      net.listSubnets({ tags }),
      net.listRouters({ tags }),
      net.listPorts({ deviceId: s.router.id }),
    ]);
    expect(nets.map((n) => n.id)).toEqual([s.network.id]);
    expect(nets[0]!.tags).toEqual(tags);
    expect(subnets.map((x) => x.id)).toEqual([s.subnet.id]);
    expect(routers.map((x) => x.id)).toEqual([s.router.id]);
    expect(
      routerPorts.some(
        (p) =>
          p.id === s.routerPortId &&
          p.deviceOwner === "network:router_interface" &&
          p.fixedIps.some((f) => f.subnetId === s.subnet!.id),
      ),
    ).toBe(true);
    expect((await net.listNetworks({ name: `${prefix}net` })).map((n) => n.id)).toEqual([s.network.id]);
    expect((await net.getNetwork(s.network.id))?.subnetIds).toEqual([s.subnet.id]);
    expect((await net.getSubnet(s.subnet.id))?.name).toBe(`${prefix}subnet`);
    const router = await net.setRouterGateway(s.router.id, s.external!.id);
    expect(router.externalIps).toHaveLength(1);
    expect((await net.getRouter(s.router.id))?.externalIps).toEqual(router.externalIps);
  });

  it("creates the security groups and their rules; a duplicate rule is a Conflict", async () => {
    const net = cloud.network;
    for (const role of ["base", "master", "minion"] as const)
      s.sg[role] = await net.createSecurityGroup({
        name: `${prefix}${role}`,
        description: `Kubernetes ${role} nodes`,
        tags,
      });
    const base = s.sg.base!;
    await net.createSecurityGroupRule(base.id, {
      direction: "ingress",
      remoteGroupId: base.id,
      description: "all traffic between cluster nodes",
    });
    await net.createSecurityGroupRule(s.sg.master!.id, {
      direction: "ingress",
      protocol: "tcp",
      portRangeMin: 6443,
      remoteIpPrefix: "0.0.0.0/0",
      description: "Kubernetes API",
    });
    await net.createSecurityGroupRule(s.sg.master!.id, {
      direction: "ingress",
      protocol: "tcp",
      portRangeMin: 2379,
      portRangeMax: 2380,
      remoteIpPrefix: CIDR,
      description: "etcd peers",
    });
    const nodePorts = await net.createSecurityGroupRule(s.sg.minion!.id, {
      direction: "ingress",
      protocol: "tcp",
      portRangeMin: 30000,
      portRangeMax: 32767,
      remoteIpPrefix: "0.0.0.0/0",
      description: "NodePort services",
    });
    expect(nodePorts).toMatchObject({ portRangeMin: 30000, portRangeMax: 32767, protocol: "tcp" });
    // The reconciler treats a Conflict as "the rule exists already" after a crash between two rules.
    const again = await net
      .createSecurityGroupRule(s.sg.minion!.id, {
        direction: "ingress",
        protocol: "tcp",
        portRangeMin: 30000,
        portRangeMax: 32767,
        remoteIpPrefix: "0.0.0.0/0",
      })
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Conflict);
    const extra = await net.createSecurityGroupRule(s.sg.minion!.id, {
      direction: "ingress",
      protocol: "icmp",
      remoteIpPrefix: "0.0.0.0/0",
    });
    expect(await net.deleteSecurityGroupRule(extra.id)).toBe(true);
    expect(await net.deleteSecurityGroupRule(extra.id)).toBe(false);

    const groups = await net.listSecurityGroups({ tags });
    expect(groups.map((g) => g.name).sort()).toEqual([`${prefix}base`, `${prefix}master`, `${prefix}minion`]);
    const master = groups.find((g) => g.name === `${prefix}master`)!;
    // Neutron adds the two default egress rules; ours are the ingress ones.
    expect(master.rules.filter((r) => r.direction === "ingress")).toHaveLength(2);
    expect((await net.getSecurityGroup(base.id))?.rules.some((r) => r.remoteGroupId === base.id)).toBe(true);
  });

  it("creates tagged node ports on the subnet in the base and role groups", async () => {
    const net = cloud.network;
    s.masterPort = await net.createPort({
      name: `${prefix}master-0`,
      networkId: s.network!.id,
      subnetId: s.subnet!.id,
      securityGroupIds: [s.sg.base!.id, s.sg.master!.id],
      tags: [...tags, "kc-role=master"],
    });
    expect(s.masterPort.fixedIps[0]).toMatchObject({ subnetId: s.subnet!.id });
    expect(s.masterPort.securityGroupIds.sort()).toEqual([s.sg.base!.id, s.sg.master!.id].sort());
    s.workerPort = await net.createPort({
      name: `${prefix}workers-0`,
      networkId: s.network!.id,
      subnetId: s.subnet!.id,
      securityGroupIds: [s.sg.base!.id, s.sg.minion!.id],
      tags: [...tags, "kc-role=worker", "kc-group=workers"],
    });
    const ports = await net.listPorts({ tags });
    expect(ports.map((p) => p.name).sort()).toEqual([`${prefix}master-0`, `${prefix}workers-0`]);
    expect((await net.listPorts({ tags: [clusterTag, "kc-group=workers"] })).map((p) => p.id)).toEqual([
      s.workerPort.id,
    ]);
    expect((await net.getPort(s.masterPort.id))?.tags.sort()).toEqual([...tags, "kc-role=master"].sort());
    const updated = await net.updatePortSecurityGroups(s.workerPort.id, [s.sg.base!.id]);
    expect(updated.securityGroupIds).toEqual([s.sg.base!.id]);
  });

  it("creates the masters' soft-anti-affinity server group", async () => {
    s.serverGroup = await cloud.compute.createServerGroup(`${prefix}master`, "soft-anti-affinity");
    expect(s.serverGroup).toMatchObject({
      name: `${prefix}master`,
      policy: "soft-anti-affinity",
      members: [],
    });
    expect((await cloud.compute.listServerGroups()).some((g) => g.id === s.serverGroup!.id)).toBe(true);
    expect((await cloud.compute.getServerGroup(s.serverGroup.id))?.name).toBe(`${prefix}master`);
  });

  it("creates the etcd volume in Cinder's zone (a Nova zone is refused) and finds it by metadata", async () => {
    const input = {
      name: `${prefix}etcd-0`,
      sizeGb: 1,
      volumeType: LAB.volumeType,
      metadata: { "kc-cluster": `${prefix}id`, "kc-role": "etcd", "kc-index": "0" },
    };
    // Cinder validates the zone against its own list: the server's Nova zone is not one of them here.
    const wrongZone = await cloud.blockStorage
      .createVolume({ ...input, availabilityZone: LAB.computeZones[0]! })
      .catch((e: unknown) => e);
    expect(wrongZone).toBeInstanceOf(BadRequest);
    expect(String((wrongZone as Error).message)).toMatch(/availability zone/i);

    const v = await cloud.blockStorage.createVolume({ ...input, availabilityZone: LAB.volumeZone });
    expect(v).toMatchObject({ name: input.name, sizeGb: 1, volumeType: LAB.volumeType });
    s.etcd = await volumeStatus(v.id, "available");
    expect(s.etcd.availabilityZone).toBe(LAB.volumeZone);
    const byMeta = await cloud.blockStorage.listVolumes({ metadata: { "kc-cluster": `${prefix}id` } });
    expect(byMeta.map((x) => x.id)).toEqual([v.id]);
    expect((await cloud.blockStorage.listVolumes({ name: input.name })).map((x) => x.id)).toEqual([v.id]);
  });

  it("boots a master from a new volume on its port, in a Nova zone, in the server group", async () => {
    const zone = LAB.computeZones[0]!;
    const { id } = await cloud.compute.createServer({
      name: `${prefix}master-0`,
      flavorId: s.flavorId!,
      imageId: s.imageId!,
      availabilityZone: zone,
      network: { portId: s.masterPort!.id },
      serverGroupId: s.serverGroup!.id,
      metadata: { "kc-cluster": `${prefix}id`, "kc-role": "master", "kc-version": "1.31" },
      tags: [...tags, "kc-role=master"],
      rootVolume: { sizeGb: 10, volumeType: LAB.volumeType },
      userData: "#cloud-config\n{}\n",
    });
    s.server = { id } as Server;
    const sv = await serverStatus("ACTIVE");
    s.server = sv;
    expect(sv).toMatchObject({
      name: `${prefix}master-0`,
      availabilityZone: zone,
      imageId: null, // booted from a volume
      flavorName: "small",
    });
    expect(sv.tags.sort()).toEqual([...tags, "kc-role=master"].sort());
    expect(sv.metadata).toMatchObject({ "kc-role": "master" });
    expect(sv.fixedIps).toEqual([s.masterPort!.fixedIps[0]!.ipAddress]);
    expect(sv.volumeIds).toHaveLength(1);
    s.rootVolumeId = sv.volumeIds[0]!;
    known.volume!.push(s.rootVolumeId);
    const root = await cloud.blockStorage.getVolume(s.rootVolumeId);
    expect(root).toMatchObject({ status: "in-use", sizeGb: 10, volumeType: LAB.volumeType });
    expect(root!.attachedTo.map((a) => a.serverId)).toEqual([id]);

    const [byTag, byName, group, port] = await Promise.all([
      cloud.compute.listServers({ tags: [clusterTag, "kc-role=master"] }),
      cloud.compute.listServers({ name: `${prefix}master-0` }),
      cloud.compute.getServerGroup(s.serverGroup!.id),
      cloud.network.getPort(s.masterPort!.id),
    ]);
    expect(byTag.map((x) => x.id)).toEqual([id]);
    expect(byName.map((x) => x.id)).toEqual([id]);
    expect(group?.members).toEqual([id]);
    expect(port?.deviceId).toBe(id);
  }, 240_000);

  it("attaches the etcd volume to the master and detaches it", async () => {
    const seen = new Set<string>();
    const att = await cloud.compute.attachVolume(s.server!.id, s.etcd!.id);
    expect(att).toMatchObject({ serverId: s.server!.id, volumeId: s.etcd!.id });
    const inUse = await volumeStatus(s.etcd!.id, "in-use", seen);
    expect(inUse.attachedTo.map((a) => a.serverId)).toEqual([s.server!.id]);
    const atts = await cloud.compute.listVolumeAttachments(s.server!.id);
    expect(atts.map((a) => a.volumeId).sort()).toEqual([s.etcd!.id, s.rootVolumeId!].sort());
    // Cinder's intermediate states (reserved/attaching) that a pass may observe.
    console.info(`etcd volume states seen while attaching: ${[...seen].join(" → ")}`);

    expect(await cloud.compute.detachVolume(s.server!.id, s.etcd!.id)).toBe(true);
    const free = await volumeStatus(s.etcd!.id, "available");
    expect(free.attachedTo).toEqual([]);
    expect(await cloud.compute.detachVolume(s.server!.id, s.etcd!.id)).toBe(false);
  });

  it("extends a volume (addon volumes); a failed extend leaves a volume that can still be deleted", async () => {
    const v = await cloud.blockStorage.createVolume({
      name: `${prefix}addon-data`,
      sizeGb: 1,
      availabilityZone: LAB.volumeZone,
      volumeType: LAB.volumeType,
    });
    await volumeStatus(v.id, "available");
    await cloud.blockStorage.extendVolume(v.id, 2);
    const after = await waitFor(
      "extend finished",
      async () => {
        const x = await cloud.blockStorage.getVolume(v.id);
        return x && x.status !== "extending" && (x.status !== "available" || x.sizeGb === 2) ? x : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    // A real backend grows it; the lab's fake driver cannot (FakeBrickLVM has no extend_volume) and
    // Cinder records `error_extending`, a state the console must still be able to delete.
    expect([`available:2`, `error_extending:1`]).toContain(`${after.status}:${after.sizeGb}`);
    console.info(`extend 1 -> 2 GiB ended ${after.status}, ${after.sizeGb} GiB`);
    expect(await cloud.blockStorage.deleteVolume(v.id)).toBe(true);
    await gone("extended volume deleted", () => cloud.blockStorage.getVolume(v.id), 60_000);
  });

  it("creates the API load balancer (409 while PENDING_CREATE), listener, pool, member and health monitor", async () => {
    const lbc = cloud.loadBalancer;
    s.lb = await lbc.createLoadBalancer({
      name: `${prefix}api`,
      vipSubnetId: s.subnet!.id,
      description: "Kubernetes API",
      tags,
    });
    known.loadbalancer!.push(s.lb.id);
    expect(s.lb.provisioningStatus).toBe("PENDING_CREATE");
    expect(s.lb.vipSubnetId).toBe(s.subnet!.id);
    // A mutation while PENDING_* answers 409: the reconciler comes back on a later pass.
    const early = await lbc
      .createListener({ name: `${prefix}early`, loadBalancerId: s.lb.id, protocol: "TCP", port: 6443 })
      .catch((e: unknown) => e);
    expect(early).toBeInstanceOf(Conflict);
    s.lb = await lbActive("create");
    const vip = await cloud.network.getPort(s.lb.vipPortId);
    expect(vip?.fixedIps[0]?.ipAddress).toBe(s.lb.vipAddress);
    known.port!.push(s.lb.vipPortId);

    s.listener = await lbc.createListener({
      name: `${prefix}api-6443`,
      loadBalancerId: s.lb.id,
      protocol: "TCP",
      port: 6443,
      allowedCidrs: ["0.0.0.0/0"],
      tags,
    });
    expect(s.listener).toMatchObject({ protocolPort: 6443, loadBalancerId: s.lb.id });
    await lbActive("listener");
    s.pool = await lbc.createPool({
      name: `${prefix}api-masters`,
      listenerId: s.listener.id,
      protocol: "TCP",
      tags,
    });
    expect(s.pool.healthMonitorId).toBeNull();
    await lbActive("pool");
    s.member = await lbc.createMember(s.pool.id, {
      name: `${prefix}master-0`,
      address: s.masterPort!.fixedIps[0]!.ipAddress,
      port: 6443,
      subnetId: s.subnet!.id,
      tags,
    });
    await lbActive("member");
    s.hm = await lbc.createHealthMonitor({
      name: `${prefix}api-hm`,
      poolId: s.pool.id,
      type: "TCP",
      delay: 5,
      timeout: 3,
      maxRetries: 3,
      tags,
    });
    await lbActive("health monitor");

    // observe(): found again by tag and by load balancer, as a pass reads them.
    const [lbs, listeners, pools] = await Promise.all([
      lbc.listLoadBalancers({ tags }),
      lbc.listListeners({ loadBalancerId: s.lb.id }),
      lbc.listPools({ loadBalancerId: s.lb.id }),
    ]);
    expect(lbs.map((l) => l.id)).toEqual([s.lb.id]);
    expect(lbs[0]!.tags).toEqual(tags);
    expect(listeners.map((l) => [l.name, l.provisioningStatus, l.allowedCidrs])).toEqual([
      [`${prefix}api-6443`, "ACTIVE", ["0.0.0.0/0"]],
    ]);
    expect(pools.map((p) => [p.name, p.healthMonitorId, p.memberIds])).toEqual([
      [`${prefix}api-masters`, s.hm.id, [s.member.id]],
    ]);
    const [members, hms] = await Promise.all([
      lbc.listMembers(s.pool.id),
      lbc.listHealthMonitors({ name: `${prefix}api-hm` }),
    ]);
    expect(members.map((m) => [m.address, m.protocolPort, m.provisioningStatus])).toEqual([
      [s.masterPort!.fixedIps[0]!.ipAddress, 6443, "ACTIVE"],
    ]);
    expect(hms.map((h) => [h.id, h.type, h.poolId])).toEqual([[s.hm.id, "TCP", s.pool.id]]);

    // A changed API allowlist is a PUT on the same listener; an empty one (sent as null) opens it again.
    const allowed = async () =>
      (await lbc.listListeners({ loadBalancerId: s.lb!.id })).find((l) => l.id === s.listener!.id)!
        .allowedCidrs;
    await lbc.updateListenerAllowedCidrs(s.listener.id, ["198.51.100.0/24", "203.0.113.0/24"]);
    await lbActive("listener allowlist");
    expect([...((await allowed()) ?? [])].sort()).toEqual(["198.51.100.0/24", "203.0.113.0/24"]);
    await lbc.updateListenerAllowedCidrs(s.listener.id, []);
    await lbActive("listener allowlist cleared");
    expect((await allowed()) ?? []).toEqual([]);
    await lbc.updateListenerAllowedCidrs(s.listener.id, ["0.0.0.0/0"]);
    await lbActive("listener allowlist restored");
  }, 240_000);

  it("reads LB health: status tree, stats; the amphora API is admin-only (AdminOnly for a tenant)", async () => {
    const lbc = cloud.loadBalancer;
    const [tree, stats, amphorae] = await Promise.all([
      lbc.statusTree(s.lb!.id),
      lbc.stats(s.lb!.id),
      lbc.amphorae(s.lb!.id).catch((e: unknown) => e),
    ]);
    expect(tree?.id).toBe(s.lb!.id);
    expect(tree?.listeners[0]?.pools[0]?.members.map((m) => m.id)).toEqual([s.member!.id]);
    expect(tree?.listeners[0]?.pools[0]?.health_monitor?.id).toBe(s.hm!.id);
    expect(stats).toMatchObject({ activeConnections: expect.any(Number), bytesIn: expect.any(Number) });
    // Octavia's default policy: the amphora API answers 403 to a project
    // member; the adapter names that, so the health view can say why.
    expect(amphorae).toBeInstanceOf(AdminOnly);
  });

  it("changes an addon's LB resources: listener, pool, batch member update, deletes", async () => {
    const lbc = cloud.loadBalancer;
    const listener = await lbc.createListener({
      name: `${prefix}addon-80`,
      loadBalancerId: s.lb!.id,
      protocol: "TCP",
      port: 80,
      tags: [...tags, "kc-addon=ingress"],
    });
    await lbActive("addon listener");
    const pool = await lbc.createPool({
      name: `${prefix}addon-pool`,
      listenerId: listener.id,
      protocol: "PROXY",
      algorithm: "LEAST_CONNECTIONS",
      tags: [...tags, "kc-addon=ingress"],
    });
    await lbActive("addon pool");
    const ip = s.masterPort!.fixedIps[0]!.ipAddress;
    await lbc.setMembers(pool.id, [
      { name: `${prefix}m`, address: ip, port: 30080, subnetId: s.subnet!.id, tags },
    ]);
    await lbActive("batch member update");
    const members = await lbc.listMembers(pool.id);
    expect(members.map((m) => [m.address, m.protocolPort])).toEqual([[ip, 30080]]);
    expect(await lbc.deleteMember(pool.id, members[0]!.id)).toBe(true);
    await lbActive("member delete");
    expect(await lbc.deletePool(pool.id)).toBe(true);
    await lbActive("pool delete");
    expect(await lbc.deleteListener(listener.id)).toBe(true);
    await lbActive("listener delete");
    expect((await lbc.listListeners({ loadBalancerId: s.lb!.id })).map((l) => l.id)).toEqual([
      s.listener!.id,
    ]);
  }, 240_000);

  it("points a floating IP at the load balancer's VIP port", async () => {
    const net = cloud.network;
    s.fip = await net.createFloatingIp({
      networkId: s.external!.id,
      description: `${prefix}api (Kubernetes API)`,
      tags,
    });
    expect(s.fip).toMatchObject({ portId: null, networkId: s.external!.id });
    expect(s.fip.tags).toEqual(tags);
    const on = await net.associateFloatingIp(s.fip.id, s.lb!.vipPortId);
    expect(on).toMatchObject({ portId: s.lb!.vipPortId, fixedIp: s.lb!.vipAddress });
    const [byTag, byPort] = await Promise.all([
      net.listFloatingIps({ tags }),
      net.listFloatingIps({ portId: s.lb!.vipPortId }),
    ]);
    expect(byTag.map((f) => f.id)).toEqual([s.fip.id]);
    expect(byPort.map((f) => f.id)).toEqual([s.fip.id]);
    expect((await net.listFloatingIps({ address: s.fip.address })).map((f) => f.id)).toEqual([s.fip.id]);
    expect((await cloud.loadBalancer.getLoadBalancer(s.lb!.id))?.provisioningStatus).toBe("ACTIVE");
  });

  it("sweepLabCluster finds every resource of the live cluster by its kc-cluster tag", async () => {
    const left = await sweepLabCluster(cloud, { id: `${prefix}id`, name: prefix.slice(0, -1) });
    const ids = (kind: string) =>
      left
        .filter((l) => l.kind === kind)
        .map((l) => l.id)
        .sort();
    expect(ids("server")).toEqual([s.server!.id]);
    expect(ids("volume")).toEqual([s.etcd!.id, s.rootVolumeId!].sort());
    expect(ids("port")).toEqual([s.masterPort!.id, s.workerPort!.id, s.lb!.vipPortId].sort());
    expect(ids("floatingip")).toEqual([s.fip!.id]);
    expect(ids("network")).toEqual([s.network!.id]);
    expect(ids("subnet")).toEqual([s.subnet!.id]);
    expect(ids("router")).toEqual([s.router!.id]);
    expect(ids("security_group")).toEqual(
      Object.values(s.sg)
        .map((g) => g!.id)
        .sort(),
    );
    expect(ids("server_group")).toEqual([s.serverGroup!.id]);
    expect(ids("loadbalancer")).toEqual([s.lb!.id]);
    expect(ids("listener")).toEqual([s.listener!.id]);
    expect(ids("pool")).toEqual([s.pool!.id]);
    expect(ids("healthmonitor")).toEqual([s.hm!.id]);
    expect(left).toHaveLength(18); // nothing else
  });

  it("stops and starts the master", async () => {
    await cloud.compute.stopServer(s.server!.id);
    expect((await serverStatus("SHUTOFF")).status).toBe("SHUTOFF");
    await cloud.compute.startServer(s.server!.id);
    expect((await serverStatus("ACTIVE")).status).toBe("ACTIVE");
  });

  it("reads the master's console log as a project member (os-getConsoleOutput), last lines only", async () => {
    // Nova's fake driver prints a fixed console; a real one prints cloud-init's and kubeadm's lines.
    const all = await cloud.compute.consoleOutput(s.server!.id, 100);
    expect(typeof all).toBe("string");
    expect(all!.length).toBeGreaterThan(0);
    const last = await cloud.compute.consoleOutput(s.server!.id, 1);
    expect(last!.split("\n").filter(Boolean)).toHaveLength(1);
    expect(all!.trimEnd().endsWith(last!.trim())).toBe(true);
    expect(await cloud.compute.consoleOutput("00000000-0000-4000-8000-000000000000", 5)).toBeNull();
  });

  it("rebuilds the volume-backed master with an image (2.93), keeping its id, port and root volume", async () => {
    await cloud.compute.rebuildServer(s.server!.id, s.imageId!, {
      metadata: { "kc-cluster": `${prefix}id`, "kc-role": "master", "kc-version": "1.32" },
      userData: "#cloud-config\n{}\n",
    });
    const sv = await waitFor(
      "server rebuilt",
      async () => {
        const x = await cloud.compute.getServer(s.server!.id);
        if (x?.status === "ERROR") throw new Error(`server ERROR: ${x.fault?.message ?? "no fault"}`);
        return x?.status === "ACTIVE" && !x.taskState && x.metadata["kc-version"] === "1.32" ? x : undefined;
      },
      { timeoutMs: 180_000 },
    );
    expect(sv.volumeIds).toEqual([s.rootVolumeId]);
    expect(sv.fixedIps).toEqual(s.server!.fixedIps);
  }, 240_000);

  it("tears down in the reconciler's order; each delete of what is gone answers false", async () => {
    const net = cloud.network;
    expect(await net.deleteFloatingIp(s.fip!.id)).toBe(true);
    expect(await cloud.loadBalancer.deleteLoadBalancer(s.lb!.id, true)).toBe(true);
    expect(await cloud.compute.deleteServer(s.server!.id)).toBe(true);
    await gone("load balancer deleted", () => cloud.loadBalancer.getLoadBalancer(s.lb!.id));
    await gone("server deleted", () => cloud.compute.getServer(s.server!.id));
    // Nova deletes the boot volume with the server (delete_on_termination).
    await gone("boot volume deleted", () => cloud.blockStorage.getVolume(s.rootVolumeId!), 60_000);
    // Octavia's cascade delete removes the VIP port (and with it the floating IP's association).
    expect(await net.getPort(s.lb!.vipPortId)).toBeNull();
    expect(await net.deleteFloatingIp(s.fip!.id)).toBe(false);
    expect(await cloud.loadBalancer.deleteLoadBalancer(s.lb!.id, true)).toBe(false);
    expect(await cloud.compute.deleteServer(s.server!.id)).toBe(false);

    expect(await cloud.blockStorage.deleteVolume(s.etcd!.id)).toBe(true);
    expect(await net.deletePort(s.masterPort!.id)).toBe(true);
    expect(await net.deletePort(s.workerPort!.id)).toBe(true);
    expect(await cloud.compute.deleteServerGroup(s.serverGroup!.id)).toBe(true);
    for (const g of Object.values(s.sg)) expect(await net.deleteSecurityGroup(g!.id)).toBe(true);
    expect(await net.removeRouterInterface(s.router!.id, s.subnet!.id)).toBe(true);
    expect(await net.deleteRouter(s.router!.id)).toBe(true);
    expect(await net.deleteSubnet(s.subnet!.id)).toBe(true);
    expect(await net.deleteNetwork(s.network!.id)).toBe(true);
    await gone("etcd volume deleted", () => cloud.blockStorage.getVolume(s.etcd!.id), 60_000);

    expect(await net.deletePort(s.masterPort!.id)).toBe(false);
    expect(await cloud.compute.deleteServerGroup(s.serverGroup!.id)).toBe(false);
    expect(await net.removeRouterInterface(s.router!.id, s.subnet!.id)).toBe(false);
    expect(await net.deleteNetwork(s.network!.id)).toBe(false);
    expect(await cloud.blockStorage.deleteVolume(s.etcd!.id)).toBe(false);
  }, 240_000);

  it("leaves nothing in the lab project (sweep with the real API)", async () => {
    const left = await sweepLab(cloud, prefix, known);
    expect(left, describeLeftovers(left)).toEqual([]);
  });
});

describe.sequential("Keystone application credentials (lab, demo user with a password)", () => {
  it("application credentials: create as the project member, find by name, sign in, delete; then refused", async () => {
    const id = cloud.identity;
    const name = `${prefix}appcred`;
    const created = await id.createApplicationCredential({
      name,
      description: "kube-console adapter contract",
      roles: ["member", "load-balancer_member"],
    });
    const asCred = createCloud({
      ...labCloudConfig(),
      auth: { type: "application_credential", id: created.id, secret: created.secret },
    });
    try {
      expect(created).toMatchObject({ name, projectId });
      expect(created.secret.length).toBeGreaterThanOrEqual(32);
      expect(await id.findApplicationCredential(name)).toEqual({ id: created.id, name, projectId });
      // Zed's ?name= matches case-insensitively (MySQL); the adapter's match is exact.
      expect(await id.findApplicationCredential(name.toUpperCase())).toBeNull();

      expect(await id.verifyApplicationCredential(created)).toBe(true);
      expect(await id.verifyApplicationCredential({ id: created.id, secret: "wrong" })).toBe(false);
      // A binding on it gets a token scoped to the demo project, and may use Nova with it.
      expect((await asCred.session.auth()).projectId).toBe(projectId);
      expect((await asCred.compute.listFlavors()).length).toBeGreaterThan(0);
      // It is restricted (the default): it may not make more application credentials.
      const more = await asCred.identity
        .createApplicationCredential({ name: `${prefix}appcred-more` })
        .catch((e: unknown) => e);
      expect(more).toBeInstanceOf(Forbidden);

      const dup = await id.createApplicationCredential({ name }).catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(ApplicationCredentialExists);
      expect((dup as Error).message).toContain(`named "${name}" already exists`);
      expect((dup as Error).message).not.toContain(created.secret);
      const admin = await id
        .createApplicationCredential({ name: `${prefix}appcred-admin`, roles: ["admin"] })
        .catch((e: unknown) => e);
      expect(admin).toBeInstanceOf(BadRequest);

      expect(await id.deleteApplicationCredential(created.id)).toBe(true);
      expect(await id.verifyApplicationCredential(created)).toBe(false);
      asCred.session.invalidate();
      expect(await asCred.compute.listFlavors().catch((e: unknown) => e)).toBeInstanceOf(CredentialsRejected);
      expect(await id.deleteApplicationCredential(created.id)).toBe(false);
      expect(await id.findApplicationCredential(name)).toBeNull();
    } finally {
      asCred.close();
      await id.deleteApplicationCredential(created.id).catch(() => false);
    }
  });
});
