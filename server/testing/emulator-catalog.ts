import type { Db } from "@/db/client";
import { cloudCatalogs } from "@/db/schema";
import type { CloudCatalog } from "@/server/contracts/cloud-catalog";
import { buildCatalog, EMULATOR_CLOUD_CONFIG } from "@/server/domain/cloud-catalog";
import { externalNetwork, seedState, ZONES } from "@/server/emulator/state";

/**
 * The catalog the built-in emulator's seed serves, built by the same
 * function the worker uses (server/reconciler/catalog.test.ts checks it
 * against a live emulator). Its ids are the seed's own, not a running
 * emulator's, so it is stored as never fetched: services validate against
 * it, and a reconcile pass reads the real one from its emulator.
 */
export function emulatorCatalogFixture(): CloudCatalog {
  const s = seedState();
  const ext = externalNetwork(s).network;
  return buildCatalog(
    {
      cloud: { authUrl: "http://127.0.0.1/identity/v3", region: "RegionOne", projectId: "" },
      computeZones: ZONES.map((name) => ({ name, available: true })),
      volumeZones: ZONES.map((name) => ({ name, available: true })),
      flavors: s.flavors.map((f) => ({
        id: f.id,
        name: f.name,
        vcpus: f.vcpus,
        ramMb: f.ram,
        diskGb: f.disk,
        ephemeralGb: 0,
        isPublic: true,
        extraSpecs: f.extraSpecs,
      })),
      volumeTypes: s.volumeTypes.map((t) => ({ id: t.id, name: t.name, description: t.description })),
      defaultVolumeTypeId: s.volumeTypes[0]?.id ?? null,
      images: s.images.map((i) => ({ id: i.id, name: i.name, status: "active", properties: i.properties })),
      externalNetworks: [{ id: ext.id, name: ext.name }],
    },
    EMULATOR_CLOUD_CONFIG,
    EMULATOR_CLOUD_CONFIG.prices ?? null,
    new Date(),
  );
}

/** Give a project the emulator's catalog, as if the worker had read it once (and must read it again). */
export async function seedTestCatalog(db: Db, projectId: string): Promise<void> {
  const data = emulatorCatalogFixture();
  await db
    .insert(cloudCatalogs)
    .values({ projectId, data, fetchedAt: null })
    .onConflictDoUpdate({ target: cloudCatalogs.projectId, set: { data, fetchedAt: null } });
}

/** The emulator's catalog configuration, as ReconcileDeps.catalogConfigOf (tests against an emulator). */
export const emulatorCatalogConfig = () => Promise.resolve(EMULATOR_CLOUD_CONFIG);
