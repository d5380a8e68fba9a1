import type { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { cloudCatalogs, clusters } from "@/db/schema";
import { makeUser } from "@/db/testing";
import { seedTestCatalog } from "@/server/testing/emulator-catalog";
import { smallSpec } from "@/server/testing/specs";
import { withTestDb } from "@/server/testing/suite";

let db: Db;
withTestDb((d) => (db = d));

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as TRPCError & { cause?: { extra?: { fieldErrors?: Record<string, string[]> } } },
  );

const binding = (projectId: string, authUrl = "https://keystone.example.com:5000/v3") => ({
  projectId,
  authUrl,
  region: "RegionOne",
  auth: { type: "application_credential" as const, applicationCredentialId: "ac-1", secret: "s3cret-value" },
});

describe("specs are checked against the project's cloud catalog", () => {
  it("refuses zones, flavors and volume types the cloud does not have, naming what it has", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    const err = await errorOf(
      u.caller.cluster.create({
        projectId,
        spec: smallSpec("bad-names", 1, {
          masterZone: "GZ1",
          etcd: { volumeType: "nvme", sizeGb: 10 },
          nodeGroups: [{ name: "web", flavor: "m1.small", zone: "MS1", scaling: { mode: "fixed", size: 1 } }],
        }),
      }),
    );
    expect(err?.code).toBe("BAD_REQUEST");
    expect(err?.cause?.extra?.fieldErrors).toEqual({
      "spec.masterZone": ["Zone 'GZ1' does not exist in this cloud; its zones: ru-msk-a, ru-msk-b, ru-msk-c"],
      "spec.etcd.volumeType": [
        "Volume type 'nvme' does not exist in this cloud; its types: ceph-hdd, ceph-ssd, high-iops",
      ],
      "spec.nodeGroups.0.flavor": [
        expect.stringMatching(/^Flavor 'm1.small' does not exist in this cloud; choose one of STD2-1-2/),
      ],
      "spec.nodeGroups.0.zone": [
        "Zone 'MS1' does not exist in this cloud; its zones: ru-msk-a, ru-msk-b, ru-msk-c",
      ],
    });
    expect((await u.caller.cluster.list({ projectId })).items).toEqual([]);
  });

  it("fills what a caller leaves out from the cloud: version, zone, volume types, a regional cluster's zones", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    const c = await u.caller.cluster.create({
      projectId,
      spec: {
        name: "defaults",
        topology: "regional",
        masterCount: 3,
        masterFlavor: "STD2-2-4",
        nodeGroups: [
          { name: "web", flavor: "STD2-2-4", zone: "ru-msk-b", scaling: { mode: "fixed", size: 1 } },
        ],
      },
    });
    expect(c.spec).toMatchObject({
      version: "1.36.1",
      masterZone: "ru-msk-a",
      regionZones: ["ru-msk-a", "ru-msk-b", "ru-msk-c"],
      etcd: { volumeType: "high-iops" },
      nodeGroups: [{ diskType: "ceph-ssd" }],
    });
  });

  it("says the catalog is being read before the worker first read it, and changes nothing", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    await db.delete(cloudCatalogs).where(eq(cloudCatalogs.projectId, projectId));
    const err = await errorOf(u.caller.cluster.create({ projectId, spec: smallSpec("early", 1) }));
    expect(err?.code).toBe("PRECONDITION_FAILED");
    expect(err?.message).toMatch(/being read for the first time; try again in a few seconds/);
    expect((await u.caller.cluster.list({ projectId })).items).toEqual([]);
    const catalog = await u.caller.catalog.get({ projectId });
    expect(catalog.cloud).toMatchObject({ ready: false, refreshing: true });
    expect(catalog.versions).toEqual([]);
  });
});

describe("a project's clusters are pinned to its cloud", () => {
  it("refuses moving the project to another cloud while it has clusters, allows it once they are gone", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    const c = await u.caller.cluster.create({ projectId, spec: smallSpec("pinned", 1) });
    const err = await errorOf(u.caller.cloud.set(binding(projectId)));
    expect(err?.code).toBe("PRECONDITION_FAILED");
    expect(err?.message).toMatch(
      /Cannot move this project to another cloud while it has clusters \(pinned\)/,
    );
    expect((await u.caller.cloud.get({ projectId })).mode).toBe("emulator");
    // Once the cluster is gone (the reconciler marks it deleted), the move is allowed, and the old catalog is forgotten.
    await u.caller.cluster.delete({ projectId, clusterId: c.id, confirmName: "pinned" });
    await db.update(clusters).set({ deletedAt: new Date() }).where(eq(clusters.id, c.id));
    await u.caller.cloud.set(binding(projectId));
    expect(await db.select().from(cloudCatalogs).where(eq(cloudCatalogs.projectId, projectId))).toEqual([]);
  });

  it("allows new credentials for the same cloud project under live clusters", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    await u.caller.cloud.set(binding(projectId));
    await seedTestCatalog(db, projectId);
    await u.caller.cluster.create({ projectId, spec: smallSpec("rotate", 1) });
    await u.caller.cloud.set({
      ...binding(projectId),
      auth: { type: "application_credential", applicationCredentialId: "ac-2", secret: "n3w-secret-value" },
    });
    const err = await errorOf(u.caller.cloud.set(binding(projectId, "https://other.example.com:5000/v3")));
    expect(err?.code).toBe("PRECONDITION_FAILED");
    expect((await errorOf(u.caller.cloud.clear({ projectId })))?.message).toMatch(
      /Cannot move this project back to the built-in emulator while it has clusters/,
    );
  });
});
