import http from "node:http";
import type { Socket } from "node:net";
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

export interface ConsoleServer {
  server: http.Server;
  /**
   * Stops accepting connections, drops idle keep-alive ones and WebSockets,
   * lets requests in flight finish for up to `graceMs`, then drops every
   * connection left and shuts Next.js down (in dev: its bundler).
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * The console's HTTP server: Next.js behind a thin Node server that fixes
 * the two headers the app relies on for audit rows and rate limits — the
 * client IP (`x-forwarded-for`) and a request id (`x-request-id`).
 */
export async function serveConsole(opts: ServeOptions): Promise<ConsoleServer> {
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
  // WebSockets (the dev server's hot reload): never "finishing", dropped at once on close.
  const upgraded = new Set<Socket>();
  server.on("upgrade", (req, socket: Socket, head) => {
    upgraded.add(socket);
    socket.once("close", () => upgraded.delete(socket));
    sanitize(req);
    upgrade(req, socket, head).catch(() => socket.destroy());
  });
  // Every socket, upgraded ones included (server.closeAllConnections() knows only HTTP ones).
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.hostname, () => resolve());
  });

  const close = async (graceMs = 3_000) => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    for (const s of upgraded) s.destroy();
    await Promise.race([closed, new Promise((r) => setTimeout(r, graceMs).unref())]);
    for (const s of sockets) s.destroy();
    await closed;
    await app.close();
  };
  return { server, close };
}
