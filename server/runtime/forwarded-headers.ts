import { randomUUID } from "node:crypto";
import type http from "node:http";

/**
 * What the app reads from the forwarding headers is the proxy's only when
 * TRUST_PROXY says one sets them: otherwise the client IP is the socket's,
 * the request id is new, and the client's X-Forwarded-Host/-Proto/-Port are
 * dropped (Next.js sets them again from the request itself).
 */
export function sanitizeHeaders(
  req: Pick<http.IncomingMessage, "headers"> & { socket: { remoteAddress?: string } },
  trustProxy: boolean,
): void {
  if (!trustProxy || !req.headers["x-forwarded-for"]) {
    req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
  }
  const incoming = req.headers["x-request-id"];
  if (!trustProxy || typeof incoming !== "string" || !/^[\w-]{8,64}$/.test(incoming)) {
    req.headers["x-request-id"] = randomUUID();
  }
  if (!trustProxy) {
    delete req.headers["x-forwarded-host"];
    delete req.headers["x-forwarded-proto"];
    delete req.headers["x-forwarded-port"];
  }
}
