import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { cloudCatalogs, clusters, operations } from "@/db/schema";
import { makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import type { CloudCatalog } from "@/server/contracts/cloud-catalog";
import { EMULATOR_CLOUD_CONFIG } from "@/server/domain/cloud-catalog";
import { emulatorCatalogFixture } from "@/server/testing/emulator-catalog";
import { smallSpec } from "@/server/testing/specs";
import type { TestCloud } from "@/server/testing/cloud";
import { withTestCloud, withTestDb } from "@/server/testing/suite";
import { freshCatalog, refreshCatalog } from "./catalog";
import { reconcileCluster } from "./cluster/reconcile";

let db: Db;
let t: TestCloud;
withTestDb((d) => (db = d));
withTestCloud((c) => (t = c));

/** What two catalogs of the same cloud share: everything but ids, read time and the cloud's identity. */
function shape(c: CloudCatalog) {
  return {
    ...c,
    cloud: null,
    fetchedAt: null,
    externalNetworkId: c.externalNetworkId ? "set" : null,
    externalNetworks: c.externalNetworks.map((n) => n.name),
    flavors: c.flavors.map(({ id: _id, ...f }) => f),
    volumeTypes: c.volumeTypes.map(({ id: _id, ...v }) => v),
    images: c.images.map(({ id: _id, ...i }) => i),
  };
}

describe("the catalog read from a cloud", () => {
  it("read from a live emulator through the adapter equals the fixture services are tested with", async () => {
    const u = await makeUser(db);
    const read = await refreshCatalog(db, u.personalProjectId, t.cloud, EMULATOR_CLOUD_CONFIG);
    expect(shape(read)).toEqual(shape(emulatorCatalogFixture()));
    expect(read.cloud.projectId).toBe(t.emu.demo.projectId);
    expect(read.problems).toEqual([]);
    expect(await freshCatalog(db, u.personalProjectId)).toEqual(read);
  });

  it("keeps the last catalog and records why when the cloud cannot be read", async () => {
    const u = await makeUser(db);
    const before = await refreshCatalog(db, u.personalProjectId, t.cloud, EMULATOR_CLOUD_CONFIG);
    await t.injectFault({ status: 500, rate: 1, service: "compute" });
    await expect(refreshCatalog(db, u.personalProjectId, t.cloud, EMULATOR_CLOUD_CONFIG)).rejects.toThrow();
    const [row] = await db
      .select()
      .from(cloudCatalogs)
      .where(eq(cloudCatalogs.projectId, u.personalProjectId));
    expect(row?.error).toMatch(/./);
    expect(row?.data).toEqual(before);
  });

  it("Retry marks the catalog stale, so the next pass reads the cloud again", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    const deps = {
      db,
      cloudFor: () => Promise.resolve(t.cloud),
      encryptionKey: TEST_ENCRYPTION_KEY,
      catalogConfigOf: () => Promise.resolve(EMULATOR_CLOUD_CONFIG),
    };
    const c = await u.caller.cluster.create({ projectId, spec: smallSpec("retry-catalog", 1) });
    await reconcileCluster(deps, c.id);
    const first = await freshCatalog(db, projectId);
    expect(first).not.toBeNull();
    // The operation fails for a reason the operator then fixes; the user retries.
    await db
      .update(operations)
      .set({ status: "failed", error: "boom" })
      .where(eq(operations.clusterId, c.id));
    await db.update(clusters).set({ phase: "Error" }).where(eq(clusters.id, c.id));
    await u.caller.cluster.retry({ projectId, clusterId: c.id });
    expect(await freshCatalog(db, projectId)).toBeNull();
    await reconcileCluster(deps, c.id);
    const again = await freshCatalog(db, projectId);
    expect(again).not.toBeNull();
    expect(new Date(again!.fetchedAt).getTime()).toBeGreaterThan(new Date(first!.fetchedAt).getTime());
  });
});
