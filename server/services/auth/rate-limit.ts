import { and, count, eq, gt, inArray, lt, min } from "drizzle-orm";
import type { Db, Executor } from "@/db/client";
import { authAttempts } from "@/db/schema";
import { advisoryXactLock, secondsAgo } from "@/db/sql";
import { setting } from "@/server/env";
import { ServiceError } from "../errors";

export interface Limit {
  max: number;
  windowSeconds: number;
}

/** Sign-ups allowed per client IP per hour: AUTH_SIGNUP_LIMIT_PER_HOUR (server/env.ts), default 10. */
function signUpsPerHour(): number {
  return setting("AUTH_SIGNUP_LIMIT_PER_HOUR");
}

/** Failed sign-ins per email and per client IP; sign-ups per client IP; member additions per account. */
export const LIMITS = {
  signInEmail: { max: 5, windowSeconds: 15 * 60 },
  signInIp: { max: 30, windowSeconds: 15 * 60 },
  get signUpIp(): Limit {
    return { max: signUpsPerHour(), windowSeconds: 60 * 60 };
  },
  /** Members added or invited by one account: whether an email has an account must not be probed in bulk. */
  memberAdd: { max: 30, windowSeconds: 60 * 60 },
} satisfies Record<string, Limit>;

export const keys = {
  signInEmail: (email: string) => `signin-email:${email}`,
  signInIp: (ip: string) => `signin-ip:${ip}`,
  signUpIp: (ip: string) => `signup-ip:${ip}`,
  memberAdd: (userId: string) => `member-add:${userId}`,
};

/** Seconds until the next attempt is allowed, or null when under the limit. */
export async function retryAfter(db: Executor, key: string, limit: Limit): Promise<number | null> {
  const since = secondsAgo(limit.windowSeconds);
  const [row] = await db
    .select({ n: count(), oldest: min(authAttempts.at) })
    .from(authAttempts)
    .where(and(eq(authAttempts.key, key), gt(authAttempts.at, since)));
  if (!row || row.n < limit.max || !row.oldest) return null;
  const freeAt = new Date(row.oldest).getTime() + limit.windowSeconds * 1000;
  return Math.max(1, Math.ceil((freeAt - Date.now()) / 1000));
}

function throwIfWaiting(wait: number, what: string): void {
  if (wait > 0) {
    const minutes = Math.ceil(wait / 60);
    throw new ServiceError(
      "RATE_LIMITED",
      `Too many ${what}. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
      { retryAfterSeconds: wait },
    );
  }
}

/**
 * Counts and records one attempt under every key as one atomic step, before
 * the work it limits (a password check, a sign-up): in one transaction, under
 * an advisory lock per key (taken in key order, so callers cannot deadlock),
 * the attempts in each window are counted and, when every key is under its
 * limit, one is recorded for each. Parallel requests queue on the lock, so at
 * most `max` of them pass in a window, however many arrive at once (checking,
 * then recording after the work, let 40 parallel wrong passwords through a
 * limit of 5). Returns the recorded attempts' ids, for `releaseAttempts` when
 * the attempt turns out not to count (a successful sign-in); throws
 * RATE_LIMITED with the wait otherwise, recording nothing.
 */
export async function reserveAttempt(
  db: Db,
  entries: Array<[string, Limit]>,
  what: string,
): Promise<string[]> {
  if (entries.length === 0) return [];
  const ids = await db.transaction(async (tx) => {
    const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key] of sorted) await tx.execute(advisoryXactLock(key));
    let wait = 0;
    for (const [key, limit] of sorted) wait = Math.max(wait, (await retryAfter(tx, key, limit)) ?? 0);
    throwIfWaiting(wait, what);
    const rows = await tx
      .insert(authAttempts)
      .values(sorted.map(([key]) => ({ key })))
      .returning({ id: authAttempts.id });
    return rows.map((r) => r.id);
  });
  // Keep the table small: nothing older than a day is ever counted.
  await db.delete(authAttempts).where(lt(authAttempts.at, secondsAgo(86_400)));
  return ids;
}

/** Takes back attempts `reserveAttempt` recorded. */
export async function releaseAttempts(db: Executor, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.delete(authAttempts).where(inArray(authAttempts.id, ids));
}

export async function clearAttempts(db: Executor, key: string): Promise<void> {
  await db.delete(authAttempts).where(eq(authAttempts.key, key));
}
