import { getDb } from "@/db/client";
import { currentUserId } from "@/server/auth/session";
import { requestMetaFrom } from "@/server/auth/request-meta";
import { env } from "@/server/env";
import type { Context } from "@/server/api/trpc";

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
