import { z } from "zod";
import { ServiceClient } from "./base";
import { Forbidden, NotFound } from "./errors";
import type { KeystoneSession } from "./session";

/**
 * Response schemas follow the Networking API reference, not the emulator:
 * a field an extension adds (`tags` from standard-attr-tag, `router:external`,
 * `security_groups`) may be absent, and a field the reference gives as
 * nullable may be null or left out. Only what the console cannot do
 * without is required.
 */
const Tagged = {
  id: z.string(),
  name: z
    .string()
    .nullish()
    .transform((n) => n ?? ""),
  tags: z
    .array(z.string())
    .nullish()
    .transform((t) => t ?? []),
  project_id: z.string().optional(),
};

export const Network = z
  .object({
    ...Tagged,
    status: z.string(),
    "router:external": z.boolean().nullish(),
    subnets: z.array(z.string()).nullish(),
  })
  .transform((n) => ({
    id: n.id,
    name: n.name,
    tags: n.tags,
    status: n.status,
    external: n["router:external"] ?? false,
    subnetIds: n.subnets ?? [],
  }));
export type Network = z.infer<typeof Network>;

export const Subnet = z
  .object({
    ...Tagged,
    network_id: z.string(),
    cidr: z.string(),
    gateway_ip: z.string().nullish(),
    ip_version: z.number().optional(),
  })
  .transform((s) => ({
    id: s.id,
    name: s.name,
    tags: s.tags,
    networkId: s.network_id,
    cidr: s.cidr,
    gatewayIp: s.gateway_ip ?? null,
  }));
export type Subnet = z.infer<typeof Subnet>;

export const Router = z
  .object({
    ...Tagged,
    status: z.string(),
    external_gateway_info: z
      .object({
        network_id: z.string(),
        external_fixed_ips: z
          .array(z.object({ subnet_id: z.string(), ip_address: z.string() }))
          .nullish()
          .transform((f) => f ?? []),
      })
      .nullish(),
  })
  .transform((r) => ({
    id: r.id,
    name: r.name,
    tags: r.tags,
    status: r.status,
    externalNetworkId: r.external_gateway_info?.network_id ?? null,
    externalIps: r.external_gateway_info?.external_fixed_ips.map((f) => f.ip_address) ?? [],
  }));
export type Router = z.infer<typeof Router>;

export const Port = z
  .object({
    ...Tagged,
    network_id: z.string(),
    device_id: z.string().nullish(),
    device_owner: z.string().nullish(),
    status: z.string(),
    mac_address: z.string(),
    fixed_ips: z.array(z.object({ subnet_id: z.string(), ip_address: z.string() })),
    security_groups: z.array(z.string()).nullish(),
  })
  .transform((p) => ({
    id: p.id,
    name: p.name,
    tags: p.tags,
    networkId: p.network_id,
    deviceId: p.device_id ?? "",
    deviceOwner: p.device_owner ?? "",
    status: p.status,
    macAddress: p.mac_address,
    fixedIps: p.fixed_ips.map((f) => ({ subnetId: f.subnet_id, ipAddress: f.ip_address })),
    securityGroupIds: p.security_groups ?? [],
  }));
export type Port = z.infer<typeof Port>;

export const SecurityGroupRule = z
  .object({
    id: z.string(),
    security_group_id: z.string(),
    direction: z.enum(["ingress", "egress"]),
    ethertype: z.string(),
    protocol: z.string().nullish(),
    port_range_min: z.number().nullish(),
    port_range_max: z.number().nullish(),
    remote_ip_prefix: z.string().nullish(),
    remote_group_id: z.string().nullish(),
    description: z.string().nullish(),
  })
  .transform((r) => ({
    id: r.id,
    securityGroupId: r.security_group_id,
    direction: r.direction,
    ethertype: r.ethertype,
    protocol: r.protocol ?? null,
    portRangeMin: r.port_range_min ?? null,
    portRangeMax: r.port_range_max ?? null,
    remoteIpPrefix: r.remote_ip_prefix ?? null,
    remoteGroupId: r.remote_group_id ?? null,
    description: r.description ?? "",
  }));
export type SecurityGroupRule = z.infer<typeof SecurityGroupRule>;

export const SecurityGroup = z
  .object({
    ...Tagged,
    description: z.string().nullish(),
    security_group_rules: z
      .array(SecurityGroupRule)
      .nullish()
      .transform((r) => r ?? []),
  })
  .transform((g) => ({
    id: g.id,
    name: g.name,
    tags: g.tags,
    description: g.description ?? "",
    rules: g.security_group_rules,
  }));
export type SecurityGroup = z.infer<typeof SecurityGroup>;

export const FloatingIp = z
  .object({
    id: z.string(),
    tags: z.array(z.string()).nullish(),
    floating_ip_address: z.string(),
    floating_network_id: z.string(),
    port_id: z.string().nullish(),
    fixed_ip_address: z.string().nullish(),
    status: z.string(),
    description: z.string().nullish(),
  })
  .transform((f) => ({
    id: f.id,
    tags: f.tags ?? [],
    address: f.floating_ip_address,
    networkId: f.floating_network_id,
    portId: f.port_id ?? null,
    fixedIp: f.fixed_ip_address ?? null,
    status: f.status,
    description: f.description ?? "",
  }));
export type FloatingIp = z.infer<typeof FloatingIp>;

export interface RuleInput {
  direction: "ingress" | "egress";
  protocol?: "tcp" | "udp" | "icmp" | "vrrp" | null;
  portRangeMin?: number;
  portRangeMax?: number;
  remoteIpPrefix?: string;
  remoteGroupId?: string;
  ethertype?: "IPv4" | "IPv6";
  description?: string;
}

type TagResource = "networks" | "subnets" | "ports" | "routers" | "security-groups" | "floatingips";

/** Query for a list filter: exact name and all of `tags`. */
const filterQuery = (f: { name?: string; tags?: string[] } = {}) => ({
  name: f.name,
  tags: f.tags?.length ? f.tags.join(",") : undefined,
});

export class NetworkClient extends ServiceClient {
  /** The cloud's extension aliases, asked once per client (one per cloud session). */
  private extensionAliases: Promise<Set<string>> | null = null;

  constructor(session: KeystoneSession) {
    super(session, "network", {}, "/v2.0");
  }

  /**
   * The aliases of the API extensions the cloud lists (`GET /v2.0/extensions`),
   * cached. A cloud that hides the list (403/404) is taken to have none; any
   * other failure is not cached, so the next call asks again.
   */
  async extensions(): Promise<Set<string>> {
    this.extensionAliases ??= this.json(
      z.object({ extensions: z.array(z.object({ alias: z.string() })) }),
      "GET",
      "/extensions",
    )
      .then((r) => new Set(r.extensions.map((e) => e.alias)))
      .catch((err: unknown) => {
        if (err instanceof Forbidden || err instanceof NotFound) return new Set<string>();
        this.extensionAliases = null;
        throw err;
      });
    return this.extensionAliases;
  }
  /** Whether tags may go in a create body (`tag-creation`; Neutron from 2024 on, not Zed). */
  async tagsOnCreate(): Promise<boolean> {
    return (await this.extensions()).has("tag-creation");
  }
  /**
   * `tags` for a create body: only when the cloud takes them there; otherwise
   * nothing (Neutron refuses an unknown attribute), and `tagged` sets them after.
   */
  private async createTags(tags: string[] | undefined): Promise<{ tags?: string[] }> {
    return tags?.length && (await this.tagsOnCreate()) ? { tags } : {};
  }

  /** Replace a resource's tags (used after create, for clouds that do not accept tags in the create body). */
  async setTags(resource: TagResource, id: string, tags: string[]): Promise<void> {
    await this.call("PUT", `/${resource}/${id}/tags`, { tags });
  }
  private async tagged<T extends { id: string; tags: string[] }>(
    resource: TagResource,
    created: T,
    tags: string[] | undefined,
  ): Promise<T> {
    if (tags?.length && !tags.every((t) => created.tags.includes(t))) {
      try {
        await this.setTags(resource, created.id, tags);
      } catch (e) {
        // Untagged, nothing would ever find it again: take the create back before failing (best effort).
        await this.call("DELETE", `/${resource}/${created.id}`).catch(() => undefined);
        throw e;
      }
      return { ...created, tags };
    }
    return created;
  }

  // networks
  async createNetwork(input: { name: string; tags?: string[]; mtu?: number }): Promise<Network> {
    const n = (
      await this.json(z.object({ network: Network }), "POST", "/networks", {
        network: {
          name: input.name,
          ...(await this.createTags(input.tags)),
          admin_state_up: true,
          ...(input.mtu ? { mtu: input.mtu } : {}),
        },
      })
    ).network;
    return this.tagged("networks", n, input.tags);
  }
  async listNetworks(f: { name?: string; tags?: string[]; external?: boolean } = {}): Promise<Network[]> {
    return this.list(Network, "/networks", "networks", {
      ...filterQuery(f),
      "router:external": f.external === undefined ? undefined : String(f.external),
    });
  }
  async getNetwork(id: string) {
    return (await this.find(z.object({ network: Network }), `/networks/${id}`))?.network ?? null;
  }
  async deleteNetwork(id: string) {
    return this.remove(`/networks/${id}`);
  }

  // subnets
  async createSubnet(input: {
    name: string;
    networkId: string;
    cidr: string;
    dnsNameservers?: string[];
    tags?: string[];
  }): Promise<Subnet> {
    const s = (
      await this.json(z.object({ subnet: Subnet }), "POST", "/subnets", {
        subnet: {
          name: input.name,
          network_id: input.networkId,
          cidr: input.cidr,
          ip_version: 4,
          dns_nameservers: input.dnsNameservers ?? [],
          ...(await this.createTags(input.tags)),
        },
      })
    ).subnet;
    return this.tagged("subnets", s, input.tags);
  }
  async listSubnets(f: { name?: string; tags?: string[]; networkId?: string } = {}) {
    return this.list(Subnet, "/subnets", "subnets", { ...filterQuery(f), network_id: f.networkId });
  }
  async getSubnet(id: string) {
    return (await this.find(z.object({ subnet: Subnet }), `/subnets/${id}`))?.subnet ?? null;
  }
  async deleteSubnet(id: string) {
    return this.remove(`/subnets/${id}`);
  }

  // routers
  async createRouter(input: { name: string; externalNetworkId?: string; tags?: string[] }): Promise<Router> {
    const r = (
      await this.json(z.object({ router: Router }), "POST", "/routers", {
        router: {
          name: input.name,
          ...(await this.createTags(input.tags)),
          ...(input.externalNetworkId
            ? { external_gateway_info: { network_id: input.externalNetworkId } }
            : {}),
        },
      })
    ).router;
    return this.tagged("routers", r, input.tags);
  }
  async listRouters(f: { name?: string; tags?: string[] } = {}) {
    return this.list(Router, "/routers", "routers", filterQuery(f));
  }
  async getRouter(id: string) {
    return (await this.find(z.object({ router: Router }), `/routers/${id}`))?.router ?? null;
  }
  async setRouterGateway(id: string, externalNetworkId: string | null): Promise<Router> {
    const info = externalNetworkId ? { network_id: externalNetworkId } : {};
    return (
      await this.json(z.object({ router: Router }), "PUT", `/routers/${id}`, {
        router: { external_gateway_info: info },
      })
    ).router;
  }
  async addRouterInterface(routerId: string, subnetId: string): Promise<{ portId: string }> {
    const r = await this.json(
      z.object({ port_id: z.string() }),
      "PUT",
      `/routers/${routerId}/add_router_interface`,
      { subnet_id: subnetId },
    );
    return { portId: r.port_id };
  }
  async removeRouterInterface(routerId: string, subnetId: string): Promise<boolean> {
    try {
      await this.call("PUT", `/routers/${routerId}/remove_router_interface`, { subnet_id: subnetId });
      return true;
    } catch (err) {
      if (err instanceof NotFound) return false;
      throw err;
    }
  }
  async deleteRouter(id: string) {
    return this.remove(`/routers/${id}`);
  }

  // ports
  async createPort(input: {
    name: string;
    networkId: string;
    subnetId?: string;
    securityGroupIds?: string[];
    tags?: string[];
  }): Promise<Port> {
    const p = (
      await this.json(z.object({ port: Port }), "POST", "/ports", {
        port: {
          name: input.name,
          network_id: input.networkId,
          ...(input.subnetId ? { fixed_ips: [{ subnet_id: input.subnetId }] } : {}),
          ...(input.securityGroupIds ? { security_groups: input.securityGroupIds } : {}),
          ...(await this.createTags(input.tags)),
        },
      })
    ).port;
    return this.tagged("ports", p, input.tags);
  }
  async listPorts(f: { name?: string; tags?: string[]; networkId?: string; deviceId?: string } = {}) {
    return this.list(Port, "/ports", "ports", {
      ...filterQuery(f),
      network_id: f.networkId,
      device_id: f.deviceId,
    });
  }
  async getPort(id: string) {
    return (await this.find(z.object({ port: Port }), `/ports/${id}`))?.port ?? null;
  }
  async updatePortSecurityGroups(id: string, securityGroupIds: string[]): Promise<Port> {
    return (
      await this.json(z.object({ port: Port }), "PUT", `/ports/${id}`, {
        port: { security_groups: securityGroupIds },
      })
    ).port;
  }
  async deletePort(id: string) {
    return this.remove(`/ports/${id}`);
  }

  // security groups
  async createSecurityGroup(input: {
    name: string;
    description?: string;
    tags?: string[];
  }): Promise<SecurityGroup> {
    const g = (
      await this.json(z.object({ security_group: SecurityGroup }), "POST", "/security-groups", {
        security_group: {
          name: input.name,
          description: input.description ?? "",
          ...(await this.createTags(input.tags)),
        },
      })
    ).security_group;
    return this.tagged("security-groups", g, input.tags);
  }
  async listSecurityGroups(f: { name?: string; tags?: string[] } = {}) {
    return this.list(SecurityGroup, "/security-groups", "security_groups", filterQuery(f));
  }
  async getSecurityGroup(id: string) {
    return (
      (await this.find(z.object({ security_group: SecurityGroup }), `/security-groups/${id}`))
        ?.security_group ?? null
    );
  }
  async deleteSecurityGroup(id: string) {
    return this.remove(`/security-groups/${id}`);
  }
  async createSecurityGroupRule(securityGroupId: string, r: RuleInput): Promise<SecurityGroupRule> {
    return (
      await this.json(z.object({ security_group_rule: SecurityGroupRule }), "POST", "/security-group-rules", {
        security_group_rule: {
          security_group_id: securityGroupId,
          direction: r.direction,
          ethertype: r.ethertype ?? "IPv4",
          protocol: r.protocol ?? null,
          port_range_min: r.portRangeMin ?? null,
          port_range_max: r.portRangeMax ?? r.portRangeMin ?? null,
          remote_ip_prefix: r.remoteIpPrefix ?? null,
          remote_group_id: r.remoteGroupId ?? null,
          description: r.description ?? "",
        },
      })
    ).security_group_rule;
  }
  async deleteSecurityGroupRule(id: string) {
    return this.remove(`/security-group-rules/${id}`);
  }

  // floating IPs
  async createFloatingIp(input: {
    networkId: string;
    portId?: string;
    description?: string;
    tags?: string[];
  }): Promise<FloatingIp> {
    const f = (
      await this.json(z.object({ floatingip: FloatingIp }), "POST", "/floatingips", {
        floatingip: {
          floating_network_id: input.networkId,
          port_id: input.portId,
          description: input.description ?? "",
          ...(await this.createTags(input.tags)),
        },
      })
    ).floatingip;
    return this.tagged("floatingips", f, input.tags);
  }
  async listFloatingIps(f: { tags?: string[]; portId?: string; address?: string } = {}) {
    return this.list(FloatingIp, "/floatingips", "floatingips", {
      tags: f.tags?.length ? f.tags.join(",") : undefined,
      port_id: f.portId,
      floating_ip_address: f.address,
    });
  }
  async associateFloatingIp(id: string, portId: string | null): Promise<FloatingIp> {
    return (
      await this.json(z.object({ floatingip: FloatingIp }), "PUT", `/floatingips/${id}`, {
        floatingip: { port_id: portId },
      })
    ).floatingip;
  }
  async deleteFloatingIp(id: string) {
    return this.remove(`/floatingips/${id}`);
  }

  async quotaDetails(projectId: string) {
    const Q = z.object({ limit: z.number(), used: z.number() });
    return (
      await this.json(z.object({ quota: z.record(z.string(), Q) }), "GET", `/quotas/${projectId}/details`)
    ).quota;
  }
}
