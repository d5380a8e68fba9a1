import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "@/server/testing/cloud";
import { BadRequest, NotFound, QuotaExceeded } from "./index";

let t: TestCloud;
beforeEach(async () => {
  t = await startTestCloud();
});
afterEach(() => t.stop());

describe("Cinder", () => {
  it("offers volume types including High-IOPS", async () => {
    const types = await t.cloud.blockStorage.listVolumeTypes();
    expect(types.map((x) => x.name)).toEqual(["ceph-ssd", "high-iops", "ceph-hdd"]);
    expect(types[1]).toMatchObject({ description: "High-IOPS SSD, for etcd" });
  });

  it("creates an etcd volume in an AZ with a type and metadata: creating → available; finds it by metadata", async () => {
    const bs = t.cloud.blockStorage;
    const v = await bs.createVolume({
      name: "c1-etcd-0",
      sizeGb: 10,
      availabilityZone: "ru-msk-a",
      volumeType: "high-iops",
      metadata: { "console:cluster": "c1", role: "etcd" },
    });
    expect(v).toMatchObject({ status: "creating", availabilityZone: "ru-msk-a", volumeType: "high-iops" });
    t.advance(4_000);
    expect((await bs.getVolume(v.id))?.status).toBe("creating");
    t.advance(7_000);
    expect((await bs.getVolume(v.id))?.status).toBe("available");
    await bs.createVolume({
      name: "other",
      sizeGb: 1,
      availabilityZone: "ru-msk-a",
      volumeType: "ceph-ssd",
      metadata: { "console:cluster": "c2" },
    });
    expect((await bs.listVolumes({ metadata: { "console:cluster": "c1" } })).map((x) => x.name)).toEqual([
      "c1-etcd-0",
    ]);
    expect((await bs.listVolumes({ name: "other" })).length).toBe(1);
  });

  it("extends, refuses a smaller size, and deletes (twice is a no-op)", async () => {
    const bs = t.cloud.blockStorage;
    const v = await bs.createVolume({
      name: "x",
      sizeGb: 10,
      availabilityZone: "ru-msk-c",
      volumeType: "ceph-ssd",
    });
    t.advance(20_000);
    await expect(bs.extendVolume(v.id, 5)).rejects.toBeInstanceOf(BadRequest);
    await bs.extendVolume(v.id, 20);
    expect((await bs.getVolume(v.id))?.status).toBe("extending");
    t.advance(20_000);
    expect(await bs.getVolume(v.id)).toMatchObject({ status: "available", sizeGb: 20 });
    expect(await bs.deleteVolume(v.id)).toBe(true);
    t.advance(20_000);
    expect(await bs.getVolume(v.id)).toBeNull();
    expect(await bs.deleteVolume(v.id)).toBe(false);
  });

  it("refuses to delete an attached volume, and rejects unknown types and zones", async () => {
    const bs = t.cloud.blockStorage;
    const net = await t.cloud.network.createNetwork({ name: "n" });
    await t.cloud.network.createSubnet({ name: "s", networkId: net.id, cidr: "10.5.0.0/24" });
    const flavors = await t.cloud.compute.listFlavors();
    const images = await t.cloud.image.listImages();
    const { id } = await t.cloud.compute.createServer({
      name: "vm",
      flavorId: flavors[0]!.id,
      imageId: images[0]!.id,
      availabilityZone: "ru-msk-a",
      network: { networkId: net.id },
    });
    const v = await bs.createVolume({
      name: "data",
      sizeGb: 5,
      availabilityZone: "ru-msk-a",
      volumeType: "ceph-ssd",
    });
    t.advance(180_000);
    await t.cloud.compute.attachVolume(id, v.id);
    t.advance(10_000);
    const err = await bs.deleteVolume(v.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequest);
    expect((err as BadRequest).message).toMatch(/must not be migrating, attached/);
    expect((await bs.getVolume(v.id))?.attachedTo).toEqual([{ serverId: id, device: "/dev/vdb" }]);
    await expect(
      bs.createVolume({ name: "x", sizeGb: 1, availabilityZone: "ru-msk-a", volumeType: "gold" }),
    ).rejects.toBeInstanceOf(NotFound);
    await expect(
      bs.createVolume({ name: "x", sizeGb: 1, availabilityZone: "mars-1", volumeType: "ceph-ssd" }),
    ).rejects.toThrow(/Availability zone 'mars-1' is invalid/);
  });

  it("reports gigabytes and volume quotas by name, with usage", async () => {
    const bs = t.cloud.blockStorage;
    await t.admin("PUT", `/projects/${t.emu.demo.projectId}/quotas`, { gigabytes: 25, volumes: 2 });
    await bs.createVolume({ name: "a", sizeGb: 20, availabilityZone: "ru-msk-a", volumeType: "ceph-ssd" });
    const gb = await bs
      .createVolume({ name: "b", sizeGb: 10, availabilityZone: "ru-msk-a", volumeType: "ceph-ssd" })
      .catch((e: unknown) => e);
    expect(gb).toBeInstanceOf(QuotaExceeded);
    expect((gb as QuotaExceeded).resource).toBe("gigabytes");
    await bs.createVolume({ name: "c", sizeGb: 5, availabilityZone: "ru-msk-a", volumeType: "ceph-ssd" });
    const n = await bs
      .createVolume({ name: "d", sizeGb: 1, availabilityZone: "ru-msk-a", volumeType: "ceph-ssd" })
      .catch((e: unknown) => e);
    expect((n as QuotaExceeded).resource).toBe("volumes");
    expect(await bs.quotaUsage(t.emu.demo.projectId)).toEqual({
      volumes: { limit: 2, in_use: 2 },
      gigabytes: { limit: 25, in_use: 25 },
    });
  });
});

describe("Cinder zones apart from Nova's (release profile volumeZones)", () => {
  const cinderZones = async (tc: TestCloud) => {
    const r = await tc.cloud.session.request("block-storage", {
      method: "GET",
      path: "/os-availability-zone",
    });
    return (r.body as { availabilityZoneInfo: Array<{ zoneName: string }> }).availabilityZoneInfo.map(
      (z) => z.zoneName,
    );
  };

  it("by default lists the same zones as Nova", async () => {
    expect(await cinderZones(t)).toEqual((await t.cloud.compute.listAvailabilityZones()).map((z) => z.name));
  });

  it("zed-lab: Cinder's only zone is nova; Nova's zones are refused for volumes; boot volumes land in nova", async () => {
    const tc = await startTestCloud({ profile: "zed-lab" });
    try {
      expect(await cinderZones(tc)).toEqual(["nova"]);
      expect((await tc.cloud.compute.listAvailabilityZones()).map((z) => z.name)).toEqual([
        "ru-msk-a",
        "ru-msk-b",
        "ru-msk-c",
      ]);
      const bs = tc.cloud.blockStorage;
      await expect(
        bs.createVolume({ name: "x", sizeGb: 1, availabilityZone: "ru-msk-a", volumeType: "ceph-ssd" }),
      ).rejects.toThrow(/Availability zone 'ru-msk-a' is invalid/);
      expect(
        await bs.createVolume({ name: "y", sizeGb: 1, availabilityZone: "nova", volumeType: "ceph-ssd" }),
      ).toMatchObject({ availabilityZone: "nova" });
      // No zone asked: Cinder's default.
      const raw = await tc.cloud.session.request("block-storage", {
        method: "POST",
        path: "/volumes",
        body: { volume: { name: "z", size: 1 } },
      });
      expect((raw.body as { volume: { availability_zone: string } }).volume.availability_zone).toBe("nova");

      const net = await tc.cloud.network.createNetwork({ name: "n" });
      await tc.cloud.network.createSubnet({ name: "s", networkId: net.id, cidr: "10.6.0.0/24" });
      const { id } = await tc.cloud.compute.createServer({
        name: "bfv",
        flavorId: (await tc.cloud.compute.listFlavors())[0]!.id,
        imageId: (await tc.cloud.image.listImages())[0]!.id,
        availabilityZone: "ru-msk-b",
        network: { networkId: net.id },
        rootVolume: { sizeGb: 10, volumeType: "ceph-ssd" },
      });
      const root = (await bs.listVolumes()).find((v) => v.attachedTo.some((a) => a.serverId === id));
      expect(root?.availabilityZone).toBe("nova");
      expect((await tc.cloud.compute.getServer(id))?.availabilityZone).toBe("ru-msk-b");
    } finally {
      await tc.stop();
    }
  });
});
