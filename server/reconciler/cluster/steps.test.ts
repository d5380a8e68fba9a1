import { withEmulatorDefaults } from "@/server/testing/specs";
import { describe, expect, it } from "vitest";
import type { ClusterSpecInput } from "@/server/contracts/cluster";
import { CheckedClusterSpec as ClusterSpec } from "@/server/domain/cluster-spec-check";
import type { OpenStackCloud } from "@/server/openstack";
import type { LoadBalancer } from "@/server/openstack/loadbalancer";
import type { Observed } from "./observe";
import { emulatorCatalogFixture } from "@/server/testing/emulator-catalog";
import { buildSteps, TerminalError, type Catalog } from "./steps";

/** The plan is pure: it never touches the cloud while deciding. */
const cloud = new Proxy(
  {},
  {
    get: () => {
      throw new Error("the plan must not call the cloud");
    },
  },
) as unknown as OpenStackCloud;
const fixture = emulatorCatalogFixture();
const catalog: Catalog = {
  ...fixture,
  images: fixture.images.map((i) => ({ ...i, id: "img-1" })),
};
/** The plan renders user data only when a server step runs; none runs here. */
const userData = {
  altNames: () => [],
  master: () => {
    throw new Error("the plan must not render user data");
  },
  worker: () => {
    throw new Error("the plan must not render user data");
  },
};
const empty = (): Observed => ({
  externalNetwork: { id: "ext" },
  network: null,
  subnet: null,
  router: null,
  routerInterface: false,
  secGroups: new Map(),
  serverGroups: new Map(),
  ports: new Map(),
  servers: new Map(),
  volumes: new Map(),
  lb: null,
  listener: null,
  pool: null,
  members: [],
  healthMonitor: null,
  floatingIp: null,
  addonLbs: [],
  addonFips: [],
  serviceLbs: [],
  strayServiceFips: [],
  csiVolumes: [],
  appCredential: null,
  duplicates: [],
});
const spec = (over: Partial<ClusterSpecInput> = {}) =>
  ClusterSpec.parse(
    withEmulatorDefaults({
      name: "p",
      topology: "standard",
      masterCount: 3,
      masterFlavor: "STD2-2-4",
      nodeGroups: [{ name: "w", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 2 } }],
      ...over,
    }),
  );
const plan = (s: ReturnType<typeof spec>, o: Observed = empty()) =>
  buildSteps({ cloud, cluster: { id: "c", name: "p", spec: s }, observed: o, catalog, userData });
const firstWave = (steps: ReturnType<typeof plan>) => {
  const done = new Set(steps.filter((x) => x.state === "done").map((x) => x.key));
  return steps
    .filter((x) => x.state === "missing" && x.deps.every((d) => done.has(d)))
    .map((x) => x.key)
    .sort();
};

describe("the plan (intent + observed → steps)", () => {
  it("starts everything without inputs at once on an empty cloud", () => {
    const steps = plan(spec());
    // Everything is missing except the gate that waits for the API's addresses (the masters' certificates name them).
    expect(steps.filter((s) => s.state !== "missing").map((s) => s.key)).toEqual([
      "api-vip",
      "api-addresses",
    ]);
    expect(firstWave(steps)).toEqual(
      [
        "etcd-0",
        "etcd-1",
        "etcd-2",
        "network",
        "router",
        "sg-base",
        "sg-master",
        "sg-masters",
        "sg-minion",
      ].sort(),
    );
    // network ×4, SGs, server group, per master ×4, LB/listener/allowlist/pool/HM, members, FIP + association + VIP and address gates, workers ×2
    expect(steps).toHaveLength(4 + 3 + 1 + 3 * 4 + 5 + 3 + 4 + 2 * 2);
  });

  it("moves to the next wave as resources appear, and waits on what the cloud is still building", () => {
    const o = empty();
    o.network = { id: "n", name: "p-net", tags: [], status: "ACTIVE", external: false, subnetIds: [] };
    o.subnet = {
      id: "s",
      name: "p-subnet",
      tags: [],
      networkId: "n",
      cidr: "10.0.0.0/24",
      gatewayIp: "10.0.0.1",
    };
    o.lb = {
      id: "lb",
      name: "p-api",
      tags: [],
      provisioningStatus: "PENDING_CREATE",
      operatingStatus: "OFFLINE",
      vipAddress: "10.0.0.5",
      vipPortId: "vp",
      vipSubnetId: "s",
    } satisfies LoadBalancer;
    const steps = plan(spec(), o);
    const state = Object.fromEntries(steps.map((s) => [s.key, s.state]));
    expect(state).toMatchObject({ network: "done", subnet: "done", lb: "pending", listener: "missing" });
    expect(firstWave(steps)).not.toContain("listener"); // needs an ACTIVE load balancer
    expect(firstWave(steps)).not.toContain("lb"); // already there
  });

  it("has no floating-IP step for a private API, and no network steps for an existing network", () => {
    expect(plan(spec({ apiAccess: { public: false, allowedCidrs: [] } })).map((s) => s.key)).not.toContain(
      "api-floating-ip",
    );
    const keys = plan(spec({ network: { mode: "existing", networkId: "n0", subnetId: "s0" } })).map(
      (s) => s.key,
    );
    expect(keys).not.toContain("network");
    expect(keys).not.toContain("router-interface");
  });

  it("refuses what no pass could fix: an unknown flavor or a missing node image", () => {
    expect(() => plan(spec({ masterFlavor: "GOLD" }))).toThrow(TerminalError);
    expect(() =>
      buildSteps({
        cloud,
        cluster: { id: "c", name: "p", spec: spec() },
        observed: empty(),
        catalog: { ...catalog, images: [] },
        userData,
      }),
    ).toThrow(/No node image for Kubernetes/);
  });
});
