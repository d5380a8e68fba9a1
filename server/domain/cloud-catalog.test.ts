import { describe, expect, it } from "vitest";
import {
  buildCatalog,
  catalogPrices,
  checkAgainstCatalog,
  OperatorCloudConfig,
  placementWarnings,
  type RawCloud,
} from "./cloud-catalog";
import { estimateCost } from "./cost";
import { masterZones } from "./placement";

/** A cloud shaped like the real-OpenStack lab: other zone, flavor, type and image names than the emulator's. */
function labCloud(over: Partial<RawCloud> = {}): RawCloud {
  return {
    cloud: { authUrl: "http://127.0.0.1:5000/v3", region: "RegionOne", projectId: "p1" },
    computeZones: [
      { name: "MS1", available: true },
      { name: "GZ1", available: true },
      { name: "internal", available: true },
    ],
    volumeZones: [{ name: "nova", available: true }],
    flavors: [
      {
        id: "f3",
        name: "large",
        vcpus: 4,
        ramMb: 8192,
        diskGb: 80,
        ephemeralGb: 0,
        isPublic: true,
        extraSpecs: {},
      },
      {
        id: "f1",
        name: "small",
        vcpus: 1,
        ramMb: 2048,
        diskGb: 20,
        ephemeralGb: 0,
        isPublic: true,
        extraSpecs: {},
      },
      {
        id: "g1",
        name: "gpu.a100",
        vcpus: 8,
        ramMb: 65536,
        diskGb: 100,
        ephemeralGb: 50,
        isPublic: false,
        extraSpecs: { "pci_passthrough:alias": "a100:2", "hw:cpu_policy": "dedicated" },
      },
    ],
    volumeTypes: [
      { id: "t0", name: "__DEFAULT__", description: "Default Volume Type" },
      { id: "t1", name: "high-iops", description: null },
    ],
    defaultVolumeTypeId: "t0",
    images: [
      { id: "i0", name: "cirros-fake", status: "active", properties: {} },
      {
        id: "i1",
        name: "ubuntu-2404-kube",
        status: "active",
        properties: { kube_version: "v1.36.1", os_distro: "ubuntu", os_version: "24.04" },
      },
      { id: "i2", name: "k8s-1.35.3", status: "active", properties: {} },
      { id: "i3", name: "broken", status: "queued", properties: { kube_version: "v1.35.1" } },
      { id: "i4", name: "unknown-version", status: "active", properties: { kube_version: "v1.20.0" } },
    ],
    externalNetworks: [{ id: "n1", name: "public" }],
    ...over,
  };
}

const none = OperatorCloudConfig.parse({});
const now = new Date("2026-12-02T12:00:00Z");

describe("the cloud catalog", () => {
  it("takes zones, flavors, types, images and networks from what the cloud lists", () => {
    const c = buildCatalog(labCloud(), none, null, now);
    expect(c.computeZones).toEqual(["GZ1", "MS1"]);
    expect(c.volumeZones).toEqual(["nova"]);
    // Cinder has no zone named like Nova's: volumes are created with no zone.
    expect(c.volumeZoneOf).toEqual({ GZ1: null, MS1: null });
    expect(c.flavors.map((f) => f.name)).toEqual(["small", "large", "gpu.a100"]);
    expect(c.flavors.find((f) => f.name === "gpu.a100")).toMatchObject({
      gpus: 2,
      cpuPolicy: "dedicated",
      ephemeralGb: 50,
      isPublic: false,
      pricePerHour: null,
    });
    expect(c.etcdVolumeType).toBe("high-iops");
    expect(c.nodeDiskType).toBe("__DEFAULT__");
    // Only active images whose properties name an offered version; the name alone says nothing.
    expect(c.images).toEqual([
      {
        id: "i1",
        name: "ubuntu-2404-kube",
        kubernetesVersion: "1.36.1",
        osDistro: "ubuntu",
        osVersion: "24.04",
        matchedBy: "properties",
      },
    ]);
    expect(c.externalNetworkId).toBe("n1");
    expect(c.dnsNameservers).toEqual([]);
    expect(c.problems).toEqual([]);
  });

  it("follows the operator: name pattern, zone mapping, types, DNS, network, prices", () => {
    const config = OperatorCloudConfig.parse({
      imageNamePattern: "^k8s-(?<version>1\\.\\d+\\.\\d+)$",
      volumeZones: { GZ1: "nova" },
      etcdVolumeType: "high-iops",
      nodeDiskType: "high-iops",
      dnsNameservers: ["192.0.2.53"],
      externalNetwork: "public",
      prices: {
        flavors: { small: 0.01 },
        volumeTypesPerGbMonth: { "high-iops": 0.2 },
        loadBalancerPerHour: 0.02,
      },
    });
    const c = buildCatalog(labCloud(), config, config.prices ?? null, now);
    expect(c.images.map((i) => [i.kubernetesVersion, i.matchedBy])).toEqual([
      ["1.35.3", "name"],
      ["1.36.1", "properties"],
    ]);
    expect(c.volumeZoneOf).toEqual({ GZ1: "nova", MS1: null });
    expect(c.nodeDiskType).toBe("high-iops");
    expect(c.dnsNameservers).toEqual(["192.0.2.53"]);
    expect(c.flavors.find((f) => f.name === "small")?.pricePerHour).toBe(0.01);
    expect(c.flavors.find((f) => f.name === "large")?.pricePerHour).toBeNull();
    // A flavor without a price is said to be unpriced, never counted as 0.
    const cost = estimateCost(
      {
        masterCount: 1,
        masterFlavor: "large",
        etcd: { volumeType: "high-iops", sizeGb: 10 },
        nodeGroups: [],
        apiAccess: { public: true, allowedCidrs: [] },
      },
      catalogPrices(c),
    );
    expect(cost.unpriced).toEqual(["flavor large", "floating IP"]);
  });

  it("says what is missing, and what a configured name does not match", () => {
    const c = buildCatalog(
      labCloud({
        images: [],
        externalNetworks: [],
        volumeTypes: [{ id: "t9", name: "hdd", description: null }],
      }),
      OperatorCloudConfig.parse({ etcdVolumeType: "nvme", externalNetwork: "ext" }),
      null,
      now,
    );
    expect(c.problems).toEqual([
      "The configured etcd volume type 'nvme' does not exist in this cloud (it has hdd)",
      expect.stringMatching(/^No node image found: Glance has no active image with a kube_version property/),
      "The configured external network 'ext' is not visible to this project (it sees none)",
      "No external network: clusters need one for their router and public addresses",
    ]);
    expect(c.etcdVolumeType).toBe("hdd");
  });

  it("refuses a bad image pattern in the operator's file", () => {
    const r = OperatorCloudConfig.safeParse({ imageNamePattern: "^k8s-(1\\.\\d+)$" });
    expect(r.success).toBe(false);
    expect(OperatorCloudConfig.safeParse({ imageNamePattern: "(" }).success).toBe(false);
    expect(OperatorCloudConfig.safeParse({ unknownKey: 1 }).success).toBe(false);
  });

  it("checks a spec's zones, flavors, types and version against the catalog, naming what exists", () => {
    const c = buildCatalog(labCloud(), none, null, now);
    const issues = checkAgainstCatalog(
      {
        version: "1.35.3",
        topology: "single",
        masterCount: 1,
        masterZone: "ru-msk-a",
        masterFlavor: "STD2-2-4",
        etcd: { volumeType: "ceph-ssd" },
        nodeGroups: [
          { flavor: "small", zone: "GZ1", diskType: "high-iops" },
          { flavor: "small", zone: "MS2" },
        ],
      },
      c,
    );
    expect(issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      "version: This cloud has no node image for Kubernetes 1.35.3; it offers 1.36.1",
      "masterZone: Zone 'ru-msk-a' does not exist in this cloud; its zones: GZ1, MS1",
      "masterFlavor: Flavor 'STD2-2-4' does not exist in this cloud; choose one of small, large, gpu.a100",
      "etcd.volumeType: Volume type 'ceph-ssd' does not exist in this cloud; its types: __DEFAULT__, high-iops",
      "nodeGroups.1.zone: Zone 'MS2' does not exist in this cloud; its zones: GZ1, MS1",
    ]);
  });

  it("spreads regional masters over the cloud's zones and warns when a zone loss loses quorum", () => {
    const two = buildCatalog(labCloud(), none, null, now);
    const spec = { topology: "regional" as const, masterCount: 3 as const, masterZone: "GZ1" };
    expect(masterZones({ ...spec, regionZones: two.computeZones }, [])).toEqual(["GZ1", "MS1", "GZ1"]);
    expect(placementWarnings(spec, two)).toEqual([
      "This cloud has 2 zones: 2 of the 3 masters share a zone, and losing that zone loses etcd quorum",
    ]);
    const three = buildCatalog(
      labCloud({ computeZones: ["az-1", "az-2", "az-3"].map((name) => ({ name, available: true })) }),
      none,
      null,
      now,
    );
    expect(placementWarnings({ ...spec, masterCount: 5 }, three)).toEqual([]);
    const one = buildCatalog(
      labCloud({ computeZones: [{ name: "nova", available: true }] }),
      none,
      null,
      now,
    );
    expect(placementWarnings(spec, one)).toEqual([
      "This cloud has one zone: the masters of a regional cluster all run in it, as in a standard cluster",
    ]);
  });
});
