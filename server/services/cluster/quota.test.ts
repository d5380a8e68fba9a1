import { withEmulatorDefaults } from "@/server/testing/specs";
import { emulatorCatalogFixture } from "@/server/testing/emulator-catalog";
import { count } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { clusters } from "@/db/schema";
import { makeUser } from "@/db/testing";
import { CheckedClusterSpec as ClusterSpec } from "@/server/domain/cluster-spec-check";
import { quotaProblems, requiredResources } from "@/server/domain/quota";
import { refreshQuotas } from "@/server/reconciler/quotas";
import type { TestCloud } from "@/server/testing/cloud";
import { withTestCloud, withTestDb } from "@/server/testing/suite";

let db: Db;
let t: TestCloud;
withTestDb((d) => (db = d));
withTestCloud((c) => (t = c), undefined, "file");

const spec = ClusterSpec.parse(
  withEmulatorDefaults({
    name: "big",
    topology: "standard",
    masterCount: 3,
    masterFlavor: "STD2-4-8",
    nodeGroups: [
      {
        name: "w",
        flavor: "STD3-8-16",
        zone: "ru-msk-a",
        scaling: { mode: "autoscale", min: 2, max: 10 },
        antiAffinity: false,
      },
    ],
  }),
);

describe("quota check", () => {
  it("counts what a cluster needs (autoscaling at its minimum)", () => {
    expect(requiredResources(spec, emulatorCatalogFixture())).toEqual({
      instances: 5,
      cores: 3 * 4 + 2 * 8,
      ram: (3 * 8 + 2 * 16) * 1024,
      volumes: 3 * 2 + 2,
      gigabytes: 3 * (20 + 40) + 2 * 50,
      loadbalancers: 1,
      floatingips: 1,
      security_groups: 3,
      networks: 1,
      routers: 1,
      server_groups: 1,
    });
    expect(
      quotaProblems(
        spec,
        { instances: { limit: 4, used: 1 }, cores: { limit: -1, used: 500 } },
        emulatorCatalogFixture(),
      ),
    ).toEqual([
      {
        resource: "instances",
        required: 5,
        available: 3,
        limit: 4,
        message: "Quota exceeded for instances: this cluster needs 5, 3 of 4 are available",
      },
    ]);
  });

  it("reads the cloud's quotas in the worker, and refuses a create that does not fit, naming the quota and writing nothing", async () => {
    const u = await makeUser(db);
    const first = await u.caller.cloud.quotas({ projectId: u.personalProjectId });
    expect(first).toMatchObject({ quotas: null, refreshing: true });

    // The project's own network is offered to the wizard; a cluster's tagged network is not.
    const own = await t.cloud.network.createNetwork({ name: "corp-net" });
    const ownSubnet = await t.cloud.network.createSubnet({
      name: "corp-subnet",
      networkId: own.id,
      cidr: "10.50.0.0/24",
    });
    const made = await t.cloud.network.createNetwork({
      name: "c-net",
      tags: ["kc-cluster=00000000-0000-4000-8000-000000000000"],
    });
    await t.cloud.network.createSubnet({ name: "c-subnet", networkId: made.id, cidr: "10.60.0.0/24" });
    await t.admin("PUT", `/projects/${t.emu.demo.projectId}/quotas`, { instances: 4, cores: 20 });
    const snapshot = await refreshQuotas(db, u.personalProjectId, t.cloud);
    expect(snapshot).toMatchObject({
      instances: { limit: 4, used: 0 },
      cores: { limit: 20, used: 0 },
      loadbalancers: { limit: 20, used: 0 },
      floatingips: { limit: 30, used: 0 },
    });
    const read = await u.caller.cloud.quotas({ projectId: u.personalProjectId });
    expect(read.quotas).toEqual(snapshot);
    expect(read.networks).toEqual([
      {
        id: own.id,
        name: "corp-net",
        subnets: [{ id: ownSubnet.id, name: "corp-subnet", cidr: "10.50.0.0/24" }],
      },
    ]);

    const err = await u.caller.cluster
      .create({ projectId: u.personalProjectId, spec })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "FORBIDDEN" });
    expect((err as Error).message).toContain(
      "Quota exceeded for instances: this cluster needs 5, 4 of 4 are available",
    );
    expect((err as Error).message).toContain(
      "Quota exceeded for vCPUs: this cluster needs 28, 20 of 20 are available",
    );
    expect((await db.select({ n: count() }).from(clusters))[0]?.n).toBe(0);

    // A smaller cluster fits.
    const small = await u.caller.cluster.create({
      projectId: u.personalProjectId,
      spec: { ...spec, name: "small", nodeGroups: [] },
    });
    expect(small.name).toBe("small");
  });
});
