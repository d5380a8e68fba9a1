import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { cloudQuotas } from "@/db/schema";
import { enqueueQuotaRefresh } from "@/db/jobs";
import type { ServiceContext } from "../context";
import type { ProjectAccess } from "../project/access";

export const QUOTA_STALE_MS = 60_000;
/** A create is checked against quotas read at most this long ago. */
export const QUOTA_TRUSTED_MS = 10 * 60_000;

export async function quotaSnapshot(exec: Executor, projectId: string) {
  const [row] = await exec.select().from(cloudQuotas).where(eq(cloudQuotas.projectId, projectId));
  return row ?? null;
}

/** The last quota reading; asks a worker for a fresh one when it is missing or older than a minute. */
export async function getQuotas({ ctx, project }: { ctx: ServiceContext; project: ProjectAccess }) {
  const row = await quotaSnapshot(ctx.db, project.id);
  const stale = !row || Date.now() - row.fetchedAt.getTime() > QUOTA_STALE_MS;
  if (stale) await enqueueQuotaRefresh(ctx.db, project.id);
  return {
    quotas: row?.data ?? null,
    networks: row?.networks ?? [],
    fetchedAt: row?.fetchedAt ?? null,
    refreshing: stale,
  };
}

/** Ask for a fresh reading now (the user pressed "Check again"). */
export async function requestQuotaRefresh({ ctx, project }: { ctx: ServiceContext; project: ProjectAccess }) {
  await enqueueQuotaRefresh(ctx.db, project.id);
  return { requested: true };
}
