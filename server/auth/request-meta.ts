import { randomUUID } from "node:crypto";
import type { RequestMeta } from "@/server/services/context";

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(h: HeaderSource, name: string): string | undefined {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  const v = h[name] ?? h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Request id and client IP. `x-forwarded-for` is trustworthy here because
 * the console's HTTP server (server/runtime/http-server.ts) overwrites it
 * with the socket address unless TRUST_PROXY says a proxy in front sets it.
 */
export function requestMetaFrom(h: HeaderSource): RequestMeta {
  const forwarded = header(h, "x-forwarded-for");
  const ip = forwarded?.split(",")[0]?.trim() || null;
  const incoming = header(h, "x-request-id");
  const requestId = incoming && /^[\w-]{8,64}$/.test(incoming) ? incoming : randomUUID();
  return { requestId, clientIp: ip ? ip.replace(/^::ffff:/, "") : null };
}
