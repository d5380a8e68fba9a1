import { createHash } from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiIdempotency } from "@/db/schema";
import { secondsAgo } from "@/db/sql";

/** Keys are kept a day; a first request that has run longer than this is taken to have died. */
const KEEP_SECONDS = 24 * 3600;
const ABANDONED_SECONDS = 5 * 60;

export type Claim =
  | { state: "new" }
  | { state: "replay"; status: number; response: unknown }
  | { state: "mismatch" }
  | { state: "in-progress" };

/** The request a key stands for: method, path and body, hashed. */
export function requestHash(method: string, path: string, body: string): string {
  return createHash("sha256").update(`${method} ${path}\n${body}`).digest("hex");
}

/**
 * Claims `key` for this request, or says what happened to the first request
 * that used it: its stored answer, a different request (never replayed), or
 * one still running.
 */
export async function claimIdempotencyKey(
  db: Db,
  principal: string,
  key: string,
  hash: string,
): Promise<Claim> {
  await db
    .delete(apiIdempotency)
    .where(
      and(eq(apiIdempotency.principal, principal), lt(apiIdempotency.createdAt, secondsAgo(KEEP_SECONDS))),
    );
  const inserted = await db
    .insert(apiIdempotency)
    .values({ principal, key, requestHash: hash })
    .onConflictDoNothing()
    .returning({ key: apiIdempotency.key });
  if (inserted.length > 0) return { state: "new" };
  const [row] = await db
    .select()
    .from(apiIdempotency)
    .where(and(eq(apiIdempotency.principal, principal), eq(apiIdempotency.key, key)));
  if (!row) return claimIdempotencyKey(db, principal, key, hash);
  if (row.requestHash !== hash) return { state: "mismatch" };
  if (row.status !== null) return { state: "replay", status: row.status, response: row.response };
  // A first request that never finished (its process died): this one takes the key over.
  const taken = await db
    .update(apiIdempotency)
    .set({ createdAt: new Date() })
    .where(
      and(
        eq(apiIdempotency.principal, principal),
        eq(apiIdempotency.key, key),
        lt(apiIdempotency.createdAt, secondsAgo(ABANDONED_SECONDS)),
      ),
    )
    .returning({ key: apiIdempotency.key });
  return taken.length > 0 ? { state: "new" } : { state: "in-progress" };
}

/** Stores the answer a claimed key replays from now on. */
export async function completeIdempotencyKey(
  db: Db,
  principal: string,
  key: string,
  status: number,
  response: unknown,
): Promise<void> {
  await db
    .update(apiIdempotency)
    .set({ status, response })
    .where(and(eq(apiIdempotency.principal, principal), eq(apiIdempotency.key, key)));
}

/** Frees a key whose request failed on our side, so a retry runs again. */
export async function releaseIdempotencyKey(db: Db, principal: string, key: string): Promise<void> {
  await db
    .delete(apiIdempotency)
    .where(and(eq(apiIdempotency.principal, principal), eq(apiIdempotency.key, key)));
}
