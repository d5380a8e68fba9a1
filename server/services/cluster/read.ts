import { and, desc, eq, ilike, inArray, isNull, lt, or, type SQL } from "drizzle-orm";
import { clusterEvents, clusters, operations } from "@/db/schema";
import { clustersAfter } from "@/db/sql";
import type {
  ClusterRef,
  ListClustersInput,
  ListEventsInput,
  ListOperationsInput,
  OperationRef,
} from "@/server/contracts/cluster";
import type { ServiceContext, ProjectCall } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import {
  activeOperations,
  loadCluster,
  operationColumns,
  summaryColumns,
  toSummary,
  toView,
  type ClusterSummary,
  type ClusterView,
  type OperationView,
} from "./view";
import type { PriceList } from "@/server/domain/cost";
import { projectPrices } from "../cloud/catalog";

export async function getCluster({ ctx, project, input }: ProjectCall<ClusterRef>): Promise<ClusterView> {
  const row = await loadCluster(ctx.db, project.id, input.clusterId);
  const ops = await activeOperations(ctx.db, [row.id]);
  return toView(row, ops.get(row.id) ?? null, await projectPrices(ctx.db, project.id));
}

/** The filter and keyset page of a clusters list: newest first, after the cursor's row. */
async function listWhere({ ctx, project, input }: ProjectCall<ListClustersInput>): Promise<SQL | undefined> {
  const where: SQL[] = [eq(clusters.projectId, project.id), isNull(clusters.deletedAt)];
  if (input.search) where.push(ilike(clusters.name, `%${input.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  if (input.phase) where.push(eq(clusters.phase, input.phase as ClusterView["phase"]));
  if (input.cursor) {
    const [cursorAt] = await ctx.db
      .select({ at: clusters.createdAt })
      .from(clusters)
      .where(and(eq(clusters.id, input.cursor), eq(clusters.projectId, project.id)));
    if (cursorAt) {
      where.push(clustersAfter(input.cursor));
    }
  }
  return and(...where);
}

/**
 * The ids of a list page, in order, and whether more follow. Read apart from
 * the rows: ordering whole rows made PostgreSQL fetch every cluster's spec and
 * status out of TOAST to sort them (50 ms for 1,000 clusters), where ordering
 * ids reads the narrow columns only (1 ms).
 */
async function pageIds(call: ProjectCall<ListClustersInput>): Promise<{ ids: string[]; more: boolean }> {
  const rows = await call.ctx.db
    .select({ id: clusters.id })
    .from(clusters)
    .where(await listWhere(call))
    .orderBy(desc(clusters.createdAt), desc(clusters.id))
    .limit(call.input.limit + 1);
  return { ids: rows.slice(0, call.input.limit).map((r) => r.id), more: rows.length > call.input.limit };
}

/** Rows in the order of `ids` (a row deleted between the two reads is left out). */
function inOrder<R extends { id: string }>(ids: string[], rows: R[]): R[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * A page of the list: its ids, the rows `read` returns for them (in order),
 * each turned into an item with its active operation and the project's prices.
 */
async function listPage<R extends { id: string }, T>(
  call: ProjectCall<ListClustersInput>,
  read: (ids: string[]) => Promise<R[]>,
  item: (row: R, op: OperationView | null, prices: PriceList) => T,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const { ctx, project } = call;
  const { ids, more } = await pageIds(call);
  const page = inOrder(ids, ids.length ? await read(ids) : []);
  const [prices, ops] = await Promise.all([
    projectPrices(ctx.db, project.id),
    activeOperations(
      ctx.db,
      page.map((r) => r.id),
    ),
  ]);
  return {
    items: page.map((r) => item(r, ops.get(r.id) ?? null, prices)),
    nextCursor: more ? (ids.at(-1) ?? null) : null,
  };
}

/**
 * The clusters list: a summary per cluster (phase, progress, counts, zones,
 * endpoint, cost), newest first; the cursor is the id of the last row of the
 * previous page.
 */
export function listClusters(
  call: ProjectCall<ListClustersInput>,
): Promise<{ items: ClusterSummary[]; nextCursor: string | null }> {
  const db = call.ctx.db;
  return listPage(
    call,
    (ids) => db.select(summaryColumns).from(clusters).where(inArray(clusters.id, ids)),
    toSummary,
  );
}

/** The same list with every cluster whole (spec, status, conditions), as `getCluster` returns it: the REST API's list. */
export function listClustersDetailed(
  call: ProjectCall<ListClustersInput>,
): Promise<{ items: ClusterView[]; nextCursor: string | null }> {
  const db = call.ctx.db;
  return listPage(call, (ids) => db.select().from(clusters).where(inArray(clusters.id, ids)), toView);
}

type HistoryArgs<I> = { ctx: ServiceContext; project: ProjectAccess; input: I };

/**
 * Whether the cluster belongs to the project, deleted or not: operations and
 * events outlive the row's deletion, so the history stays visible.
 */
async function ownsCluster({ ctx, project, input }: HistoryArgs<ClusterRef>): Promise<boolean> {
  const [owned] = await ctx.db
    .select({ id: clusters.id })
    .from(clusters)
    .where(and(eq(clusters.id, input.clusterId), eq(clusters.projectId, project.id)));
  return Boolean(owned);
}

export async function listOperations(args: HistoryArgs<ListOperationsInput>) {
  if (!(await ownsCluster(args))) return [];
  return args.ctx.db
    .select(operationColumns)
    .from(operations)
    .where(eq(operations.clusterId, args.input.clusterId))
    .orderBy(desc(operations.startedAt))
    .limit(args.input.limit);
}

/** One operation of a cluster of the project; NOT_FOUND otherwise. */
export async function getOperation(args: HistoryArgs<OperationRef>) {
  const [row] = (await ownsCluster(args))
    ? await args.ctx.db
        .select(operationColumns)
        .from(operations)
        .where(and(eq(operations.id, args.input.operationId), eq(operations.clusterId, args.input.clusterId)))
        .limit(1)
    : [];
  if (!row) throw new ServiceError("NOT_FOUND", "Operation not found");
  return row;
}

/** The kinds of object the cluster's events are about (for the Events filter). */
export async function listEventKinds(args: HistoryArgs<ClusterRef>): Promise<string[]> {
  if (!(await ownsCluster(args))) return [];
  const rows = await args.ctx.db
    .selectDistinct({ kind: clusterEvents.objectKind })
    .from(clusterEvents)
    .where(eq(clusterEvents.clusterId, args.input.clusterId))
    .orderBy(clusterEvents.objectKind);
  return rows.map((r) => r.kind);
}

export async function listEvents(args: HistoryArgs<ListEventsInput>) {
  if (!(await ownsCluster(args))) return [];
  const { input } = args;
  const where: SQL[] = [eq(clusterEvents.clusterId, input.clusterId)];
  if (input.type) where.push(eq(clusterEvents.type, input.type));
  if (input.objectKind) where.push(eq(clusterEvents.objectKind, input.objectKind));
  if (input.search) {
    const like = `%${input.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      or(
        ilike(clusterEvents.objectName, like),
        ilike(clusterEvents.reason, like),
        ilike(clusterEvents.message, like),
      )!,
    );
  }
  if (input.cursor) where.push(lt(clusterEvents.id, input.cursor));
  return args.ctx.db
    .select()
    .from(clusterEvents)
    .where(and(...where))
    .orderBy(desc(clusterEvents.id))
    .limit(input.limit);
}
