import type { EmuState, FloatingIp, Network, Port, Router, SecurityGroup, Subnet } from "../../state";

/** The Neutron resources with standard attributes, their names and where the state keeps them. */

export interface KindMap {
  networks: Network;
  subnets: Subnet;
  ports: Port;
  routers: Router;
  "security-groups": SecurityGroup;
  floatingips: FloatingIp;
}
export type Kind = keyof KindMap;

export const SINGULAR: Record<Kind, string> = {
  networks: "network",
  subnets: "subnet",
  ports: "port",
  routers: "router",
  "security-groups": "security_group",
  floatingips: "floatingip",
};
export const NOT_FOUND_TYPE: Record<Kind, string> = {
  networks: "NetworkNotFound",
  subnets: "SubnetNotFound",
  ports: "PortNotFound",
  routers: "RouterNotFound",
  "security-groups": "SecurityGroupNotFound",
  floatingips: "FloatingIPNotFound",
};
export const LABEL: Record<Kind, string> = {
  networks: "Network",
  subnets: "Subnet",
  ports: "Port",
  routers: "Router",
  "security-groups": "Security group",
  floatingips: "Floating IP",
};

export function store(state: EmuState, kind: Kind) {
  switch (kind) {
    case "networks":
      return state.networks;
    case "subnets":
      return state.subnets;
    case "ports":
      return state.ports;
    case "routers":
      return state.routers;
    case "security-groups":
      return state.securityGroups;
    case "floatingips":
      return state.floatingIps;
  }
}
