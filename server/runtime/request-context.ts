import { getDb } from "@/db/client";
import { currentUserId } from "@/server/auth/session";
import { requestMetaFrom } from "@/server/auth/request-meta";
import { env } from "@/server/env";
import type { Context } from "@/server/api/trpc";
import { authenticateToken, bearerOf } from "@/server/services/tokens/authenticate";

/** The tRPC context for an HTTP request or a server component. */
export async function createRequestContext(headers: Headers): Promise<Context> {
  const meta = requestMetaFrom(headers);
  const userId = await currentUserId();
  return {
    db: getDb(),
    session: userId ? { userId } : null,
    requestId: meta.requestId,
    clientIp: meta.clientIp,
    encryptionKey: env().CONSOLE_ENCRYPTION_KEY,
  };
}

/**
 * The context of a REST API request (/api/v1): no session cookie is read —
 * the API takes only `Authorization: Bearer` tokens, so a browser's cookies
 * can never act through it — and the token is authenticated here.
 */
export async function createApiContext(headers: Headers): Promise<Context> {
  const meta = requestMetaFrom(headers);
  const db = getDb();
  const bearer = bearerOf(headers);
  return {
    db,
    session: null,
    token: bearer === null ? null : await authenticateToken(db, bearer, meta),
    requestId: meta.requestId,
    clientIp: meta.clientIp,
    encryptionKey: env().CONSOLE_ENCRYPTION_KEY,
  };
}
