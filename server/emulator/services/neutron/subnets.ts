import { cidrRange, intToIp, ipToInt } from "../../engine";
import { bodyObject, fault, num, str, strList, type Router } from "../../http";
import type { Subnet } from "../../state";
import { P, type Neutron } from "./context";

/** Subnets: IPv4 only, inside their CIDR, no overlap on a network. */
export function subnetRoutes(router: Router, neutron: Neutron): void {
  const { engine, s, need, ok, get, owned, quota, base, created } = neutron;
  router.on("POST", `${P}/subnets`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "subnet", "network");
    const net = get(req, "networks", str(body, "network_id") ?? "");
    owned(req, net, "networks", net.id);
    const cidr = str(body, "cidr");
    if (!cidr || !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr))
      throw fault(
        "network",
        400,
        `Invalid input for cidr. Reason: '${cidr}' is not a valid IP subnet.`,
        "HTTPBadRequest",
      );
    if (num(body, "ip_version") !== undefined && num(body, "ip_version") !== 4)
      throw fault("network", 400, "Only IPv4 subnets are emulated.", "HTTPBadRequest");
    const { network, size } = cidrRange(cidr);
    if (size < 4)
      throw fault("network", 400, `Invalid input for cidr: ${cidr} is too small.`, "HTTPBadRequest");
    const overlap = Object.values(s().subnets).find((x) => {
      if (x.networkId !== net.id) return false;
      const r = cidrRange(x.cidr);
      return network < r.network + r.size && r.network < network + size;
    });
    if (overlap)
      throw fault(
        "network",
        400,
        `Invalid input for operation: Requested subnet with cidr: ${cidr} for network: ${net.id} overlaps with another subnet.`,
        "InvalidInput",
      );
    quota(projectId, "subnets");
    const gateway = body.gateway_ip === null ? null : (str(body, "gateway_ip") ?? intToIp(network + 1));
    const pools = Array.isArray(body.allocation_pools)
      ? (body.allocation_pools as Array<{ start: string; end: string }>)
      : null;
    const sub: Subnet = {
      ...base(projectId, body),
      networkId: net.id,
      cidr: `${intToIp(network)}/${cidr.split("/")[1]}`,
      gatewayIp: gateway,
      enableDhcp: body.enable_dhcp !== false,
      dnsNameservers: strList(body, "dns_nameservers") ?? [],
      pool: pools?.[0] ?? { start: intToIp(network + 2), end: intToIp(network + size - 2) },
    };
    if (gateway && (ipToInt(gateway) < network || ipToInt(gateway) >= network + size)) {
      throw fault(
        "network",
        400,
        `Invalid input for operation: Gateway IP ${gateway} conflicts with subnet ${cidr}.`,
        "InvalidInput",
      );
    }
    return created("subnets", sub);
  });
  router.on("DELETE", `${P}/subnets/:id`, (req, { id }) => {
    const sub = get(req, "subnets", id!);
    owned(req, sub, "subnets", id!);
    const inUse = Object.values(s().ports).some((p) => p.fixedIps.some((f) => f.subnetId === sub.id));
    if (inUse)
      throw fault(
        "network",
        409,
        `Unable to complete operation on subnet ${sub.id}: One or more ports have an IP allocation from this subnet.`,
        "SubnetInUse",
      );
    delete s().subnets[sub.id];
    engine.markDirty();
    return ok(204);
  });
}
