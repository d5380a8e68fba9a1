import http from "node:http";
import next from "next";
import { sanitizeHeaders } from "./forwarded-headers";

export interface ServeOptions {
  dev: boolean;
  hostname: string;
  port: number;
  /** When false, client-supplied X-Forwarded-For is replaced by the socket address. */
  trustProxy: boolean;
  dir?: string;
}

/**
 * The console's HTTP server: Next.js behind a thin Node server that fixes
 * the two headers the app relies on for audit rows and rate limits — the
 * client IP (`x-forwarded-for`) and a request id (`x-request-id`).
 */
export async function serveConsole(opts: ServeOptions): Promise<http.Server> {
  const app = next({
    dev: opts.dev,
    dir: opts.dir ?? process.cwd(),
    hostname: opts.hostname,
    port: opts.port,
    turbopack: opts.dev,
  });
  await app.prepare();
  const handle = app.getRequestHandler();
  const upgrade = app.getUpgradeHandler();

  const sanitize = (req: http.IncomingMessage) => sanitizeHeaders(req, opts.trustProxy);

  const server = http.createServer((req, res) => {
    sanitize(req);
    handle(req, res).catch((err: unknown) => {
      console.error("[http] unhandled error", err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on("upgrade", (req, socket, head) => {
    sanitize(req);
    upgrade(req, socket, head).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.hostname, () => resolve());
  });
  return server;
}
