import { withEmulatorDefaults } from "@/server/testing/specs";
import { describe, expect, it } from "vitest";
import type { ClusterSpecInput } from "@/server/contracts/cluster";
import { CheckedClusterSpec as ClusterSpec } from "./cluster-spec-check";
import { ADDONS, defaultValuesYaml } from "./addons";
import { estimateCost, PRICES } from "./cost";
import { masterZones } from "./placement";
import { versionInfo } from "./versions";

const base: ClusterSpecInput = {
  name: "prod",
  topology: "regional",
  masterCount: 3,
  masterFlavor: "STD2-4-8",
  nodeGroups: [
    { name: "workers", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 3 } },
  ],
};
const issues = (over: Record<string, unknown>) => {
  const r = ClusterSpec.safeParse(withEmulatorDefaults({ ...base, ...over }));
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("cluster spec validation", () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ["name with uppercase", { name: "Prod" }, /^name: The cluster name may contain lowercase letters/],
    ["unknown version", { version: "1.20.0" }, /^version: Kubernetes 1.20.0 is not offered/],
    [
      "single with 3 masters",
      { topology: "single", masterCount: 3 },
      /^masterCount: A single-master cluster has exactly 1 master/,
    ],
    ["regional with 1 master", { masterCount: 1 }, /^masterCount: A regional cluster has 3 or 5 masters/],
    [
      "pod CIDR overlapping nodes",
      { podCidr: "10.0.0.0/16" },
      /^podCidr: The pod CIDR 10.0.0.0\/16 overlaps the node subnet 10.0.0.0\/24/,
    ],
    [
      "service CIDR overlapping pods",
      { serviceCidr: "10.100.128.0/24" },
      /^serviceCidr: The service CIDR 10.100.128.0\/24 overlaps the pod CIDR/,
    ],
    [
      "loopback node subnet",
      { network: { mode: "new", cidr: "127.1.0.0/24" } },
      /^network.cidr: The node subnet 127.1.0.0\/24 overlaps 127.0.0.0\/8 \(loopback\)/,
    ],
    [
      "public node subnet",
      { network: { mode: "new", cidr: "8.8.8.0/24" } },
      /^network.cidr: The node subnet must be a private range/,
    ],
    [
      "host bits set",
      { podCidr: "10.100.0.1/16" },
      /^podCidr: '10.100.0.1\/16' is not a network in CIDR notation/,
    ],
    [
      "IPv6 pod CIDR outside the unique local range",
      {
        network: { mode: "new", cidr: "10.0.0.0/24,fd00:10::/64" },
        podCidr: "10.100.0.0/16,2001:db8::/56",
        serviceCidr: "10.254.0.0/16,fd00:10:254::/112",
      },
      /^podCidr: The pod CIDR must be a unique local IPv6 range \(inside fc00::\/7/,
    ],
    [
      "link-local IPv6 node subnet",
      { network: { mode: "new", cidr: "10.0.0.0/24,fe80::/64" } },
      /^network.cidr: The node subnet fe80::\/64 overlaps fe80::\/10 \(link-local\)/,
    ],
    [
      "IPv6 host bits set",
      { podCidr: "10.100.0.0/16,fd00:10:100::1/56" },
      /^podCidr: 'fd00:10:100::1\/56' is not a network in CIDR notation/,
    ],
    [
      "two IPv4 ranges",
      { podCidr: "10.100.0.0/16,10.200.0.0/16" },
      /^podCidr: The pod CIDR is one range, or one IPv4 and one IPv6 range separated by a comma for dual-stack/,
    ],
    [
      "three ranges",
      { serviceCidr: "10.254.0.0/16,fd00:10:254::/112,fd00:10:255::/112" },
      /^serviceCidr: The service CIDR is one range, or one IPv4 and one IPv6 range/,
    ],
    [
      "IPv6 service CIDR larger than /108",
      {
        network: { mode: "new", cidr: "10.0.0.0/24,fd00:10::/64" },
        podCidr: "10.100.0.0/16,fd00:10:100::/56",
        serviceCidr: "10.254.0.0/16,fd00:10:254::/64",
      },
      /^serviceCidr: An IPv6 service CIDR must be between \/108 and \/120/,
    ],
    [
      "IPv6 pod CIDR too large for /64 node ranges",
      {
        network: { mode: "existing", networkId: "n", subnetId: "s" },
        podCidr: "fd00:10::/40",
        serviceCidr: "fd00:10:254::/112",
      },
      /^podCidr: An IPv6 pod CIDR must be between \/48 and \/60/,
    ],
    [
      "IPv6 node subnet other than /64",
      {
        network: { mode: "new", cidr: "fd00:10::/56" },
        podCidr: "fd00:10:100::/56",
        serviceCidr: "fd00:10:254::/112",
      },
      /^network.cidr: An IPv6 node subnet must be a \/64/,
    ],
    [
      "IPv6 service CIDR overlapping IPv6 pods",
      {
        network: { mode: "new", cidr: "10.0.0.0/24,fd00:10::/64" },
        podCidr: "10.100.0.0/16,fd00:10:100::/56",
        serviceCidr: "10.254.0.0/16,fd00:10:100::/112",
      },
      /^serviceCidr: The service CIDR fd00:10:100::\/112 overlaps the pod CIDR fd00:10:100::\/56/,
    ],
    [
      "dual-stack pods with single-stack services",
      {
        network: { mode: "new", cidr: "10.0.0.0/24,fd00:10::/64" },
        podCidr: "10.100.0.0/16,fd00:10:100::/56",
      },
      /^serviceCidr: The service CIDR must have the same IP families as the pod CIDR, in the same order \(IPv4,IPv6\)/,
    ],
    [
      "services with the other primary family",
      {
        network: { mode: "new", cidr: "10.0.0.0/24,fd00:10::/64" },
        podCidr: "10.100.0.0/16,fd00:10:100::/56",
        serviceCidr: "fd00:10:254::/112,10.254.0.0/16",
      },
      /^serviceCidr: The service CIDR must have the same IP families as the pod CIDR/,
    ],
    [
      "IPv6 pods on an IPv4 node subnet",
      { podCidr: "fd00:10:100::/56", serviceCidr: "fd00:10:254::/112" },
      /^network.cidr: The node subnet needs an IPv6 range for the IPv6 pod CIDR/,
    ],
    [
      "bad allowlist entry",
      { apiAccess: { public: true, allowedCidrs: ["office"] } },
      /^apiAccess.allowedCidrs.0: 'office' is not a CIDR/,
    ],
    [
      "allowlist on private API",
      { apiAccess: { public: false, allowedCidrs: ["203.0.113.0/24"] } },
      /^apiAccess.allowedCidrs: An allowlist applies only to a public API endpoint/,
    ],
    [
      "duplicate group names",
      { nodeGroups: [base.nodeGroups![0], { ...base.nodeGroups![0], zone: "ru-msk-b" }] },
      /^nodeGroups.1.name: Node group name 'workers' is already used by group 1/,
    ],
    [
      "6 nodes with anti-affinity",
      { nodeGroups: [{ ...base.nodeGroups![0], scaling: { mode: "fixed", size: 6 }, antiAffinity: true }] },
      /^nodeGroups.0.antiAffinity: Anti-affinity places each node on its own host: at most 5 nodes \(this group can have 6\)/,
    ],
    [
      "autoscale min above max",
      { nodeGroups: [{ ...base.nodeGroups![0], scaling: { mode: "autoscale", min: 4, max: 2 } }] },
      /^nodeGroups.0.scaling.min: The minimum must not exceed the maximum/,
    ],
    [
      "too many nodes",
      {
        nodeGroups: Array.from({ length: 3 }, (_, i) => ({
          ...base.nodeGroups![0],
          name: `g${i}`,
          scaling: { mode: "fixed", size: 40 },
        })),
      },
      /^nodeGroups: At most 100 worker nodes per cluster; these groups can reach 120/,
    ],
    [
      "bad label",
      { nodeGroups: [{ ...base.nodeGroups![0], labels: { "bad key!": "x" } }] },
      /^nodeGroups.0.labels.bad key!: 'bad key!' is not a valid Kubernetes label key/,
    ],
  ])("rejects %s with a precise message", (_name, over, message) => {
    const found = issues(over);
    expect(
      found.some((m) => message.test(m)),
      found.join("\n"),
    ).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    [
      "dual-stack",
      {
        network: { mode: "new", cidr: "10.0.0.0/24,fd00:10::/64" },
        podCidr: "10.100.0.0/16,fd00:10:100::/56",
        serviceCidr: "10.254.0.0/16,fd00:10:254::/112",
      },
    ],
    [
      "IPv6 only",
      {
        network: { mode: "new", cidr: "fd00:10::/64" },
        podCidr: "fd00:10:100::/56",
        serviceCidr: "fd00:10:254::/108",
      },
    ],
    [
      "IPv6 pods and services on an existing network",
      {
        network: { mode: "existing", networkId: "n", subnetId: "s" },
        podCidr: "fd00:10::/48",
        serviceCidr: "fd00:11::/120",
      },
    ],
    [
      "an IPv6 allowlist entry",
      { apiAccess: { public: true, allowedCidrs: ["2001:db8::/32", "203.0.113.0/24"] } },
    ],
  ])("accepts %s ranges in the schema", (_name, over) => {
    expect(issues(over)).toEqual([]);
  });

  it("accepts a good spec and fills defaults", () => {
    const r = ClusterSpec.parse(withEmulatorDefaults(base));
    expect(r).toMatchObject({
      version: "1.36.1",
      podCidr: "10.100.0.0/16",
      serviceCidr: "10.254.0.0/16",
      etcd: { volumeType: "high-iops", sizeGb: 20 },
      apiAccess: { public: true },
    });
    expect(r.nodeGroups[0]).toMatchObject({ diskGb: 50, antiAffinity: false, labels: {}, taints: [] });
  });
});

describe("placement and versions", () => {
  it.each([
    [{ topology: "single", masterCount: 1, masterZone: "ru-msk-b" }, ["ru-msk-b"]],
    [{ topology: "standard", masterCount: 3, masterZone: "ru-msk-c" }, ["ru-msk-c", "ru-msk-c", "ru-msk-c"]],
    [{ topology: "regional", masterCount: 3, masterZone: "ru-msk-a" }, ["ru-msk-a", "ru-msk-b", "ru-msk-c"]],
    [
      { topology: "regional", masterCount: 5, masterZone: "ru-msk-a" },
      ["ru-msk-a", "ru-msk-b", "ru-msk-c", "ru-msk-a", "ru-msk-b"],
    ],
  ] as const)("places masters for %j", (spec, zones) => {
    expect(masterZones(spec as never, ["ru-msk-a", "ru-msk-b", "ru-msk-c"])).toEqual(zones);
  });

  it("knows images and end of life", () => {
    expect(versionInfo("1.35.3", new Date("2026-11-21"))).toMatchObject({
      minor: "1.35",
      image: "k8s-node-ubuntu-24.04-v1.35.3",
      endOfLifeReached: false,
    });
    expect(versionInfo("1.33.2", new Date("2026-11-21"))?.endOfLifeReached).toBe(true);
    expect(versionInfo("1.99.0")).toBeNull();
  });
});

describe("cost estimate", () => {
  it("prices masters, nodes, disks, the load balancer and the public address", () => {
    const spec = ClusterSpec.parse(withEmulatorDefaults(base));
    const c = estimateCost(spec);
    const h = PRICES.hoursPerMonth;
    const masters = 3 * 0.0444 * h;
    const nodes = 3 * 0.0222 * h;
    const disks = 3 * (20 * 0.2 + 40 * 0.09) + 3 * 50 * 0.09;
    const lb = 0.025 * h;
    const fip = 0.005 * h;
    expect(c.lines.map((l) => l.item)).toEqual([
      "masters",
      "nodes",
      "disks",
      "loadBalancer",
      "publicAddress",
    ]);
    expect(c.perMonth).toBeCloseTo(masters + nodes + disks + lb + fip, 1);
    expect(c.lines.find((l) => l.item === "disks")?.perMonth).toBeCloseTo(disks, 2);
    expect(c.unpriced).toEqual([]);
  });

  it("prices autoscaling at the minimum with the maximum as a ceiling, and a stopped cluster at disks and addresses only", () => {
    const spec = ClusterSpec.parse(
      withEmulatorDefaults({
        ...base,
        apiAccess: { public: false, allowedCidrs: [] },
        nodeGroups: [{ ...base.nodeGroups![0]!, scaling: { mode: "autoscale", min: 1, max: 4 } }],
      }),
    );
    const c = estimateCost(spec);
    expect(c.perMonthAtMax - c.perMonth).toBeCloseTo(3 * 0.0222 * PRICES.hoursPerMonth, 1);
    const stopped = estimateCost(spec, PRICES, { stopped: true });
    expect(stopped.lines.find((l) => l.item === "masters")?.perMonth).toBe(0);
    expect(stopped.perMonth).toBeCloseTo(
      stopped.lines.find((l) => l.item === "disks")!.perMonth + 0.025 * PRICES.hoursPerMonth,
      1,
    );
  });

  it("prices addons' load balancers, addresses and volumes, running or stopped", () => {
    const values = (id: string) => defaultValuesYaml(ADDONS.find((a) => a.id === id)!);
    const spec = ClusterSpec.parse(
      withEmulatorDefaults({
        ...base,
        addons: [
          { id: "metrics-server", version: "3.13.0", values: values("metrics-server") },
          { id: "ingress-nginx", version: "4.13.3", values: values("ingress-nginx") },
          { id: "kube-prometheus-stack", version: "77.12.0", values: values("kube-prometheus-stack") },
        ],
      }),
    );
    const h = PRICES.hoursPerMonth;
    const addons = (0.025 + 0.005) * h + 50 * 0.09;
    for (const stopped of [false, true]) {
      const line = estimateCost(spec, PRICES, { stopped }).lines.find((l) => l.item === "addons")!;
      expect(line.perMonth).toBeCloseTo(addons, 1);
      expect(line.label).toBe(
        "Ingress NGINX load balancer + address, Prometheus Operator + Grafana 50 GB volume",
      );
    }
  });

  it("names what it cannot price", () => {
    expect(
      estimateCost(ClusterSpec.parse(withEmulatorDefaults({ ...base, masterFlavor: "GOLD-1" }))).unpriced,
    ).toEqual(["flavor GOLD-1"]);
  });
});
