import { and, desc, eq, gte, ilike, inArray, lt, lte, type SQL } from "drizzle-orm";
import { auditLog, clusters } from "@/db/schema";
import type { AuditEntryView, ListAuditInput } from "@/server/contracts/audit";
import type { ServiceContext } from "../context";

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Newest first, keyset-paginated by id. The caller's role was checked by the procedure. */
export async function listAudit({ ctx, input }: { ctx: ServiceContext; input: ListAuditInput }): Promise<{
  items: AuditEntryView[];
  nextCursor: number | null;
}> {
  const where: SQL[] = [eq(auditLog.projectId, input.projectId)];
  if (input.actor) where.push(ilike(auditLog.actorEmail, `%${escapeLike(input.actor)}%`));
  if (input.action) where.push(ilike(auditLog.action, `${escapeLike(input.action)}%`));
  if (input.outcome) where.push(eq(auditLog.outcome, input.outcome));
  if (input.from) where.push(gte(auditLog.at, input.from));
  if (input.to) where.push(lte(auditLog.at, input.to));
  if (input.cursor) where.push(lt(auditLog.id, input.cursor));

  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(input.limit + 1);

  const page = rows.slice(0, input.limit);
  // Rows that name their cluster by id only (workload actions, failed calls) show its name: a cluster
  // of this project only, so a failed call naming another project's cluster reveals nothing.
  const unnamed = [
    ...new Set(
      page.flatMap((r) =>
        r.targetType === "cluster" && !r.targetLabel && r.targetId && UUID.test(r.targetId)
          ? [r.targetId]
          : [],
      ),
    ),
  ];
  const names = new Map(
    unnamed.length
      ? (
          await ctx.db
            .select({ id: clusters.id, name: clusters.name })
            .from(clusters)
            .where(and(eq(clusters.projectId, input.projectId), inArray(clusters.id, unnamed)))
        ).map((c) => [c.id, c.name])
      : [],
  );
  return {
    items: page.map((r) => ({
      id: r.id,
      at: r.at,
      actorEmail: r.actorEmail,
      action: r.action,
      targetType: r.targetType,
      targetLabel: r.targetLabel ?? (r.targetId ? (names.get(r.targetId) ?? null) : null),
      outcome: r.outcome,
      errorCode: r.errorCode,
      requestId: r.requestId,
      clientIp: r.clientIp,
      details: r.details,
    })),
    nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null,
  };
}
