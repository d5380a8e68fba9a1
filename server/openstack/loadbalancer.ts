import { z } from "zod";
import { ServiceClient } from "./base";
import { AdminOnly, Forbidden, NotFound } from "./errors";
import type { KeystoneSession } from "./session";

/**
 * Response schemas follow the Load Balancer API reference: `tags` exists
 * from API 2.5, names may be null, and Octavia leaves an unset reference out
 * altogether (a pool without a monitor has no `healthmonitor_id`), so every
 * reference to another object is nullish.
 */
const ids = z
  .array(z.object({ id: z.string() }))
  .nullish()
  .transform((a) => a ?? []);
const Common = {
  id: z.string(),
  name: z
    .string()
    .nullish()
    .transform((n) => n ?? ""),
  provisioning_status: z.string(),
  operating_status: z.string(),
  tags: z
    .array(z.string())
    .nullish()
    .transform((t) => t ?? []),
};

/** The camel-cased fields every Octavia object shares. */
function common(o: {
  id: string;
  name: string;
  tags: string[];
  provisioning_status: string;
  operating_status: string;
}) {
  return {
    id: o.id,
    name: o.name,
    tags: o.tags,
    provisioningStatus: o.provisioning_status,
    operatingStatus: o.operating_status,
  };
}

export const LoadBalancer = z
  .object({
    ...Common,
    vip_address: z.string(),
    vip_port_id: z.string(),
    vip_subnet_id: z.string().nullish(),
    vip_network_id: z.string().nullish(),
  })
  .transform((l) => ({
    ...common(l),
    vipAddress: l.vip_address,
    vipPortId: l.vip_port_id,
    vipSubnetId: l.vip_subnet_id ?? null,
  }));
export type LoadBalancer = z.infer<typeof LoadBalancer>;

export const Listener = z
  .object({
    ...Common,
    protocol: z.string(),
    protocol_port: z.number(),
    default_pool_id: z.string().nullish(),
    loadbalancers: ids,
    allowed_cidrs: z.array(z.string()).nullish(),
  })
  .transform((l) => ({
    ...common(l),
    protocol: l.protocol,
    protocolPort: l.protocol_port,
    defaultPoolId: l.default_pool_id ?? null,
    loadBalancerId: l.loadbalancers[0]?.id ?? null,
    allowedCidrs: l.allowed_cidrs ?? null,
  }));
export type Listener = z.infer<typeof Listener>;

export const Pool = z
  .object({
    ...Common,
    protocol: z.string(),
    lb_algorithm: z.string(),
    loadbalancers: ids,
    listeners: ids,
    healthmonitor_id: z.string().nullish(),
    members: ids,
  })
  .transform((p) => ({
    ...common(p),
    protocol: p.protocol,
    lbAlgorithm: p.lb_algorithm,
    loadBalancerId: p.loadbalancers[0]?.id ?? null,
    listenerId: p.listeners[0]?.id ?? null,
    healthMonitorId: p.healthmonitor_id ?? null,
    memberIds: p.members.map((m) => m.id),
  }));
export type Pool = z.infer<typeof Pool>;

export const Member = z
  .object({
    ...Common,
    address: z.string(),
    protocol_port: z.number(),
    subnet_id: z.string().nullish(),
    weight: z.number().optional(),
  })
  .transform((m) => ({
    ...common(m),
    address: m.address,
    protocolPort: m.protocol_port,
  }));
export type Member = z.infer<typeof Member>;

export const HealthMonitor = z
  .object({
    ...Common,
    type: z.string(),
    delay: z.number(),
    timeout: z.number(),
    max_retries: z.number(),
    pools: ids,
  })
  .transform((h) => ({
    ...common(h),
    type: h.type,
    delay: h.delay,
    timeout: h.timeout,
    maxRetries: h.max_retries,
    poolId: h.pools[0]?.id ?? null,
  }));
export type HealthMonitor = z.infer<typeof HealthMonitor>;

const statusName = z
  .string()
  .nullish()
  .transform((n) => n ?? "");
const StatusMember = z.object({
  id: z.string(),
  name: statusName,
  operating_status: z.string(),
  provisioning_status: z.string(),
  address: z.string(),
  protocol_port: z.number(),
});
const StatusPool = z.object({
  id: z.string(),
  name: statusName,
  operating_status: z.string(),
  provisioning_status: z.string(),
  health_monitor: z
    .object({ id: z.string(), operating_status: z.string(), provisioning_status: z.string() })
    .nullish(),
  members: z.array(StatusMember).default([]),
});
export const StatusTree = z.object({
  statuses: z.object({
    loadbalancer: z.object({
      id: z.string(),
      operating_status: z.string(),
      provisioning_status: z.string(),
      listeners: z
        .array(
          z.object({
            id: z.string(),
            operating_status: z.string(),
            provisioning_status: z.string(),
            pools: z.array(StatusPool).default([]),
          }),
        )
        .default([]),
    }),
  }),
});
export type StatusTree = z.infer<typeof StatusTree>["statuses"]["loadbalancer"];

export const Amphora = z
  .object({
    id: z.string(),
    loadbalancer_id: z.string().nullish(),
    role: z.string().nullish(),
    status: z.string(),
    ha_ip: z.string().nullish(),
    cached_zone: z.string().nullish(),
  })
  .transform((a) => ({
    id: a.id,
    loadBalancerId: a.loadbalancer_id ?? null,
    role: a.role ?? null,
    status: a.status,
    haIp: a.ha_ip ?? null,
    zone: a.cached_zone ?? null,
  }));
export type Amphora = z.infer<typeof Amphora>;
const LbStats = z
  .object({
    active_connections: z.number(),
    total_connections: z.number(),
    bytes_in: z.number(),
    bytes_out: z.number(),
    request_errors: z.number(),
  })
  .transform((x) => ({
    activeConnections: x.active_connections,
    totalConnections: x.total_connections,
    bytesIn: x.bytes_in,
    bytesOut: x.bytes_out,
    requestErrors: x.request_errors,
  }));

const filterQuery = (f: { name?: string; tags?: string[] } = {}) => ({
  name: f.name,
  tags: f.tags?.length ? f.tags.join(",") : undefined,
});

/**
 * Octavia v2. A mutation while the load balancer is PENDING_* answers 409
 * (Conflict): come back later; never wait here.
 */
export class LoadBalancerClient extends ServiceClient {
  constructor(session: KeystoneSession) {
    super(session, "load-balancer", {}, "/v2/lbaas");
  }

  async createLoadBalancer(input: {
    name: string;
    vipSubnetId: string;
    description?: string;
    tags?: string[];
  }): Promise<LoadBalancer> {
    return (
      await this.json(z.object({ loadbalancer: LoadBalancer }), "POST", "/loadbalancers", {
        loadbalancer: {
          name: input.name,
          vip_subnet_id: input.vipSubnetId,
          description: input.description ?? "",
          tags: input.tags ?? [],
        },
      })
    ).loadbalancer;
  }
  async getLoadBalancer(id: string) {
    return (
      (await this.find(z.object({ loadbalancer: LoadBalancer }), `/loadbalancers/${id}`))?.loadbalancer ??
      null
    );
  }
  async listLoadBalancers(f: { name?: string; tags?: string[] } = {}) {
    return this.list(LoadBalancer, "/loadbalancers", "loadbalancers", filterQuery(f));
  }
  async deleteLoadBalancer(id: string, cascade = false) {
    return this.remove(`/loadbalancers/${id}${cascade ? "?cascade=true" : ""}`);
  }
  async statusTree(id: string): Promise<StatusTree | null> {
    return (await this.find(StatusTree, `/loadbalancers/${id}/status`))?.statuses.loadbalancer ?? null;
  }

  async createListener(input: {
    name: string;
    loadBalancerId: string;
    protocol: "TCP" | "HTTP" | "HTTPS" | "UDP";
    port: number;
    allowedCidrs?: string[];
    tags?: string[];
  }) {
    return (
      await this.json(z.object({ listener: Listener }), "POST", "/listeners", {
        listener: {
          name: input.name,
          loadbalancer_id: input.loadBalancerId,
          protocol: input.protocol,
          protocol_port: input.port,
          tags: input.tags ?? [],
          ...(input.allowedCidrs?.length ? { allowed_cidrs: input.allowedCidrs } : {}),
        },
      })
    ).listener;
  }
  async listListeners(f: { name?: string; tags?: string[]; loadBalancerId?: string } = {}) {
    return this.list(Listener, "/listeners", "listeners", {
      ...filterQuery(f),
      loadbalancer_id: f.loadBalancerId,
    });
  }
  /** Replaces the listener's source allowlist (empty: from anywhere, sent as null as the CLI's `unset` does). */
  async updateListenerAllowedCidrs(id: string, allowedCidrs: string[]) {
    return (
      await this.json(z.object({ listener: Listener }), "PUT", `/listeners/${id}`, {
        listener: { allowed_cidrs: allowedCidrs.length ? allowedCidrs : null },
      })
    ).listener;
  }
  async deleteListener(id: string) {
    return this.remove(`/listeners/${id}`);
  }

  async createPool(input: {
    name: string;
    listenerId: string;
    /** PROXY: TCP with the PROXY protocol header, so backends see client addresses. */
    protocol: "TCP" | "HTTP" | "HTTPS" | "UDP" | "PROXY" | "PROXYV2";
    algorithm?: "ROUND_ROBIN" | "LEAST_CONNECTIONS" | "SOURCE_IP";
    tags?: string[];
  }) {
    return (
      await this.json(z.object({ pool: Pool }), "POST", "/pools", {
        pool: {
          name: input.name,
          listener_id: input.listenerId,
          protocol: input.protocol,
          lb_algorithm: input.algorithm ?? "ROUND_ROBIN",
          tags: input.tags ?? [],
        },
      })
    ).pool;
  }
  async listPools(f: { name?: string; tags?: string[]; loadBalancerId?: string } = {}) {
    return this.list(Pool, "/pools", "pools", { ...filterQuery(f), loadbalancer_id: f.loadBalancerId });
  }
  async deletePool(id: string) {
    return this.remove(`/pools/${id}`);
  }

  async createMember(
    poolId: string,
    input: { name: string; address: string; port: number; subnetId?: string; tags?: string[] },
  ) {
    return (
      await this.json(z.object({ member: Member }), "POST", `/pools/${poolId}/members`, {
        member: {
          name: input.name,
          address: input.address,
          protocol_port: input.port,
          ...(input.subnetId ? { subnet_id: input.subnetId } : {}),
          tags: input.tags ?? [],
        },
      })
    ).member;
  }
  async listMembers(poolId: string) {
    return this.list(Member, `/pools/${poolId}/members`, "members");
  }
  /** Batch update: the pool's members become exactly `members` (one change of the load balancer). */
  async setMembers(
    poolId: string,
    members: Array<{ name: string; address: string; port: number; subnetId?: string; tags?: string[] }>,
  ): Promise<void> {
    await this.call(
      "PUT",
      `/pools/${poolId}/members`,
      {
        members: members.map((m) => ({
          name: m.name,
          address: m.address,
          protocol_port: m.port,
          ...(m.subnetId ? { subnet_id: m.subnetId } : {}),
          tags: m.tags ?? [],
        })),
      },
      true,
    );
  }
  async deleteMember(poolId: string, memberId: string) {
    return this.remove(`/pools/${poolId}/members/${memberId}`);
  }

  async createHealthMonitor(input: {
    name: string;
    poolId: string;
    type: "TCP" | "HTTP" | "HTTPS";
    delay?: number;
    timeout?: number;
    maxRetries?: number;
    urlPath?: string;
    tags?: string[];
  }) {
    const http = input.type !== "TCP";
    return (
      await this.json(z.object({ healthmonitor: HealthMonitor }), "POST", "/healthmonitors", {
        healthmonitor: {
          name: input.name,
          pool_id: input.poolId,
          type: input.type,
          delay: input.delay ?? 5,
          timeout: input.timeout ?? 3,
          max_retries: input.maxRetries ?? 3,
          ...(http
            ? { url_path: input.urlPath ?? "/healthz", http_method: "GET", expected_codes: "200" }
            : {}),
          tags: input.tags ?? [],
        },
      })
    ).healthmonitor;
  }
  async listHealthMonitors(f: { name?: string; tags?: string[] } = {}) {
    return this.list(HealthMonitor, "/healthmonitors", "healthmonitors", filterQuery(f));
  }
  async deleteHealthMonitor(id: string) {
    return this.remove(`/healthmonitors/${id}`);
  }

  /**
   * The amphorae of a load balancer (Octavia's amphora API, admin-only by
   * default policy). Throws AdminOnly when the credentials may not read it
   * (403 for a project token); null when the cloud has no amphora API (404:
   * another provider).
   */
  async amphorae(lbId: string): Promise<Amphora[] | null> {
    const path = `/v2/octavia/amphorae?loadbalancer_id=${encodeURIComponent(lbId)}`;
    try {
      const res = await this.call("GET", path, undefined, true, true);
      return this.parse(z.object({ amphorae: z.array(Amphora) }), res, "GET /v2/octavia/amphorae").amphorae;
    } catch (err) {
      if (err instanceof NotFound) return null;
      if (err instanceof Forbidden && !(err instanceof AdminOnly))
        throw new AdminOnly(
          `Octavia's amphora API is for cloud admins; these credentials may not read it (${err.message})`,
          err.context,
        );
      throw err;
    }
  }

  async stats(lbId: string) {
    return (await this.find(z.object({ stats: LbStats }), `/loadbalancers/${lbId}/stats`))?.stats ?? null;
  }

  async quota(projectId: string) {
    return (
      await this.json(
        z.object({ quota: z.object({ load_balancer: z.number() }) }),
        "GET",
        `/quotas/${projectId}`,
      )
    ).quota;
  }
}
