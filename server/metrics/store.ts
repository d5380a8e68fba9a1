import { and, asc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { clusterEvents, metricRollups, metricSamples } from "@/db/schema";
import { NODE_STATES } from "./panels";

/**
 * Metric samples in PostgreSQL: written once a minute per series, read
 * downsampled in SQL so a panel over any range gets at most `maxPoints`
 * buckets per series, each with the min, max and mean of the raw samples
 * in it (the envelope survives: a one-minute spike in a 7-day range still
 * shows as the bucket's max).
 */

export const SAMPLE_INTERVAL_S = 60;
export const MAX_POINTS = 1_000;
/** How long samples are kept. */
export const RETENTION_MS = 8 * 86_400_000;

/** Bucket widths a chart reads well at; the smallest that keeps a range within `maxPoints`. */
const STEPS_S = [60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 604_800];
/** The rollup width; every step from it up is a multiple of it, so buckets are made of whole rollups. */
export const ROLLUP_S = 900;

export function stepFor(fromMs: number, toMs: number, maxPoints = MAX_POINTS): number {
  const span = Math.max(1, (toMs - fromMs) / 1000);
  // Buckets start on multiples of the step, so a range not aligned to it can touch one bucket more.
  const min = span / (maxPoints - 1);
  return STEPS_S.find((s) => s >= min && s >= SAMPLE_INTERVAL_S) ?? Math.ceil(min);
}

export interface Sample {
  clusterId: string;
  series: string;
  at: Date;
  value: number;
}

/** Store samples (a repeat for the same series and minute replaces the value). */
export async function recordSamples(db: Executor, samples: Sample[]): Promise<void> {
  // One row per series and time: the last value given wins (one INSERT cannot update a row twice).
  const unique = [
    ...new Map(samples.map((s) => [`${s.clusterId}|${s.series}|${s.at.getTime()}`, s])).values(),
  ];
  for (let i = 0; i < unique.length; i += 5_000)
    await db
      .insert(metricSamples)
      .values(unique.slice(i, i + 5_000))
      .onConflictDoUpdate({
        target: [metricSamples.clusterId, metricSamples.series, metricSamples.at],
        set: { value: sql`excluded.value` },
      });
  // Recompute the 15-minute rollups these samples fall in, from the samples themselves (a repeat stays exact).
  const byCluster = new Map<string, { series: Set<string>; from: number; to: number }>();
  for (const s of unique) {
    const b = byCluster.get(s.clusterId) ?? { series: new Set(), from: Infinity, to: -Infinity };
    b.series.add(s.series);
    b.from = Math.min(b.from, s.at.getTime());
    b.to = Math.max(b.to, s.at.getTime());
    byCluster.set(s.clusterId, b);
  }
  for (const [clusterId, b] of byCluster)
    await rebuildRollups(db, {
      clusterId,
      series: [...b.series],
      from: new Date(b.from),
      to: new Date(b.to + 1),
    });
}

const align = (ms: number, stepS: number) => Math.floor(ms / (stepS * 1000)) * stepS * 1000;
const inList = (names: string[]) =>
  names.length
    ? sql`series IN (${sql.join(
        names.map((n) => sql`${n}`),
        sql`, `,
      )})`
    : sql`true`;

/** Recompute the rollups of the buckets between `from` and `to` (all series, or the named ones) from the samples. */
export async function rebuildRollups(
  db: Executor,
  r: { clusterId: string; series?: string[]; from: Date; to: Date },
): Promise<void> {
  const from = new Date(align(r.from.getTime(), ROLLUP_S)).toISOString();
  const to = new Date(align(r.to.getTime() - 1, ROLLUP_S) + ROLLUP_S * 1000).toISOString();
  await db.execute(sql`
    INSERT INTO ${metricRollups} (cluster_id, series, bucket, min, max, sum, count)
    SELECT cluster_id, series, date_bin(make_interval(secs => ${ROLLUP_S}), at, 'epoch'::timestamptz),
           min(value), max(value), sum(value), count(*)
      FROM ${metricSamples}
     WHERE cluster_id = ${r.clusterId} AND ${inList(r.series ?? [])}
       AND at >= ${from}::timestamptz AND at < ${to}::timestamptz
     GROUP BY 1, 2, 3
    ON CONFLICT (cluster_id, series, bucket) DO UPDATE
       SET min = excluded.min, max = excluded.max, sum = excluded.sum, count = excluded.count`);
}

/** One bucket: start (ms since the epoch), min, max and mean — a tuple, to keep what the browser gets small. */
export type Point = [t: number, min: number, max: number, avg: number];

/**
 * The series of a cluster between `from` and `to`, downsampled to at most
 * `maxPoints` buckets each. `series` lists exact names (index seeks: the
 * panels know their series from the spec); `like` adds every series
 * matching an SQL LIKE pattern (`series` is COLLATE "C", so a prefix
 * pattern such as `nodes.%` is an index range).
 */
export async function queryRange(
  db: Executor,
  q: {
    clusterId: string;
    series?: string[];
    like?: string;
    from: Date;
    to: Date;
    maxPoints?: number;
    /** Read the raw samples even where rollups would do (tests compare the two). */
    raw?: boolean;
  },
): Promise<{ stepS: number; series: Record<string, Point[]> }> {
  const stepS = stepFor(q.from.getTime(), q.to.getTime(), q.maxPoints);
  // Buckets start on multiples of the step, so they are made of whole rollups and stay put as time moves on.
  const fromMs = align(q.from.getTime(), stepS);
  const names = q.series ?? [];
  const exact = names.length ? inList(names) : sql`false`;
  const match = q.like ? sql`(${exact} OR series LIKE ${q.like})` : exact;
  const from = new Date(fromMs).toISOString();
  const to = q.to.toISOString();
  const bin = (col: "at" | "bucket") =>
    sql`date_bin(make_interval(secs => ${stepS}), ${sql.raw(col)}, 'epoch'::timestamptz)`;
  const rows = await db.execute<{ series: string; t: string; min: number; max: number; avg: number }>(
    stepS >= ROLLUP_S && !q.raw
      ? sql`
    SELECT series, ${bin("bucket")} AS t, min(min) AS min, max(max) AS max, sum(sum) / sum(count) AS avg
      FROM ${metricRollups}
     WHERE cluster_id = ${q.clusterId} AND ${match}
       AND bucket >= ${from}::timestamptz AND bucket < ${to}::timestamptz
     GROUP BY 1, 2
     ORDER BY 1, 2`
      : sql`
    SELECT series, ${bin("at")} AS t, min(value) AS min, max(value) AS max, avg(value) AS avg
      FROM ${metricSamples}
     WHERE cluster_id = ${q.clusterId} AND ${match}
       AND at >= ${from}::timestamptz AND at < ${to}::timestamptz
     GROUP BY 1, 2
     ORDER BY 1, 2`,
  );
  const out: Record<string, Point[]> = {};
  for (const r of rows.rows) {
    (out[r.series] ??= []).push([
      new Date(r.t).getTime(),
      Number(r.min),
      Number(r.max),
      // Four significant digits are all a chart shows; fewer bytes to the browser.
      Number(Number(r.avg).toPrecision(4)),
    ]);
  }
  return { stepS, series: out };
}

/** Drop samples older than the retention period; returns how many went. */
export async function pruneSamples(db: Executor, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - RETENTION_MS);
  const r = await db.delete(metricSamples).where(lt(metricSamples.at, before));
  await db.delete(metricRollups).where(lt(metricRollups.bucket, new Date(align(before.getTime(), ROLLUP_S))));
  return r.rowCount ?? 0;
}

/**
 * The node state changes the reconciler recorded as events: each node's
 * last state before `from`, and every change between `from` and `to`.
 */
export async function nodeStateChanges(db: Executor, q: { clusterId: string; from: Date; to: Date }) {
  const states = [...NODE_STATES, "Terminated"];
  const before = await db.execute<{ name: string; reason: string }>(sql`
    SELECT DISTINCT ON (object_name) object_name AS name, reason
      FROM ${clusterEvents}
     WHERE cluster_id = ${q.clusterId} AND object_kind = 'Node' AND at < ${q.from.toISOString()}::timestamptz
       AND reason IN (${sql.join(
         states.map((s) => sql`${s}`),
         sql`, `,
       )})
     ORDER BY object_name, at DESC`);
  const changes = await db
    .select({ at: clusterEvents.at, name: clusterEvents.objectName, reason: clusterEvents.reason })
    .from(clusterEvents)
    .where(
      and(
        eq(clusterEvents.clusterId, q.clusterId),
        eq(clusterEvents.objectKind, "Node"),
        gte(clusterEvents.at, q.from),
        lt(clusterEvents.at, q.to),
        inArray(clusterEvents.reason, states),
      ),
    )
    .orderBy(asc(clusterEvents.at))
    .limit(5_000);
  return { before: before.rows, changes };
}
