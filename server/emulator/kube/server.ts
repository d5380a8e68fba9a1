import { randomUUID } from "node:crypto";
import https from "node:https";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { cidrRange, ipToInt, type Engine } from "../engine";
import { handleKube } from "./api/handle";
import { kubeadmServingCert } from "./certs";
import { apiServers, nodeConfigOf, type NodeView } from "./model";
import type { ControlPlaneState } from "./types";
import { syncKube } from "./sync";

/**
 * Serves each emulated cluster's Kubernetes API where a real one is
 * reached: the floating IP of its API load balancer, port 6443, over TLS
 * with the certificate its masters booted with (or the one pushed through
 * the PKI Secret). Client certificates are checked against the cluster's
 * CA bundle; a wrong CA or an expired certificate gets 401. The listener
 * exists only while the load balancer routes to at least one running API
 * server, so a stopped cluster refuses connections like a real one.
 */

export const KUBE_API_PORT = 6443;

interface Endpoint {
  address: string;
  clusterId: string;
  allowedCidrs: string[];
}

interface Listening {
  server: https.Server;
  clusterId: string;
  pkiKey: string;
  sockets: Set<Socket>;
  ready: Promise<boolean>;
}

/** API load balancers with a public address, and the cluster their members belong to. */
function endpoints(engine: Engine): Endpoint[] {
  const s = engine.state;
  const serverByIp = new Map<string, string>();
  for (const port of Object.values(s.ports))
    for (const f of port.fixedIps)
      if (port.deviceId) serverByIp.set(`${f.subnetId}/${f.ipAddress}`, port.deviceId);
  const out: Endpoint[] = [];
  for (const lb of Object.values(s.loadBalancers)) {
    if (lb.provisioningStatus === "PENDING_DELETE" || lb.provisioningStatus === "DELETED") continue;
    const fip = Object.values(s.floatingIps).find((f) => f.portId === lb.vipPortId);
    if (!fip) continue;
    const listener = Object.values(s.listeners).find(
      (l) => l.loadBalancerId === lb.id && l.protocolPort === KUBE_API_PORT,
    );
    if (!listener) continue;
    const pools = Object.values(s.pools).filter(
      (p) => p.id === listener.defaultPoolId || p.listenerId === listener.id,
    );
    const members = Object.values(s.members).filter((m) => pools.some((p) => p.id === m.poolId));
    let clusterId: string | null = null;
    for (const m of members) {
      const sid = serverByIp.get(`${m.subnetId ?? lb.vipSubnetId}/${m.address}`);
      const srv = sid ? s.servers[sid] : undefined;
      const cfg = srv ? nodeConfigOf(srv) : null;
      if (cfg?.role === "master") {
        clusterId = cfg.clusterId;
        break;
      }
    }
    if (clusterId) out.push({ address: fip.address, clusterId, allowedCidrs: listener.allowedCidrs ?? [] });
  }
  return out;
}

function allowed(cidrs: string[], ip: string | undefined): boolean {
  if (cidrs.length === 0) return true;
  const v4 = (ip ?? "").replace(/^::ffff:/, "");
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(v4)) return false;
  const n = ipToInt(v4);
  return cidrs.some((c) => {
    const r = cidrRange(c);
    return n >= r.network && n < r.network + r.size;
  });
}

/**
 * Serving certificate and client-CA bundle of a cluster: the pushed Secret,
 * else the certificate kubeadm init made on the first master from the CA it
 * found pre-placed, for the SANs its ClusterConfiguration names.
 */
function pkiOf(
  engine: Engine,
  clusterId: string,
  nodes: NodeView[],
  serving: Map<string, { key: string; cert: string; keyPem: string }>,
): { ca: string; cert: string; key: string } | null {
  const k = engine.state.kube[clusterId];
  if (k?.pki) return { ca: k.pki.caBundle, cert: k.pki.cert, key: k.pki.key };
  if (!k?.control || apiServers(nodes).length === 0) return null;
  const made = serving.get(clusterId);
  if (!made || made.key !== servingKey(k.control)) return null;
  return { ca: k.control.caCertPem, cert: made.cert, key: made.keyPem };
}

const servingKey = (c: ControlPlaneState) => `${c.caCertPem}|${c.certSANs.join(",")}`;
export class KubeApis {
  private readonly listening = new Map<string, Listening>();
  /** The API server certificate kubeadm made per cluster (signed by the cluster's CA, its SANs). */
  private readonly serving = new Map<string, { key: string; cert: string; keyPem: string }>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly advance: () => void,
    private readonly log: (line: string) => void,
    private readonly port = KUBE_API_PORT,
  ) {}

  /** Look again every `intervalMs` (real clock); tests call sync() themselves. */
  start(intervalMs: number | null): void {
    if (intervalMs !== null) {
      this.timer = setInterval(() => void this.sync(), intervalMs);
      this.timer.unref();
    }
  }

  /** Open, update or close listeners to match the cloud. Resolves when every listener is bound. */
  async sync(): Promise<void> {
    if (this.stopped) return;
    this.advance();
    const before = JSON.stringify(Object.values(this.engine.state.kube).map((k) => k.resourceVersion));
    const byCluster = syncKube(this.engine);
    if (JSON.stringify(Object.values(this.engine.state.kube).map((k) => k.resourceVersion)) !== before)
      this.engine.markDirty();
    const wanted = new Map<string, { ep: Endpoint; pki: { ca: string; cert: string; key: string } }>();
    const eps = endpoints(this.engine);
    await Promise.all(eps.map((ep) => this.makeServing(ep.clusterId)));
    for (const ep of eps) {
      const pki = pkiOf(this.engine, ep.clusterId, byCluster.get(ep.clusterId) ?? [], this.serving);
      if (pki) wanted.set(ep.address, { ep, pki });
    }
    for (const [address, l] of this.listening) {
      const w = wanted.get(address);
      if (!w || w.ep.clusterId !== l.clusterId) this.close(address);
    }
    const binds: Array<Promise<boolean>> = [];
    for (const [address, { ep, pki }] of wanted) {
      const key = `${pki.ca}|${pki.cert}|${pki.key}`;
      const l = this.listening.get(address);
      if (l) {
        if (l.pkiKey !== key) {
          l.server.setSecureContext({ key: pki.key, cert: pki.cert, ca: pki.ca });
          l.pkiKey = key;
        }
        binds.push(l.ready);
        continue;
      }
      binds.push(this.open(ep, pki, key).ready);
    }
    await Promise.all(binds);
  }

  /** kubeadm's certs phase: apiserver.crt from the pre-placed CA, for the configured SANs plus kubeadm's own. */
  private async makeServing(clusterId: string): Promise<void> {
    const control = this.engine.state.kube[clusterId]?.control;
    if (!control) return;
    const key = servingKey(control);
    if (this.serving.get(clusterId)?.key === key) return;
    const cert = await kubeadmServingCert(control.caCertPem, control.caKeyPem, control.certSANs);
    this.serving.set(clusterId, { key, cert: cert.certPem, keyPem: cert.keyPem });
  }

  private open(ep: Endpoint, pki: { ca: string; cert: string; key: string }, pkiKey: string): Listening {
    const sockets = new Set<Socket>();
    const server = https.createServer(
      {
        key: pki.key,
        cert: pki.cert,
        ca: pki.ca,
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: "TLSv1.2",
      },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          this.advance();
          const nodes = syncKube(this.engine).get(ep.clusterId) ?? [];
          const current = endpoints(this.engine).find((e) => e.address === ep.address);
          const k = this.engine.state.kube[ep.clusterId];
          // The load balancer has nowhere to send the request: the connection drops.
          if (!current || !k || apiServers(nodes).length === 0) {
            req.socket.destroy();
            return;
          }
          if (!allowed(current.allowedCidrs, req.socket.remoteAddress)) {
            req.socket.destroy();
            return;
          }
          const send = (status: number, body: unknown, contentType = "application/json") => {
            const payload = typeof body === "string" ? body : JSON.stringify(body);
            res.writeHead(status, {
              "Content-Type": contentType,
              "Content-Length": Buffer.byteLength(payload),
              "Audit-Id": randomUUID(),
              "Cache-Control": "no-cache, private",
            });
            res.end(payload);
          };
          const tls = req.socket as TLSSocket;
          if (!tls.authorized) {
            return send(401, {
              kind: "Status",
              apiVersion: "v1",
              metadata: {},
              status: "Failure",
              message: "Unauthorized",
              reason: "Unauthorized",
              code: 401,
            });
          }
          const peer = tls.getPeerCertificate();
          const org = peer.subject?.O;
          const groups = Array.isArray(org) ? org : org ? [org] : [];
          let body: unknown = undefined;
          const raw = Buffer.concat(chunks).toString("utf8");
          if (raw) {
            try {
              body = JSON.parse(raw);
            } catch {
              return send(400, {
                kind: "Status",
                apiVersion: "v1",
                status: "Failure",
                message: "the body of the request was in an unknown format",
                reason: "BadRequest",
                code: 400,
              });
            }
          }
          const url = new URL(req.url ?? "/", `https://${ep.address}`);
          const out = handleKube(
            { engine: this.engine, k, nodes, serverAddress: `${ep.address}:${this.port}` },
            {
              method: (req.method ?? "GET").toUpperCase(),
              path: url.pathname,
              query: url.searchParams,
              accept: String(req.headers.accept ?? ""),
              contentType: String(req.headers["content-type"] ?? ""),
              body,
              user: { name: String(peer.subject?.CN ?? ""), groups: groups.map(String) },
            },
          );
          this.log(`kube ${ep.address} ${req.method} ${url.pathname} ${out.status}`);
          send(out.status, out.body, out.contentType);
        });
      },
    );
    server.keepAliveTimeout = 5_000;
    server.on("connection", (s: Socket) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    const ready = new Promise<boolean>((resolve) => {
      server.once("error", (err) => {
        this.log(`kube API ${ep.address}:${this.port} could not listen: ${err.message}`);
        this.listening.delete(ep.address);
        resolve(false);
      });
      server.listen(this.port, ep.address, () => resolve(true));
    });
    const l: Listening = { server, clusterId: ep.clusterId, pkiKey, sockets, ready };
    this.listening.set(ep.address, l);
    return l;
  }

  private close(address: string): void {
    const l = this.listening.get(address);
    if (!l) return;
    this.listening.delete(address);
    for (const s of l.sockets) s.destroy();
    l.server.close();
  }

  /** Addresses served now (tests and the admin endpoint). */
  addresses(): string[] {
    return [...this.listening.keys()];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const address of [...this.listening.keys()]) this.close(address);
  }
}
