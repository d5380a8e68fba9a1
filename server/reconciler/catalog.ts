import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { cloudCatalogs } from "@/db/schema";
import { CloudCatalog } from "@/server/contracts/cloud-catalog";
import { buildCatalog, OperatorCloudConfig, type RawCloud } from "@/server/domain/cloud-catalog";
import type { OpenStackCloud } from "@/server/openstack";

/** A catalog younger than this is used as stored; an older one is read again when a pass needs it. */
export const CATALOG_MAX_AGE_MS = 10 * 60_000;

/** Everything the catalog is made of, read from the cloud's own APIs as the project's credentials see them. */
export async function readCloud(cloud: OpenStackCloud): Promise<RawCloud> {
  const auth = await cloud.session.auth();
  const [computeZones, volumeZones, flavors, volumeTypes, defaultType, images, externals] = await Promise.all(
    [
      cloud.compute.listAvailabilityZones(),
      cloud.blockStorage.listAvailabilityZones(),
      cloud.compute.listFlavors(),
      cloud.blockStorage.listVolumeTypes(),
      cloud.blockStorage.defaultVolumeType(),
      cloud.image.listImages(),
      cloud.network.listNetworks({ external: true }),
    ],
  );
  return {
    cloud: { authUrl: cloud.config.authUrl, region: cloud.config.region ?? null, projectId: auth.projectId },
    computeZones,
    volumeZones,
    flavors,
    volumeTypes: volumeTypes.map((t) => ({ id: t.id, name: t.name, description: t.description || null })),
    defaultVolumeTypeId:
      defaultType?.id ?? volumeTypes.find((t) => t.name === "__DEFAULT__")?.id ?? volumeTypes[0]?.id ?? null,
    images: images.map((i) => ({ id: i.id, name: i.name, status: i.status, properties: i.properties })),
    externalNetworks: externals.map((n) => ({ id: n.id, name: n.name })),
  };
}

/** Read the project's cloud and store its catalog; a failed read keeps the previous catalog and records why. */
export async function refreshCatalog(
  db: Db,
  projectId: string,
  cloud: OpenStackCloud,
  config: OperatorCloudConfig,
  now = new Date(),
): Promise<CloudCatalog> {
  let catalog: CloudCatalog;
  try {
    catalog = buildCatalog(await readCloud(cloud), config, config.prices ?? null, now);
  } catch (e) {
    const error = e instanceof Error ? e.message.slice(0, 500) : String(e);
    await db
      .insert(cloudCatalogs)
      .values({ projectId, error })
      .onConflictDoUpdate({ target: cloudCatalogs.projectId, set: { error } });
    throw e;
  }
  await db
    .insert(cloudCatalogs)
    .values({ projectId, data: catalog, error: null, fetchedAt: now, staleAt: null })
    .onConflictDoUpdate({
      target: cloudCatalogs.projectId,
      set: { data: catalog, error: null, fetchedAt: now, staleAt: null },
    });
  return catalog;
}

/** The stored catalog when it is fresh (read within CATALOG_MAX_AGE_MS and not marked stale); null otherwise. */
export async function freshCatalog(
  db: Db,
  projectId: string,
  now = new Date(),
): Promise<CloudCatalog | null> {
  const [row] = await db.select().from(cloudCatalogs).where(eq(cloudCatalogs.projectId, projectId));
  if (!row?.data || !row.fetchedAt || row.staleAt) return null;
  if (now.getTime() - row.fetchedAt.getTime() > CATALOG_MAX_AGE_MS) return null;
  const parsed = CloudCatalog.safeParse(row.data);
  return parsed.success ? parsed.data : null;
}

/** The stored catalog whatever its age (null when none was ever read). */
export async function storedCatalog(db: Db, projectId: string): Promise<CloudCatalog | null> {
  const [row] = await db.select().from(cloudCatalogs).where(eq(cloudCatalogs.projectId, projectId));
  const parsed = CloudCatalog.safeParse(row?.data);
  return parsed.success ? parsed.data : null;
}

/** What a delete pass uses when no catalog was ever read: deleting finds everything by tag and name. */
export const EMPTY_CATALOG: CloudCatalog = buildCatalog(
  {
    cloud: { authUrl: "", region: null, projectId: "" },
    computeZones: [],
    volumeZones: [],
    flavors: [],
    volumeTypes: [],
    defaultVolumeTypeId: null,
    images: [],
    externalNetworks: [],
  },
  OperatorCloudConfig.parse({}),
  null,
  new Date(0),
);
