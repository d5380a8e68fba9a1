import { bodyObject, fault, str, type Router } from "../../http";
import { externalNetwork, type FloatingIp } from "../../state";
import { P, type Neutron } from "./context";

/** Floating IPs from the external network's pool. */

/** Associate a floating IP with a port (null: disassociate); the port's subnet must reach its network. */
export function associate(neutron: Neutron, fip: FloatingIp, portId: unknown) {
  const { s } = neutron;
  if (portId === null) {
    Object.assign(fip, { portId: null, fixedIpAddress: null, routerId: null });
    return;
  }
  const port = typeof portId === "string" ? s().ports[portId] : undefined;
  if (!port || port.projectId !== fip.projectId)
    throw fault("network", 404, `Port ${String(portId)} could not be found.`, "PortNotFound");
  const taken = Object.values(s().floatingIps).find((f) => f.portId === port.id && f.id !== fip.id);
  if (taken)
    throw fault(
      "network",
      409,
      `Cannot associate floating IP ${fip.address} with port ${port.id}: it already has floating IP ${taken.address}.`,
      "FloatingIpSetupException",
    );
  const fixed = port.fixedIps[0];
  const r =
    fixed &&
    Object.values(s().routers).find(
      (x) => x.gateway?.networkId === fip.networkId && x.interfaceSubnetIds.includes(fixed.subnetId),
    );
  if (!fixed || !r) {
    throw fault(
      "network",
      404,
      `External network ${fip.networkId} is not reachable from subnet ${fixed?.subnetId}. Therefore, cannot associate Port ${port.id} with a Floating IP.`,
      "ExternalGatewayForFloatingIPNotFound",
    );
  }
  Object.assign(fip, { portId: port.id, fixedIpAddress: fixed.ipAddress, routerId: r.id });
}

export function floatingIpRoutes(router: Router, neutron: Neutron): void {
  const { engine, s, need, ok, get, owned, quota, base, noMoreIps, created } = neutron;
  router.on("POST", `${P}/floatingips`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "floatingip", "network");
    const netId = str(body, "floating_network_id") ?? "";
    const net = s().networks[netId];
    if (!net) throw fault("network", 404, `Network ${netId} could not be found.`, "NetworkNotFound");
    if (!net.external)
      throw fault(
        "network",
        400,
        `Bad floatingip request: Network ${netId} is not a valid external network.`,
        "BadRequest",
      );
    quota(projectId, "floatingips");
    const sub = externalNetwork(s()).subnet;
    const address = engine.allocateIp(sub);
    if (!address) throw noMoreIps(netId);
    const fip: FloatingIp = {
      ...base(projectId, body),
      name: "",
      address,
      networkId: net.id,
      portId: null,
      fixedIpAddress: null,
      routerId: null,
    };
    if (body.port_id !== undefined && body.port_id !== null) associate(neutron, fip, body.port_id);
    return created("floatingips", fip);
  });
  router.on("DELETE", `${P}/floatingips/:id`, (req, { id }) => {
    const fip = get(req, "floatingips", id!);
    owned(req, fip, "floatingips", id!);
    delete s().floatingIps[fip.id];
    engine.markDirty();
    return ok(204);
  });
}
