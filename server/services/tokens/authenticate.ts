import { and, eq, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiRateWindows, apiTokenAddresses, apiTokens, serviceAccounts, users } from "@/db/schema";
import { currentMinute, increment, secondsAgo, secondsUntilMinuteEnds } from "@/db/sql";
import type { ProjectRole } from "@/server/contracts/project";
import { hashToken, parseToken } from "@/server/domain/api-token";
import { setting } from "@/server/env";
import { log } from "@/server/log";
import { recordAudit } from "../audit/record";
import type { RequestMeta } from "../context";

/** Who an API token acts as. Authorization stays in the procedure builders (server/api/trpc.ts). */
export interface TokenPrincipal {
  tokenId: string;
  kind: "personal" | "service_account";
  name: string;
  prefix: string;
  /** The user row it acts as: the owner of a personal token, the service account's own row. */
  userId: string;
  email: string;
  /** Personal tokens: the projects they may reach and the highest role they may use. */
  projectIds: string[] | null;
  maxRole: ProjectRole | null;
  /** Service-account tokens: the account's project. */
  serviceAccountProjectId: string | null;
}

export type TokenAuth =
  | { ok: true; principal: TokenPrincipal }
  | { ok: false; status: 401 | 429; message: string; retryAfterSeconds?: number };

const REFUSED = "This API token is not valid: it is unknown, expired or revoked";

/** The bearer token of an `Authorization` header, or null when there is none. */
export function bearerOf(headers: Headers): string | null {
  const h = headers.get("authorization");
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : "";
}

/**
 * Verifies a presented token (shape and checksum, then the hash), counts the
 * request against the token's per-minute limit, and records where it was
 * used — the first use from a new address is audited. Never logs the secret.
 */
export async function authenticateToken(db: Db, secret: string, meta: RequestMeta): Promise<TokenAuth> {
  const kind = parseToken(secret);
  if (!kind) return { ok: false, status: 401, message: REFUSED };
  const [row] = await db
    .select({
      id: apiTokens.id,
      kind: apiTokens.kind,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      userId: apiTokens.userId,
      email: users.email,
      userKind: users.kind,
      projectIds: apiTokens.projectIds,
      maxRole: apiTokens.maxRole,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      lastUsedAt: apiTokens.lastUsedAt,
      lastUsedIp: apiTokens.lastUsedIp,
      saProjectId: serviceAccounts.projectId,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .leftJoin(serviceAccounts, eq(serviceAccounts.id, apiTokens.serviceAccountId))
    .where(eq(apiTokens.secretHash, hashToken(secret)))
    .limit(1);
  if (!row || row.kind !== kind || row.revokedAt || row.expiresAt.getTime() <= Date.now())
    return { ok: false, status: 401, message: REFUSED };
  if (kind === "service_account" && (row.userKind !== "service_account" || !row.saProjectId))
    return { ok: false, status: 401, message: REFUSED };

  const limit = setting("API_RATE_LIMIT_PER_MINUTE");
  const [w] = await db
    .insert(apiRateWindows)
    .values({ tokenId: row.id, windowStart: currentMinute(), count: 1 })
    .onConflictDoUpdate({
      target: [apiRateWindows.tokenId, apiRateWindows.windowStart],
      set: { count: increment(apiRateWindows.count) },
    })
    .returning({ count: apiRateWindows.count, resetIn: secondsUntilMinuteEnds(apiRateWindows.windowStart) });
  if (w?.count === 1) {
    // A new minute for this token: drop its windows older than an hour.
    await db
      .delete(apiRateWindows)
      .where(and(eq(apiRateWindows.tokenId, row.id), lt(apiRateWindows.windowStart, secondsAgo(3600))));
  }
  if (w && w.count > limit) {
    const wait = Math.max(1, w.resetIn);
    return {
      ok: false,
      status: 429,
      message: `This token made more than ${limit} requests this minute; try again in ${wait} s`,
      retryAfterSeconds: wait,
    };
  }

  const principal: TokenPrincipal = {
    tokenId: row.id,
    kind,
    name: row.name,
    prefix: row.prefix,
    userId: row.userId,
    email: row.email,
    projectIds: row.projectIds,
    maxRole: row.maxRole,
    serviceAccountProjectId: row.saProjectId,
  };
  await noteUse(db, principal, row, meta).catch((err: unknown) =>
    log.warn("could not record API token use", { credentialId: row.id, error: String(err) }),
  );
  return { ok: true, principal };
}

/** Last use (at most once a minute per address), and an audit row on the first use from a new address. */
async function noteUse(
  db: Db,
  p: TokenPrincipal,
  row: { lastUsedAt: Date | null; lastUsedIp: string | null },
  meta: RequestMeta,
): Promise<void> {
  const ip = meta.clientIp ?? "unknown";
  const fresh = row.lastUsedAt && Date.now() - row.lastUsedAt.getTime() < 60_000 && row.lastUsedIp === ip;
  if (fresh) return;
  await db.transaction(async (tx) => {
    await tx
      .update(apiTokens)
      .set({ lastUsedAt: new Date(), lastUsedIp: ip })
      .where(eq(apiTokens.id, p.tokenId));
    const added = await tx
      .insert(apiTokenAddresses)
      .values({ tokenId: p.tokenId, ip })
      .onConflictDoNothing()
      .returning({ ip: apiTokenAddresses.ip });
    if (added.length > 0) {
      await recordAudit(
        tx,
        { ...meta, actor: { userId: p.userId, email: p.email, token: { id: p.tokenId, prefix: p.prefix } } },
        {
          action: "token.firstUseFromAddress",
          outcome: "success",
          projectId: p.serviceAccountProjectId,
          targetType: "api_token",
          targetId: p.tokenId,
          targetLabel: p.name,
          details: { address: ip },
        },
      );
    }
  });
}
