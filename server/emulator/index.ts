import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { Socket } from "node:net";
import { RealClock, type Clock } from "./clock";
import { Engine } from "./engine";
import { Faults } from "./faults";
import { releaseProfile, type ProfileName, type ReleaseProfile } from "./profile";
import { Fault, faultBody, Router, type Req, type Res, type Service } from "./http";
import { adminRoutes } from "./services/admin";
import { cinderRoutes } from "./services/cinder";
import { glanceRoutes } from "./services/glance";
import { keystoneRoutes } from "./services/keystone";
import { microversionHeaders, novaRoutes, parseMicroversion } from "./services/nova";
import { neutronRoutes } from "./services/neutron";
import { octaviaRoutes } from "./services/octavia";
import { DEMO } from "./state";
import { KubeApis } from "./kube/server";
import { applyChange } from "./transitions";

export { TestClock, RealClock } from "./clock";
export type { Clock } from "./clock";
export { releaseProfile, DEFAULT_PROFILE, ZED_LAB_PROFILE } from "./profile";
export type { ReleaseProfile, ProfileName } from "./profile";

export interface EmulatorOptions {
  /** Loopback only; the emulator never listens elsewhere. */
  port?: number;
  clock?: Clock;
  /** Divides real-cloud latencies (server boot 60–120 s, LB 60–90 s, volume 5–10 s). */
  speed?: number;
  stateFile?: string;
  adminKey?: string;
  tokenTtlSeconds?: number;
  /** Page size cap for list calls (Nova's osapi_max_limit); 1000 by default. */
  maxPageSize?: number;
  log?: (line: string) => void;
  /** The provider network's loopback range (default 127.64.0.0/16); see seedState. */
  externalCidr?: string;
  /** Port of the emulated Kubernetes APIs on their floating IPs (6443, as in the kubeconfig). */
  kubeApiPort?: number;
  /**
   * Release profile: a name (`default`, `zed-lab`) or switches over the
   * default (see profile.ts).
   */
  profile?: ProfileName | Partial<ReleaseProfile>;
}

export interface RunningEmulator {
  url: string;
  /** The Keystone v3 URL to use as OS_AUTH_URL. */
  authUrl: string;
  adminKey: string;
  engine: Engine;
  faults: Faults;
  demo: typeof DEMO & { projectId: string };
  /** The emulated Kubernetes APIs (one TLS listener per cluster's API address). */
  kube: KubeApis;
  stop(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const HOST = "127.0.0.1";

function serviceOf(path: string): Service | null {
  const first = path.split("/")[1] ?? "";
  const map: Record<string, Service> = {
    identity: "identity",
    compute: "compute",
    network: "network",
    "load-balancer": "load-balancer",
    volume: "volume",
    image: "image",
    _emulator: "admin",
  };
  return map[first] ?? null;
}

/**
 * Whether a presented secret is `secret`, in time that does not depend on
 * where they differ (both are hashed to equal length first). A header given
 * twice, or not at all, is not the secret.
 */
export function sameSecret(presented: string | string[] | undefined, secret: string): boolean {
  if (typeof presented !== "string") return false;
  const digest = (v: string) => createHash("sha256").update(v).digest();
  return timingSafeEqual(digest(presented), digest(secret));
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const clock = opts.clock ?? new RealClock();
  const engine = new Engine({
    clock,
    speed: opts.speed ?? 1,
    stateFile: opts.stateFile,
    externalCidr: opts.externalCidr,
    profile: releaseProfile(opts.profile),
  });
  const faults = new Faults();
  const adminKey = opts.adminKey ?? randomBytes(18).toString("base64url");
  let tokenTtlMs = (opts.tokenTtlSeconds ?? 3600) * 1000;
  const log = opts.log ?? (() => undefined);

  const router = new Router();
  keystoneRoutes(router, engine, { tokenTtlMs: () => tokenTtlMs });
  novaRoutes(router, engine);
  neutronRoutes(router, engine);
  octaviaRoutes(router, engine);
  cinderRoutes(router, engine);
  glanceRoutes(router, engine);
  // The clusters' cloud controllers and CSI call the same routes, in process, with the credentials they were given.
  engine.inClusterCloud = ({ method, path, body, token }) => {
    const url = new URL(path, "http://in-cluster");
    const req: Req = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: {},
      body,
      microversion: 1,
      baseUrl,
      maxPageSize: opts.maxPageSize ?? 1000,
    };
    const service = serviceOf(url.pathname) ?? "compute";
    if (token !== undefined) {
      const t = engine.state.tokens[token];
      if (!t || t.expiresAt <= engine.now())
        return {
          status: 401,
          body: faultBody(service, 401, "The request you have made requires authentication."),
        };
      req.auth = { ...t, id: token };
    }
    const matched = router.match(method, url.pathname);
    if (matched === null || matched === "method-not-allowed")
      return {
        status: 404,
        body: faultBody(service, 404, `The resource could not be found: ${url.pathname}`),
      };
    try {
      return matched.handler(req, matched.params);
    } catch (err) {
      if (err instanceof Fault) return { status: err.status, body: err.body, headers: err.headers };
      throw err;
    }
  };
  const adminRouter = new Router();
  adminRoutes(adminRouter, engine, { faults, setTokenTtlMs: (ms) => (tokenTtlMs = ms) });

  const kube = new KubeApis(
    engine,
    () => engine.advance((c) => applyChange(engine, c)),
    log,
    opts.kubeApiPort,
  );
  const syncKube = () =>
    kube
      .sync()
      .catch((err: unknown) => log(`ERROR kube sync: ${err instanceof Error ? err.message : String(err)}`));
  const sockets = new Set<Socket>();
  let baseUrl = "";

  const send = (res: http.ServerResponse, out: Res, requestId: string, service: Service | null) => {
    const payload = out.body === undefined ? "" : JSON.stringify(out.body);
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(payload)),
      "x-openstack-request-id": requestId,
      ...(service === "compute" ? { "x-compute-request-id": requestId } : {}),
      ...(out.status === 401 ? { "WWW-Authenticate": `Keystone uri="${baseUrl}/identity"` } : {}),
      ...out.headers,
    };
    if (out.status === 204) delete headers["Content-Length"];
    res.writeHead(out.status, headers);
    res.end(out.status === 204 ? undefined : payload);
  };

  const handle = async (raw: http.IncomingMessage, res: http.ServerResponse) => {
    const requestId = `req-${randomUUID()}`;
    const url = new URL(raw.url ?? "/", baseUrl);
    // Octavia answers under /v2 and /v2.0 alike (the openstack CLI uses v2.0).
    const path =
      url.pathname.replace(/\/+$/, "").replace(/^\/load-balancer\/v2\.0(\/|$)/, "/load-balancer/v2$1") || "/";
    const method = (raw.method ?? "GET").toUpperCase();
    const service = serviceOf(path);
    const started = Date.now();
    const finish = (out: Res) => {
      send(res, out, requestId, service);
      log(`${method} ${path} ${out.status} ${Date.now() - started}ms ${requestId}`);
    };

    // Body: JSON, at most 1 MiB.
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of raw) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY)
        return finish({ status: 413, body: faultBody(service ?? "compute", 413, "Request body too large") });
      chunks.push(chunk as Buffer);
    }
    let body: unknown = undefined;
    if (size > 0) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return finish({
          status: 400,
          body: faultBody(service ?? "compute", 400, "Malformed request body: not valid JSON"),
        });
      }
    }
    if (!service)
      return finish({
        status: 404,
        body: { error: { code: 404, message: `No service at ${path}`, title: "Not Found" } },
      });

    if (service === "admin") {
      if (!sameSecret(raw.headers["x-emulator-admin-key"], adminKey))
        return finish({ status: 403, body: faultBody("admin", 403, "Admin key required") });
    } else {
      const rule = faults.match(service, method, path);
      if (rule?.kind === "timeout") return; // never answer; the client times out
      if (rule?.kind === "delay") await new Promise((r) => setTimeout(r, rule.delayMs));
      if (rule?.kind === "error") {
        const headers: Record<string, string> =
          rule.retryAfterSeconds !== undefined ? { "Retry-After": String(rule.retryAfterSeconds) } : {};
        return finish({
          status: rule.status,
          body: faultBody(service, rule.status, `Injected fault (rule ${rule.id})`),
          headers,
        });
      }
    }

    const req: Req = {
      method,
      path,
      query: url.searchParams,
      headers: raw.headers,
      body,
      microversion: service === "compute" ? parseMicroversion(raw.headers) : 1,
      baseUrl,
      maxPageSize: opts.maxPageSize ?? 1000,
    };
    const tokenHeader = raw.headers["x-auth-token"];
    if (typeof tokenHeader === "string" && service !== "admin") {
      const t = engine.state.tokens[tokenHeader];
      if (t && t.expiresAt > engine.now()) req.auth = { ...t, id: tokenHeader };
      else if (!(service === "identity" && method === "POST")) {
        return finish({
          status: 401,
          body: faultBody(service, 401, "The request you have made requires authentication."),
          headers: service === "compute" ? microversionHeaders(req.microversion) : {},
        });
      }
    }

    engine.advance((c) => applyChange(engine, c));
    const matched = (service === "admin" ? adminRouter : router).match(method, path);
    if (matched === null)
      return finish({
        status: 404,
        body: faultBody(service, 404, `The resource could not be found: ${path}`),
      });
    if (matched === "method-not-allowed")
      return finish({
        status: 405,
        body: faultBody(service, 405, `Method ${method} not allowed on ${path}`),
      });
    try {
      finish(matched.handler(req, matched.params));
      if (method !== "GET") void syncKube();
    } catch (err) {
      if (err instanceof Fault) return finish({ status: err.status, body: err.body, headers: err.headers });
      log(`ERROR ${method} ${path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      finish({ status: 500, body: faultBody(service, 500, "Unexpected error in the emulator") });
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`ERROR ${String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, HOST, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  baseUrl = `http://${HOST}:${port}`;
  kube.start(500);
  void syncKube();
  const demoProject = Object.values(engine.state.projects).find((p) => p.name === DEMO.projectName);

  return {
    url: baseUrl,
    authUrl: `${baseUrl}/identity/v3`,
    adminKey,
    engine,
    faults,
    demo: { ...DEMO, projectId: demoProject?.id ?? "" },
    kube,
    stop: async () => {
      await kube.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await engine.flush();
    },
  };
}
