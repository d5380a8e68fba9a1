import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { latency, type Clock, type LatencyKind } from "./clock";
import { DEFAULT_PROFILE, type ReleaseProfile } from "./profile";
import type { EmuState, LoadBalancer, Quota, QuotaKey, ScheduledChange, Subnet } from "./state";
import { seedState } from "./state";

/** IPv4 helpers for the emulator's address allocation. */
export function ipToInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
}
export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}
export function cidrRange(cidr: string): { network: number; size: number } {
  const [ip, bits] = cidr.split("/");
  const prefix = Number(bits);
  const size = 2 ** (32 - prefix);
  return { network: (ipToInt(ip ?? "0.0.0.0") & ~(size - 1)) >>> 0, size };
}

/** One OpenStack API call made from inside a cluster (its cloud controller, its CSI): same routes, same checks, no socket. */
export interface InClusterCall {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The emulator's path, e.g. `/load-balancer/v2/lbaas/loadbalancers`. */
  path: string;
  body?: unknown;
  token?: string;
}
export type InClusterCloud = (call: InClusterCall) => {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
};

export interface EngineOptions {
  clock: Clock;
  /** Divides the base latencies; Infinity means every change is immediate. */
  speed: number;
  stateFile?: string;
  externalCidr?: string;
  /** Where real releases differ (tag-creation, omitted fields, zones, policies); the default profile if left out. */
  profile?: ReleaseProfile;
}

/**
 * Owns the state: schedules and applies asynchronous changes, answers
 * quota questions from what exists, allocates addresses, and saves the
 * state to disk after changes.
 */
export class Engine {
  state: EmuState;
  readonly clock: Clock;
  speed: number;
  readonly profile: ReleaseProfile;
  private readonly stateFile?: string;
  private saveTimer: NodeJS.Timeout | null = null;
  private saving: Promise<void> = Promise.resolve();
  /** The OpenStack APIs for the clusters' own controllers (set once the routes exist; see index.ts). */
  inClusterCloud: InClusterCloud | null = null;

  constructor(opts: EngineOptions) {
    this.clock = opts.clock;
    this.speed = opts.speed;
    this.profile = opts.profile ?? DEFAULT_PROFILE;
    this.stateFile = opts.stateFile;
    this.state = this.load() ?? seedState(opts.externalCidr);
    this.state.kube ??= {};
  }

  private load(): EmuState | null {
    if (!this.stateFile || !existsSync(this.stateFile)) return null;
    try {
      const parsed = JSON.parse(readFileSync(this.stateFile, "utf8")) as EmuState;
      return parsed.version === 1 ? parsed : null;
    } catch {
      // A corrupt file (e.g. killed mid-write before the rename) is kept aside, not silently lost.
      return null;
    }
  }

  now(): number {
    return this.clock.now();
  }

  /** Schedule change `kind` for resource `id` after the latency of `delay` (or `ms`). */
  schedule(kind: string, id: string, delay: LatencyKind | { ms: number }): number {
    const ms = typeof delay === "string" ? latency(delay, id, this.speed) : delay.ms;
    const change: ScheduledChange = { at: this.now() + ms, kind, id, seq: ++this.state.seq };
    const s = this.state.schedule;
    let i = s.length;
    while (i > 0 && (s[i - 1]!.at > change.at || (s[i - 1]!.at === change.at && s[i - 1]!.seq > change.seq)))
      i--;
    s.splice(i, 0, change);
    return change.at;
  }

  unschedule(id: string, kind?: string): void {
    this.state.schedule = this.state.schedule.filter(
      (c) => !(c.id === id && (kind === undefined || c.kind === kind)),
    );
  }

  /** Apply every scheduled change whose time has come, in order. */
  advance(apply: (change: ScheduledChange) => void): void {
    const now = this.now();
    let changed = false;
    while (this.state.schedule.length > 0 && this.state.schedule[0]!.at <= now) {
      const change = this.state.schedule.shift()!;
      apply(change);
      changed = true;
    }
    if (changed) this.markDirty();
  }

  markDirty(): void {
    if (!this.stateFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.saving = this.saving.then(() => this.save()).catch(() => undefined);
    }, 50);
    this.saveTimer.unref();
  }

  /** Write atomically (temp file + rename) so a crash never leaves half a file. */
  async save(): Promise<void> {
    if (!this.stateFile) return;
    await fs.mkdir(path.dirname(this.stateFile), { recursive: true });
    const tmp = `${this.stateFile}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(this.state));
    await fs.rename(tmp, this.stateFile);
  }

  async flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
      this.saving = this.saving.then(() => this.save());
    }
    await this.saving;
  }

  quota(projectId: string): Quota {
    const q = this.state.quotas[projectId];
    if (!q) throw new Error(`no quota for project ${projectId}`);
    return q;
  }

  usage(projectId: string): Record<QuotaKey, number> {
    const s = this.state;
    const mine = <T extends { projectId: string }>(r: Record<string, T>) =>
      Object.values(r).filter((x) => x.projectId === projectId);
    const servers = mine(s.servers);
    const flavor = (id: string) => s.flavors.find((f) => f.id === id);
    const volumes = mine(s.volumes);
    return {
      instances: servers.length,
      cores: servers.reduce((n, v) => n + (flavor(v.flavorId)?.vcpus ?? 0), 0),
      ram: servers.reduce((n, v) => n + (flavor(v.flavorId)?.ram ?? 0), 0),
      server_groups: Object.values(s.serverGroups).filter((g) => g.projectId === projectId).length,
      volumes: volumes.length,
      gigabytes: volumes.reduce((n, v) => n + Math.max(v.size, v.pendingSize ?? 0), 0),
      loadbalancers: mine(s.loadBalancers).length,
      floatingips: mine(s.floatingIps).length,
      security_groups: mine(s.securityGroups).length,
      networks: mine(s.networks).length,
      subnets: mine(s.subnets).length,
      routers: mine(s.routers).length,
      ports: mine(s.ports).length,
    };
  }

  /**
   * Resources whose quota `want` would exceed, with the numbers, or [] when
   * it fits. A limit of -1 is unlimited.
   */
  overQuota(
    projectId: string,
    want: Partial<Record<QuotaKey, number>>,
  ): Array<{ key: QuotaKey; requested: number; used: number; limit: number }> {
    const quota = this.quota(projectId);
    const used = this.usage(projectId);
    const out: Array<{ key: QuotaKey; requested: number; used: number; limit: number }> = [];
    for (const [k, requested] of Object.entries(want) as Array<[QuotaKey, number]>) {
      const limit = quota[k];
      if (limit >= 0 && used[k] + requested > limit) out.push({ key: k, requested, used: used[k], limit });
    }
    return out;
  }

  /** Next free address of a subnet's allocation pool, or null when it is full. */
  allocateIp(subnet: Subnet): string | null {
    const start = ipToInt(subnet.pool.start);
    const end = ipToInt(subnet.pool.end);
    const taken = new Set(
      Object.values(this.state.ports)
        .flatMap((p) => p.fixedIps)
        .filter((f) => f.subnetId === subnet.id)
        .map((f) => f.ipAddress),
    );
    for (const fip of Object.values(this.state.floatingIps)) taken.add(fip.address);
    for (const r of Object.values(this.state.routers)) if (r.gateway) taken.add(r.gateway.ipAddress);
    for (let n = start; n <= end; n++) {
      const ip = intToIp(n);
      if (!taken.has(ip) && ip !== subnet.gatewayIp) return ip;
    }
    return null;
  }

  lbOf(id: string): LoadBalancer | undefined {
    return this.state.loadBalancers[id];
  }
}
