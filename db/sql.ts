import { sql, type AnyColumn, type SQL } from "drizzle-orm";
import { clusters } from "./schema";

/**
 * The SQL fragments services use in drizzle queries: raw SQL lives in db/
 * (and server/metrics/), never in the layers above.
 */

/** `now() - <seconds>`, on the database's clock. */
export function secondsAgo(seconds: number): SQL {
  return sql`now() - make_interval(secs => ${seconds})`;
}

/**
 * Clusters listed after `cursor` (newest first): keyset on (created_at, id),
 * compared by PostgreSQL at full (microsecond) precision — a timestamp carried
 * through JavaScript would lose the microseconds and skip or repeat rows.
 */
export function clustersAfter(cursor: string): SQL {
  return sql`(${clusters.createdAt}, ${clusters.id}) < ((SELECT created_at FROM clusters WHERE id = ${cursor}), ${cursor}::uuid)`;
}

/**
 * Waits for, and holds until the transaction ends, PostgreSQL's advisory lock
 * for `key` (e.g. a rate-limit key): callers of the same key go one at a time.
 */
export function advisoryXactLock(key: string): SQL {
  return sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}

/** The start of the current minute, on the database's clock (API rate windows). */
export function currentMinute(): SQL {
  return sql`date_trunc('minute', now())`;
}

/** Seconds until the minute that began at `windowStart` ends. */
export function secondsUntilMinuteEnds(windowStart: SQL | AnyColumn): SQL<number> {
  return sql<number>`ceil(extract(epoch from (${windowStart} + interval '1 minute' - now())))::int`;
}

/** `column + 1`, for counters updated in place. */
export function increment(column: AnyColumn): SQL {
  return sql`${column} + 1`;
}

/**
 * A cluster's new phase only while the intent a reconciler pass worked from
 * still stands (same power, generation and deletion request); otherwise the
 * phase the user's newer change set ("Stopping") is kept.
 */
export function phaseIfIntentStands(
  phase: string,
  intent: { power: string; generation: number; deletionRequested: boolean },
): SQL {
  return sql`case when ${clusters.power} = ${intent.power} and ${clusters.generation} = ${intent.generation}
    and (${clusters.deletionRequestedAt} is not null) = ${intent.deletionRequested}
    then ${phase} else ${clusters.phase} end`;
}

/** A jsonb column without some of its top-level keys (`column - keys`): a read that leaves heavy parts behind. */
export function jsonbWithout(column: AnyColumn, keys: string[]): SQL<unknown> {
  return keys.reduce<SQL<unknown>>((acc, key) => sql`${acc} - ${key}::text`, sql`${column}`);
}
