import { iso } from "../../http";
import type {
  Base,
  EmuState,
  FloatingIp,
  Network,
  Port,
  Router,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
} from "../../state";
import type { Kind } from "./kinds";

/** Neutron's JSON for each resource, as the real API sends it. */

/** The attributes every Neutron resource with standard attributes has. */
export const std = (x: Base) => ({
  id: x.id,
  name: x.name,
  tenant_id: x.projectId,
  description: x.description,
  tags: x.tags,
  created_at: iso.neutron(x.createdAt),
  updated_at: iso.neutron(x.updatedAt),
  revision_number: x.revision,
  project_id: x.projectId,
});

export function ruleView(r: SecurityGroupRule) {
  return {
    id: r.id,
    tenant_id: r.projectId,
    security_group_id: r.securityGroupId,
    ethertype: r.ethertype,
    direction: r.direction,
    protocol: r.protocol,
    port_range_min: r.portRangeMin,
    port_range_max: r.portRangeMax,
    remote_ip_prefix: r.remoteIpPrefix,
    remote_address_group_id: null,
    normalized_cidr: r.remoteIpPrefix,
    remote_group_id: r.remoteGroupId,
    description: r.description,
    tags: [],
    created_at: iso.neutron(r.createdAt),
    updated_at: iso.neutron(r.createdAt),
    revision_number: 0,
    project_id: r.projectId,
  };
}

/** Views that look up related resources (a network's subnets, a group's rules, a floating IP's port). */
export function neutronViews(s: () => EmuState) {
  return {
    networks: (n: Network) => ({
      ...std(n),
      admin_state_up: n.adminStateUp,
      mtu: n.mtu,
      status: "ACTIVE",
      subnets: Object.values(s().subnets)
        .filter((x) => x.networkId === n.id)
        .map((x) => x.id),
      shared: n.shared,
      availability_zone_hints: [],
      availability_zones: ["nova"],
      ipv4_address_scope: null,
      ipv6_address_scope: null,
      "router:external": n.external,
      port_security_enabled: true,
      qos_policy_id: null,
      is_default: false,
    }),
    subnets: (x: Subnet) => ({
      ...std(x),
      network_id: x.networkId,
      ip_version: 4,
      subnetpool_id: null,
      enable_dhcp: x.enableDhcp,
      ipv6_ra_mode: null,
      ipv6_address_mode: null,
      gateway_ip: x.gatewayIp,
      cidr: x.cidr,
      allocation_pools: [x.pool],
      host_routes: [],
      dns_nameservers: x.dnsNameservers,
      service_types: [],
    }),
    ports: (p: Port) => ({
      ...std(p),
      network_id: p.networkId,
      mac_address: p.macAddress,
      admin_state_up: p.adminStateUp,
      status: p.deviceId ? "ACTIVE" : "DOWN",
      device_id: p.deviceId,
      device_owner: p.deviceOwner,
      fixed_ips: p.fixedIps.map((f) => ({ subnet_id: f.subnetId, ip_address: f.ipAddress })),
      allowed_address_pairs: [],
      extra_dhcp_opts: [],
      security_groups: p.securityGroupIds,
      "binding:vnic_type": "normal",
      port_security_enabled: true,
      qos_policy_id: null,
      qos_network_policy_id: null,
    }),
    routers: (r: Router) => ({
      ...std(r),
      admin_state_up: true,
      status: "ACTIVE",
      external_gateway_info: r.gateway
        ? {
            network_id: r.gateway.networkId,
            external_fixed_ips: [{ subnet_id: r.gateway.subnetId, ip_address: r.gateway.ipAddress }],
            enable_snat: true,
          }
        : null,
      availability_zones: ["nova"],
      availability_zone_hints: [],
      routes: [],
      flavor_id: null,
    }),
    "security-groups": (g: SecurityGroup) => ({
      ...std(g),
      stateful: true,
      shared: false,
      security_group_rules: g.ruleIds
        .map((id) => s().securityGroupRules[id])
        .filter((r): r is SecurityGroupRule => Boolean(r))
        .map(ruleView),
    }),
    floatingips: (f: FloatingIp) => {
      const port = f.portId ? s().ports[f.portId] : undefined;
      return {
        ...std(f),
        floating_ip_address: f.address,
        floating_network_id: f.networkId,
        router_id: f.routerId,
        port_id: f.portId,
        fixed_ip_address: f.fixedIpAddress,
        status: f.portId ? "ACTIVE" : "DOWN",
        qos_policy_id: null,
        port_details: port
          ? {
              name: port.name,
              network_id: port.networkId,
              mac_address: port.macAddress,
              admin_state_up: true,
              status: "ACTIVE",
              device_id: port.deviceId,
              device_owner: port.deviceOwner,
            }
          : null,
      };
    },
  } satisfies Record<Kind, (x: never) => Record<string, unknown>>;
}
