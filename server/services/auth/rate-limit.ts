import { and, count, eq, gt, lt, min } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { authAttempts } from "@/db/schema";
import { secondsAgo } from "@/db/sql";
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

/** Failed sign-ins per email and per client IP; sign-ups per client IP. */
export const LIMITS = {
  signInEmail: { max: 5, windowSeconds: 15 * 60 },
  signInIp: { max: 30, windowSeconds: 15 * 60 },
  get signUpIp(): Limit {
    return { max: signUpsPerHour(), windowSeconds: 60 * 60 };
  },
} satisfies Record<string, Limit>;

export const keys = {
  signInEmail: (email: string) => `signin-email:${email}`,
  signInIp: (ip: string) => `signin-ip:${ip}`,
  signUpIp: (ip: string) => `signup-ip:${ip}`,
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

export async function enforce(db: Executor, entries: Array<[string, Limit]>, what: string): Promise<void> {
  let wait = 0;
  for (const [key, limit] of entries) wait = Math.max(wait, (await retryAfter(db, key, limit)) ?? 0);
  if (wait > 0) {
    const minutes = Math.ceil(wait / 60);
    throw new ServiceError(
      "RATE_LIMITED",
      `Too many ${what}. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
      { retryAfterSeconds: wait },
    );
  }
}

export async function recordAttempt(db: Executor, ...attemptKeys: string[]): Promise<void> {
  if (attemptKeys.length === 0) return;
  await db.insert(authAttempts).values(attemptKeys.map((key) => ({ key })));
  // Keep the table small: nothing older than a day is ever counted.
  await db.delete(authAttempts).where(lt(authAttempts.at, secondsAgo(86_400)));
}

export async function clearAttempts(db: Executor, key: string): Promise<void> {
  await db.delete(authAttempts).where(eq(authAttempts.key, key));
}
