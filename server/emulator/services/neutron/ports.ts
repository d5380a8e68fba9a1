import { bodyObject, fault, str, strList, type Router } from "../../http";
import { mac, type Port } from "../../state";
import { P, type Neutron } from "./context";

/** Ports: fixed IPs from the pools, security groups checked; router interfaces are deleted through the router. */
export function portRoutes(router: Router, neutron: Neutron): void {
  const { engine, s, need, ok, get, owned, quota, base, noMoreIps, created } = neutron;
  router.on("POST", `${P}/ports`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "port", "network");
    const net = get(req, "networks", str(body, "network_id") ?? "");
    quota(projectId, "ports");
    const wanted = Array.isArray(body.fixed_ips)
      ? (body.fixed_ips as Array<{ subnet_id?: string; ip_address?: string }>)
      : [];
    const subnets = wanted.length
      ? wanted.map((w) => get(req, "subnets", w.subnet_id ?? ""))
      : Object.values(s().subnets)
          .filter((x) => x.networkId === net.id)
          .slice(0, 1);
    const fixedIps = subnets.map((sub, i) => {
      const ip = wanted[i]?.ip_address ?? engine.allocateIp(sub);
      if (!ip) throw noMoreIps(net.id);
      return { subnetId: sub.id, ipAddress: ip };
    });
    const sgs = strList(body, "security_groups") ?? [];
    for (const g of sgs) get(req, "security-groups", g);
    const port: Port = {
      ...base(projectId, body),
      networkId: net.id,
      macAddress: mac(),
      fixedIps,
      deviceId: str(body, "device_id") ?? "",
      deviceOwner: str(body, "device_owner") ?? "",
      securityGroupIds: sgs,
      adminStateUp: body.admin_state_up !== false,
    };
    return created("ports", port);
  });
  router.on("DELETE", `${P}/ports/:id`, (req, { id }) => {
    const port = get(req, "ports", id!);
    owned(req, port, "ports", id!);
    if (port.deviceOwner === "network:router_interface") {
      throw fault(
        "network",
        409,
        `Port ${port.id} cannot be deleted directly via the port API: has device owner network:router_interface.`,
        "L3PortInUse",
      );
    }
    for (const fip of Object.values(s().floatingIps))
      if (fip.portId === port.id) Object.assign(fip, { portId: null, fixedIpAddress: null, routerId: null });
    delete s().ports[port.id];
    engine.markDirty();
    return ok(204);
  });
}
