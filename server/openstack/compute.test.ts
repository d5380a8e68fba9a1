import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "@/server/testing/cloud";
import { volumeAttachedTo, volumeAttachPending } from "./blockstorage";
import { BadRequest, Conflict, NotFound, QuotaExceeded } from "./index";

let t: TestCloud;
beforeEach(async () => {
  t = await startTestCloud({ maxPageSize: 3 });
});
afterEach(() => t.stop());

const MINUTE = 60_000;

async function network(tc: TestCloud, name = "c1") {
  const net = await tc.cloud.network.createNetwork({ name: `${name}-net`, tags: [`cluster:${name}`] });
  const subnet = await tc.cloud.network.createSubnet({
    name: `${name}-subnet`,
    networkId: net.id,
    cidr: "10.20.0.0/24",
    tags: [`cluster:${name}`],
  });
  return { net, subnet };
}

async function boot(
  tc: TestCloud,
  name: string,
  extra: Partial<Parameters<TestCloud["cloud"]["compute"]["createServer"]>[0]> = {},
) {
  const flavors = await tc.cloud.compute.listFlavors();
  const images = await tc.cloud.image.listImages();
  const { net } = await network(tc, name);
  return tc.cloud.compute.createServer({
    name,
    flavorId: flavors.find((f) => f.name === "STD2-2-4")!.id,
    imageId: images[0]!.id,
    availabilityZone: "ru-msk-b",
    network: { networkId: net.id },
    ...extra,
  });
}

describe("Nova", () => {
  it("lists flavors with extra specs (price), zones and limits", async () => {
    const flavors = await t.cloud.compute.listFlavors(); // 11 flavors over pages of 3
    expect(flavors).toHaveLength(11);
    expect(flavors.find((f) => f.name === "STD3-8-32")).toMatchObject({
      vcpus: 8,
      ramMb: 32768,
      extraSpecs: { "console:price_per_hour": "0.1332" },
    });
    expect(await t.cloud.compute.listAvailabilityZones()).toHaveLength(3);
    expect(await t.cloud.compute.limits()).toMatchObject({ maxTotalInstances: 60, totalInstancesUsed: 0 });
  });

  it("creates servers in a soft-anti-affinity group with AZ, port, metadata, tags and user data; BUILD → ACTIVE", async () => {
    const group = await t.cloud.compute.createServerGroup("c1-masters", "soft-anti-affinity");
    expect(group.policy).toBe("soft-anti-affinity");
    const { net, subnet } = await network(t);
    const port = await t.cloud.network.createPort({
      name: "c1-master-0",
      networkId: net.id,
      subnetId: subnet.id,
      tags: ["cluster:c1"],
    });
    const flavors = await t.cloud.compute.listFlavors();
    const images = await t.cloud.image.listImages();
    const { id } = await t.cloud.compute.createServer({
      name: "c1-master-0",
      flavorId: flavors[1]!.id,
      imageId: images[0]!.id,
      availabilityZone: "ru-msk-c",
      network: { portId: port.id },
      serverGroupId: group.id,
      metadata: { "console:cluster": "c1", role: "master" },
      tags: ["cluster:c1", "role:master"],
      userData: "#cloud-config\n",
    });
    let srv = await t.cloud.compute.getServer(id);
    expect(srv).toMatchObject({
      status: "BUILD",
      availabilityZone: "ru-msk-c",
      metadata: { role: "master" },
      tags: ["cluster:c1", "role:master"],
      fixedIps: [port.fixedIps[0]!.ipAddress],
    });
    t.advance(59_000);
    expect((await t.cloud.compute.getServer(id))?.status).toBe("BUILD");
    t.advance(2 * MINUTE);
    srv = await t.cloud.compute.getServer(id);
    expect(srv?.status).toBe("ACTIVE");
    expect((await t.cloud.compute.getServerGroup(group.id))?.members).toEqual([id]);
    expect((await t.cloud.network.getPort(port.id))?.deviceId).toBe(id);
  });

  it("finds servers by exact name and by tags, server-side and across pages", async () => {
    for (const name of ["web-1", "web-10", "web-2", "db-1"])
      await boot(t, name, { tags: name.startsWith("web") ? ["tier:web"] : ["tier:db"] });
    expect((await t.cloud.compute.listServers({ name: "web-1" })).map((s) => s.name)).toEqual(["web-1"]);
    expect((await t.cloud.compute.listServers({ tags: ["tier:web"] })).map((s) => s.name).sort()).toEqual([
      "web-1",
      "web-10",
      "web-2",
    ]);
    expect(await t.cloud.compute.listServers()).toHaveLength(4);
    const listCalls = t.log.filter((e) => e.path.endsWith("/servers/detail"));
    expect(listCalls.length).toBeGreaterThanOrEqual(4); // 1 + 1 + 2 pages
  });

  it("stops and starts (os-stop / os-start) and refuses a stop while stopped", async () => {
    const { id } = await boot(t, "s1");
    t.advance(3 * MINUTE);
    await t.cloud.compute.stopServer(id);
    expect((await t.cloud.compute.getServer(id))?.taskState).toBe("powering-off");
    t.advance(MINUTE);
    expect((await t.cloud.compute.getServer(id))?.status).toBe("SHUTOFF");
    await expect(t.cloud.compute.stopServer(id)).rejects.toBeInstanceOf(Conflict);
    await t.cloud.compute.startServer(id);
    t.advance(MINUTE);
    expect((await t.cloud.compute.getServer(id))?.status).toBe("ACTIVE");
  });

  it("rebuilds in place: same id and address, new image, REBUILD → ACTIVE", async () => {
    const { id } = await boot(t, "r1");
    t.advance(3 * MINUTE);
    const before = (await t.cloud.compute.getServer(id))!;
    const images = await t.cloud.image.listImages();
    const target = images.find((i) => i.id !== before.imageId)!;
    await t.cloud.compute.rebuildServer(id, target.id);
    expect((await t.cloud.compute.getServer(id))?.status).toBe("REBUILD");
    t.advance(2 * MINUTE);
    const after = (await t.cloud.compute.getServer(id))!;
    expect(after).toMatchObject({ id, status: "ACTIVE", imageId: target.id, fixedIps: before.fixedIps });
  });

  it("attaches and detaches a volume", async () => {
    const { id } = await boot(t, "v1");
    const vol = await t.cloud.blockStorage.createVolume({
      name: "v1-etcd",
      sizeGb: 10,
      availabilityZone: "ru-msk-b",
      volumeType: "high-iops",
    });
    t.advance(3 * MINUTE);
    const att = await t.cloud.compute.attachVolume(id, vol.id);
    expect(att).toMatchObject({ serverId: id, volumeId: vol.id, device: "/dev/vdb" });
    t.advance(10_000);
    expect((await t.cloud.blockStorage.getVolume(vol.id))?.status).toBe("in-use");
    expect(await t.cloud.compute.listVolumeAttachments(id)).toHaveLength(1);
    expect((await t.cloud.compute.getServer(id))?.volumeIds).toEqual([vol.id]);
    await t.cloud.compute.detachVolume(id, vol.id);
    t.advance(10_000);
    expect((await t.cloud.blockStorage.getVolume(vol.id))?.status).toBe("available");
  });

  it("goes available → reserved → attaching → in-use; attaching again to the same server adopts, another server is refused", async () => {
    const { id } = await boot(t, "v2");
    const other = await boot(t, "v3");
    const vol = await t.cloud.blockStorage.createVolume({
      name: "v2-etcd",
      sizeGb: 10,
      availabilityZone: "ru-msk-b",
      volumeType: "high-iops",
    });
    t.advance(3 * MINUTE);
    const att = await t.cloud.compute.attachVolume(id, vol.id);
    let v = (await t.cloud.blockStorage.getVolume(vol.id))!;
    // Reserved: in progress, and Cinder does not list the attachment yet.
    expect([v.status, v.attachedTo, volumeAttachPending(v), volumeAttachedTo(v, id)]).toEqual([
      "reserved",
      [],
      true,
      false,
    ]);
    // A retried attach (a pass that crashed after the POST) adopts the attachment instead of failing.
    expect(await t.cloud.compute.attachVolume(id, vol.id)).toEqual(att);
    t.advance(2_500);
    v = (await t.cloud.blockStorage.getVolume(vol.id))!;
    expect([v.status, volumeAttachPending(v)]).toEqual(["attaching", true]);
    expect(await t.cloud.compute.attachVolume(id, vol.id)).toEqual(att);
    t.advance(10_000);
    v = (await t.cloud.blockStorage.getVolume(vol.id))!;
    expect([
      v.status,
      volumeAttachPending(v),
      volumeAttachedTo(v, id),
      volumeAttachedTo(v, other.id),
    ]).toEqual(["in-use", false, true, false]);
    expect(await t.cloud.compute.attachVolume(id, vol.id)).toEqual(att);
    const err = await t.cloud.compute.attachVolume(other.id, vol.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequest);
    expect((err as BadRequest).message).toMatch(/status must be available, but current status is: in-use/);
    await t.cloud.compute.detachVolume(id, vol.id);
    v = (await t.cloud.blockStorage.getVolume(vol.id))!;
    expect([v.status, volumeAttachPending(v)]).toEqual(["detaching", true]);
  });

  it("boots from a volume of the given size and type, deleted with the server", async () => {
    const { id } = await boot(t, "bfv", { rootVolume: { sizeGb: 80, volumeType: "ceph-hdd" } });
    const srv = await t.cloud.compute.getServer(id);
    expect(srv?.imageId).toBeNull(); // Nova reports image "" for volume-backed servers
    const [root] = (await t.cloud.blockStorage.listVolumes()).filter((v) =>
      v.attachedTo.some((a) => a.serverId === id),
    );
    expect(root).toMatchObject({
      sizeGb: 80,
      volumeType: "ceph-hdd",
      status: "in-use",
      attachedTo: [{ serverId: id, device: "/dev/vda" }],
    });
    // A data volume attached later takes the next device.
    const data = await t.cloud.blockStorage.createVolume({
      name: "data",
      sizeGb: 5,
      availabilityZone: "ru-msk-b",
      volumeType: "ceph-ssd",
    });
    t.advance(3 * MINUTE);
    expect((await t.cloud.compute.attachVolume(id, data.id)).device).toBe("/dev/vdb");
    t.advance(MINUTE);
    await t.cloud.compute.deleteServer(id);
    t.advance(MINUTE);
    expect(await t.cloud.blockStorage.getVolume(root!.id)).toBeNull();
    expect((await t.cloud.blockStorage.getVolume(data.id))?.status).toBe("available");
  });

  it("refuses a root volume beyond the gigabytes quota, naming it", async () => {
    await t.admin("PUT", `/projects/${t.emu.demo.projectId}/quotas`, { gigabytes: 50 });
    const err = await boot(t, "big", { rootVolume: { sizeGb: 80, volumeType: "ceph-ssd" } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(QuotaExceeded);
    expect((err as QuotaExceeded).resource).toBe("gigabytes");
  });

  it("deletes asynchronously; afterwards GET is null and delete again is a no-op", async () => {
    const { id } = await boot(t, "d1");
    t.advance(3 * MINUTE);
    expect(await t.cloud.compute.deleteServer(id)).toBe(true);
    expect((await t.cloud.compute.getServer(id))?.taskState).toBe("deleting");
    t.advance(MINUTE);
    expect(await t.cloud.compute.getServer(id)).toBeNull();
    expect(await t.cloud.compute.deleteServer(id)).toBe(false);
    await expect(t.cloud.compute.stopServer(id)).rejects.toBeInstanceOf(NotFound);
    // The port Nova created for it went with it.
    expect(await t.cloud.network.listPorts({ deviceId: id })).toHaveLength(0);
  });

  it("reports quota exhaustion with the resource named", async () => {
    await t.admin("PUT", `/projects/${t.emu.demo.projectId}/quotas`, { cores: 3 });
    await boot(t, "q1"); // 2 cores
    const err = await boot(t, "q2").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaExceeded);
    expect((err as QuotaExceeded).resource).toBe("cores");
    expect((err as QuotaExceeded).message).toMatch(/Requested 2, but already used 2 of 3 cores/);
  });

  it("an availability-zone outage puts its servers in ERROR and fails new boots there", async () => {
    const { id } = await boot(t, "z1");
    t.advance(3 * MINUTE);
    await t.admin("POST", "/zones/ru-msk-b/outage", { down: true });
    expect((await t.cloud.compute.getServer(id))?.status).toBe("ERROR");
    expect(
      (await t.cloud.compute.listAvailabilityZones()).find((z) => z.name === "ru-msk-b")?.available,
    ).toBe(false);
    const { id: id2 } = await boot(t, "z2");
    t.advance(3 * MINUTE);
    expect(await t.cloud.compute.getServer(id2)).toMatchObject({
      status: "ERROR",
      fault: { message: expect.stringMatching(/No valid host/) },
    });
    await t.admin("POST", "/zones/ru-msk-b/outage", { down: false });
    expect((await t.cloud.compute.getServer(id))?.status).toBe("ACTIVE");
  });
});
