import { lt, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { metricSamples } from "@/db/schema";

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
const STEPS_S = [60, 120, 300, 600, 900, 1_200, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 604_800];

export function stepFor(fromMs: number, toMs: number, maxPoints = MAX_POINTS): number {
  const span = Math.max(1, (toMs - fromMs) / 1000);
  const min = span / maxPoints;
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
  q: { clusterId: string; series?: string[]; like?: string; from: Date; to: Date; maxPoints?: number },
): Promise<{ stepS: number; series: Record<string, Point[]> }> {
  const stepS = stepFor(q.from.getTime(), q.to.getTime(), q.maxPoints);
  const names = q.series ?? [];
  const exact = names.length
    ? sql`${metricSamples.series} IN (${sql.join(
        names.map((n) => sql`${n}`),
        sql`, `,
      )})`
    : sql`false`;
  const match = q.like ? sql`(${exact} OR ${metricSamples.series} LIKE ${q.like})` : exact;
  const from = q.from.toISOString();
  const rows = await db.execute<{ series: string; t: string; min: number; max: number; avg: number }>(sql`
    SELECT ${metricSamples.series} AS series,
           date_bin(make_interval(secs => ${stepS}), ${metricSamples.at}, ${from}::timestamptz) AS t,
           min(${metricSamples.value}) AS min,
           max(${metricSamples.value}) AS max,
           avg(${metricSamples.value}) AS avg
      FROM ${metricSamples}
     WHERE ${metricSamples.clusterId} = ${q.clusterId}
       AND ${match}
       AND ${metricSamples.at} >= ${from}::timestamptz
       AND ${metricSamples.at} < ${q.to.toISOString()}::timestamptz
     GROUP BY 1, 2
     ORDER BY 1, 2`);
  const out: Record<string, Point[]> = {};
  for (const r of rows.rows) {
    (out[r.series] ??= []).push([
      new Date(r.t).getTime(),
      Number(r.min),
      Number(r.max),
      Math.round(Number(r.avg) * 1000) / 1000,
    ]);
  }
  return { stepS, series: out };
}

/** Drop samples older than the retention period; returns how many went. */
export async function pruneSamples(db: Executor, now = new Date()): Promise<number> {
  const r = await db
    .delete(metricSamples)
    .where(lt(metricSamples.at, new Date(now.getTime() - RETENTION_MS)));
  return r.rowCount ?? 0;
}
