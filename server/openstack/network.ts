import { z } from "zod";
import { ServiceClient } from "./base";
import { BadRequest, NotFound } from "./errors";
import type { KeystoneSession } from "./session";

const Tagged = {
  id: z.string(),
  name: z.string(),
  tags: z.array(z.string()).default([]),
  project_id: z.string().optional(),
};

export const Network = z
  .object({
    ...Tagged,
    status: z.string(),
    "router:external": z.boolean().default(false),
    subnets: z.array(z.string()).default([]),
  })
  .transform((n) => ({
    id: n.id,
    name: n.name,
    tags: n.tags,
    status: n.status,
    external: n["router:external"],
    subnetIds: n.subnets,
  }));
export type Network = z.infer<typeof Network>;

export const Subnet = z
  .object({
    ...Tagged,
    network_id: z.string(),
    cidr: z.string(),
    gateway_ip: z.string().nullable(),
    ip_version: z.number(),
  })
  .transform((s) => ({
    id: s.id,
    name: s.name,
    tags: s.tags,
    networkId: s.network_id,
    cidr: s.cidr,
    gatewayIp: s.gateway_ip,
  }));
export type Subnet = z.infer<typeof Subnet>;

export const Router = z
  .object({
    ...Tagged,
    status: z.string(),
    external_gateway_info: z
      .object({
        network_id: z.string(),
        external_fixed_ips: z.array(z.object({ subnet_id: z.string(), ip_address: z.string() })).default([]),
      })
      .nullable(),
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
    device_id: z.string(),
    device_owner: z.string(),
    status: z.string(),
    mac_address: z.string(),
    fixed_ips: z.array(z.object({ subnet_id: z.string(), ip_address: z.string() })),
    security_groups: z.array(z.string()).default([]),
  })
  .transform((p) => ({
    id: p.id,
    name: p.name,
    tags: p.tags,
    networkId: p.network_id,
    deviceId: p.device_id,
    deviceOwner: p.device_owner,
    status: p.status,
    macAddress: p.mac_address,
    fixedIps: p.fixed_ips.map((f) => ({ subnetId: f.subnet_id, ipAddress: f.ip_address })),
    securityGroupIds: p.security_groups,
  }));
export type Port = z.infer<typeof Port>;

export const SecurityGroupRule = z
  .object({
    id: z.string(),
    security_group_id: z.string(),
    direction: z.enum(["ingress", "egress"]),
    ethertype: z.string(),
    protocol: z.string().nullable(),
    port_range_min: z.number().nullable(),
    port_range_max: z.number().nullable(),
    remote_ip_prefix: z.string().nullable(),
    remote_group_id: z.string().nullable(),
    description: z.string().nullish(),
  })
  .transform((r) => ({
    id: r.id,
    securityGroupId: r.security_group_id,
    direction: r.direction,
    ethertype: r.ethertype,
    protocol: r.protocol,
    portRangeMin: r.port_range_min,
    portRangeMax: r.port_range_max,
    remoteIpPrefix: r.remote_ip_prefix,
    remoteGroupId: r.remote_group_id,
    description: r.description ?? "",
  }));
export type SecurityGroupRule = z.infer<typeof SecurityGroupRule>;

export const SecurityGroup = z
  .object({
    ...Tagged,
    description: z.string().nullish(),
    security_group_rules: z.array(SecurityGroupRule).default([]),
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
    tags: z.array(z.string()).default([]),
    floating_ip_address: z.string(),
    floating_network_id: z.string(),
    port_id: z.string().nullable(),
    fixed_ip_address: z.string().nullable(),
    status: z.string(),
    description: z.string().nullish(),
  })
  .transform((f) => ({
    id: f.id,
    tags: f.tags,
    address: f.floating_ip_address,
    networkId: f.floating_network_id,
    portId: f.port_id,
    fixedIp: f.fixed_ip_address,
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
  constructor(session: KeystoneSession) {
    super(session, "network", {}, "/v2.0");
  }

  /** Replace a resource's tags (used after create, for clouds that do not accept tags in the create body). */
  async setTags(resource: TagResource, id: string, tags: string[]): Promise<void> {
    await this.call("PUT", `/${resource}/${id}/tags`, { tags });
  }
  /**
   * Zed's Neutron (no `tag-creation` extension) refuses `tags` in a create body with
   * 400 "Attribute 'tags' not allowed in POST". The first such refusal is remembered; that
   * create (which made nothing) is sent again without tags, and `tagged` PUTs them after.
   */
  private tagsInBody = true;
  private async posting<T>(
    tags: string[] | undefined,
    post: (bodyTags?: string[]) => Promise<T>,
  ): Promise<T> {
    if (!tags?.length || !this.tagsInBody) return post(undefined);
    try {
      return await post(tags);
    } catch (err) {
      if (!(err instanceof BadRequest) || !/'tags'/.test(err.message)) throw err;
      this.tagsInBody = false;
      return post(undefined);
    }
  }
  private async tagged<T extends { id: string; tags: string[] }>(
    resource: TagResource,
    created: T,
    tags: string[] | undefined,
  ): Promise<T> {
    if (tags?.length && !tags.every((t) => created.tags.includes(t))) {
      await this.setTags(resource, created.id, tags);
      return { ...created, tags };
    }
    return created;
  }

  // networks
  async createNetwork(input: { name: string; tags?: string[]; mtu?: number }): Promise<Network> {
    const n = (
      await this.posting(input.tags, (bodyTags) =>
        this.json(z.object({ network: Network }), "POST", "/networks", {
          network: {
            name: input.name,
            tags: bodyTags,
            admin_state_up: true,
            ...(input.mtu ? { mtu: input.mtu } : {}),
          },
        }),
      )
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
      await this.posting(input.tags, (bodyTags) =>
        this.json(z.object({ subnet: Subnet }), "POST", "/subnets", {
          subnet: {
            name: input.name,
            network_id: input.networkId,
            cidr: input.cidr,
            ip_version: 4,
            dns_nameservers: input.dnsNameservers ?? [],
            tags: bodyTags,
          },
        }),
      )
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
      await this.posting(input.tags, (bodyTags) =>
        this.json(z.object({ router: Router }), "POST", "/routers", {
          router: {
            name: input.name,
            tags: bodyTags,
            ...(input.externalNetworkId
              ? { external_gateway_info: { network_id: input.externalNetworkId } }
              : {}),
          },
        }),
      )
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
      await this.posting(input.tags, (bodyTags) =>
        this.json(z.object({ port: Port }), "POST", "/ports", {
          port: {
            name: input.name,
            network_id: input.networkId,
            ...(input.subnetId ? { fixed_ips: [{ subnet_id: input.subnetId }] } : {}),
            ...(input.securityGroupIds ? { security_groups: input.securityGroupIds } : {}),
            tags: bodyTags,
          },
        }),
      )
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
      await this.posting(input.tags, (bodyTags) =>
        this.json(z.object({ security_group: SecurityGroup }), "POST", "/security-groups", {
          security_group: { name: input.name, description: input.description ?? "", tags: bodyTags },
        }),
      )
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
      await this.posting(input.tags, (bodyTags) =>
        this.json(z.object({ floatingip: FloatingIp }), "POST", "/floatingips", {
          floatingip: {
            floating_network_id: input.networkId,
            port_id: input.portId,
            description: input.description ?? "",
            tags: bodyTags,
          },
        }),
      )
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
