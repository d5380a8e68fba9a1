import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { cloudCatalogs } from "@/db/schema";
import { enqueueQuotaRefresh } from "@/db/jobs";
import { CloudCatalog } from "@/server/contracts/cloud-catalog";
import type { RequestedClusterSpec } from "@/server/contracts/cluster";
import { catalogPrices, catalogVersions, checkAgainstCatalog } from "@/server/domain/cloud-catalog";
import type { PriceList } from "@/server/domain/cost";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";

/** The catalog is read again in the background when older than this (a create still trusts it). */
export const CATALOG_STALE_MS = 5 * 60_000;

export interface CatalogState {
  catalog: CloudCatalog | null;
  fetchedAt: Date | null;
  /** Why the last read failed (the previous catalog, if any, stays in use). */
  error: string | null;
  refreshing: boolean;
}

/** The project's stored catalog; asks a worker to read the cloud when it is missing, old or marked stale. */
export async function catalogState(exec: Executor, projectId: string): Promise<CatalogState> {
  const [row] = await exec.select().from(cloudCatalogs).where(eq(cloudCatalogs.projectId, projectId));
  const parsed = CloudCatalog.safeParse(row?.data);
  const catalog = parsed.success ? parsed.data : null;
  const refreshing =
    !catalog || !row?.fetchedAt || !!row.staleAt || Date.now() - row.fetchedAt.getTime() > CATALOG_STALE_MS;
  if (refreshing) await enqueueQuotaRefresh(exec, projectId);
  return { catalog, fetchedAt: row?.fetchedAt ?? null, error: row?.error ?? null, refreshing };
}

/** The catalog a spec is checked against; a clear "not read yet" when the worker has not read the cloud. */
export async function requireCatalog(exec: Executor, projectId: string): Promise<CloudCatalog> {
  const s = await catalogState(exec, projectId);
  if (s.catalog) return s.catalog;
  throw new ServiceError(
    "PRECONDITION_FAILED",
    s.error
      ? `The project's cloud could not be read: ${s.error}. Check Project settings → Cloud, then try again`
      : "The project's cloud catalog (zones, flavors, images) is being read for the first time; try again in a few seconds",
    { retryAfterSeconds: 5 },
  );
}

/** Mark the catalog to be read again before it is trusted (Retry, Refresh, a changed binding). */
export async function markCatalogStale(exec: Executor, projectId: string): Promise<void> {
  await exec.update(cloudCatalogs).set({ staleAt: new Date() }).where(eq(cloudCatalogs.projectId, projectId));
  await enqueueQuotaRefresh(exec, projectId);
}

/** The project now uses another cloud: nothing of the old catalog may validate a spec. */
export async function forgetCatalog(exec: Executor, projectId: string): Promise<void> {
  await exec.delete(cloudCatalogs).where(eq(cloudCatalogs.projectId, projectId));
  await enqueueQuotaRefresh(exec, projectId);
}

/** A requested spec with the cloud's defaults where the caller left them out. */
export function withCatalogDefaults(spec: RequestedClusterSpec, c: CloudCatalog): RequestedClusterSpec {
  const versions = catalogVersions(c);
  const masterZone = spec.masterZone ?? c.computeZones[0];
  const etcdType = spec.etcd.volumeType ?? c.etcdVolumeType ?? undefined;
  return {
    ...spec,
    ...(spec.version === undefined && versions.length ? { version: versions.at(-1)! } : {}),
    ...(masterZone ? { masterZone } : {}),
    ...(spec.topology === "regional" && !spec.regionZones ? { regionZones: c.computeZones.slice(0, 5) } : {}),
    etcd: { ...spec.etcd, ...(etcdType ? { volumeType: etcdType } : {}) },
    nodeGroups: spec.nodeGroups.map((g) => ({
      ...g,
      ...(g.diskType === undefined && c.nodeDiskType ? { diskType: c.nodeDiskType } : {}),
    })),
  };
}

/** Field errors (under `prefix`) for every zone, flavor, type or version the cloud does not have. */
export function catalogFieldErrors(
  spec: Parameters<typeof checkAgainstCatalog>[0],
  c: CloudCatalog,
  prefix: string[] = [],
): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const i of checkAgainstCatalog(spec, c))
    (errors[[...prefix, ...i.path].join(".")] ??= []).push(i.message);
  return errors;
}

/** The catalog for the wizard and the project settings, read on the server only from what the worker stored. */
export async function getCloudCatalog({ ctx, project }: { ctx: ServiceContext; project: ProjectAccess }) {
  return catalogState(ctx.db, project.id);
}

/** "Refresh": read the cloud again now. */
export async function refreshCloudCatalog({ ctx, project }: { ctx: ServiceContext; project: ProjectAccess }) {
  await markCatalogStale(ctx.db, project.id);
  return { requested: true };
}

/** The project's prices from its stored catalog (any age); before the first read nothing is priced. */
export async function projectPrices(exec: Executor, projectId: string): Promise<PriceList> {
  const [row] = await exec
    .select({ data: cloudCatalogs.data })
    .from(cloudCatalogs)
    .where(eq(cloudCatalogs.projectId, projectId));
  const parsed = CloudCatalog.safeParse(row?.data);
  if (parsed.success) return catalogPrices(parsed.data);
  return {
    currency: "EUR",
    hoursPerMonth: 730,
    flavors: {},
    volumeTypesPerGbMonth: {},
    loadBalancerPerHour: null,
    floatingIpPerHour: null,
    masterRootDiskGb: 40,
    masterRootDiskType: null,
  };
}
