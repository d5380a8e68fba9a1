import { bodyObject, fault, str, type Router } from "../../http";
import { mac, type Port, type Router as NRouter } from "../../state";
import { P, type Neutron } from "./context";

/** Routers: gateway, interfaces on subnets, and deletion once nothing hangs on them. */

/** Set or clear a router's external gateway (an address from the external subnet). */
export function setGateway(neutron: Neutron, r: NRouter, info: unknown) {
  const { engine, s, noMoreIps } = neutron;
  if (info === null || info === undefined || (typeof info === "object" && Object.keys(info).length === 0)) {
    if (Object.values(s().floatingIps).some((f) => f.routerId === r.id)) {
      throw fault(
        "network",
        409,
        `Gateway cannot be updated for router ${r.id}, since a gateway to external network is required by one or more floating IPs.`,
        "RouterExternalGatewayInUseByFloatingIp",
      );
    }
    r.gateway = null;
    return;
  }
  const netId = (info as { network_id?: unknown }).network_id;
  const net = typeof netId === "string" ? s().networks[netId] : undefined;
  if (!net || !net.external)
    throw fault(
      "network",
      400,
      `Bad router request: Network ${String(netId)} is not an external network.`,
      "BadRequest",
    );
  const sub = Object.values(s().subnets).find((x) => x.networkId === net.id)!;
  const ip = engine.allocateIp(sub);
  if (!ip) throw noMoreIps(net.id);
  r.gateway = { networkId: net.id, subnetId: sub.id, ipAddress: ip };
}

export function routerRoutes(router: Router, neutron: Neutron): void {
  const { engine, s, need, ok, get, owned, touch, quota, base, created } = neutron;
  router.on("POST", `${P}/routers`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "router", "network");
    quota(projectId, "routers");
    const r: NRouter = { ...base(projectId, body), gateway: null, interfaceSubnetIds: [] };
    if (body.external_gateway_info) setGateway(neutron, r, body.external_gateway_info);
    return created("routers", r);
  });
  router.on("DELETE", `${P}/routers/:id`, (req, { id }) => {
    const r = get(req, "routers", id!);
    owned(req, r, "routers", id!);
    if (r.interfaceSubnetIds.length)
      throw fault("network", 409, `Router ${r.id} still has ports`, "RouterInUse");
    if (Object.values(s().floatingIps).some((f) => f.routerId === r.id))
      throw fault("network", 409, `Router ${r.id} still has floating IPs`, "RouterInUse");
    delete s().routers[r.id];
    engine.markDirty();
    return ok(204);
  });
  router.on("PUT", `${P}/routers/:id/add_router_interface`, (req, { id }) => {
    const r = get(req, "routers", id!);
    owned(req, r, "routers", id!);
    const sub = get(req, "subnets", str((req.body ?? {}) as Record<string, unknown>, "subnet_id") ?? "");
    if (r.interfaceSubnetIds.includes(sub.id)) {
      throw fault(
        "network",
        400,
        `Bad router request: Router already has a port on subnet ${sub.id}.`,
        "BadRequest",
      );
    }
    if (!sub.gatewayIp)
      throw fault(
        "network",
        400,
        `Bad router request: Subnet ${sub.id} does not have a gateway IP.`,
        "BadRequest",
      );
    const port: Port = {
      ...base(r.projectId, {}),
      networkId: sub.networkId,
      macAddress: mac(),
      fixedIps: [{ subnetId: sub.id, ipAddress: sub.gatewayIp }],
      deviceId: r.id,
      deviceOwner: "network:router_interface",
      securityGroupIds: [],
      adminStateUp: true,
    };
    s().ports[port.id] = port;
    r.interfaceSubnetIds.push(sub.id);
    touch(r);
    return ok(200, {
      id: r.id,
      tenant_id: r.projectId,
      port_id: port.id,
      network_id: sub.networkId,
      subnet_id: sub.id,
      subnet_ids: [sub.id],
      project_id: r.projectId,
      tags: [],
    });
  });
  router.on("PUT", `${P}/routers/:id/remove_router_interface`, (req, { id }) => {
    const r = get(req, "routers", id!);
    owned(req, r, "routers", id!);
    const subId = str((req.body ?? {}) as Record<string, unknown>, "subnet_id") ?? "";
    if (!r.interfaceSubnetIds.includes(subId)) {
      throw fault(
        "network",
        404,
        `Router ${r.id} does not have an interface with id ${subId}`,
        "RouterInterfaceNotFoundForSubnet",
      );
    }
    const port = Object.values(s().ports).find(
      (p) => p.deviceId === r.id && p.fixedIps.some((f) => f.subnetId === subId),
    );
    if (port) delete s().ports[port.id];
    r.interfaceSubnetIds = r.interfaceSubnetIds.filter((x) => x !== subId);
    touch(r);
    return ok(200, {
      id: r.id,
      tenant_id: r.projectId,
      port_id: port?.id,
      subnet_id: subId,
      subnet_ids: [subId],
      project_id: r.projectId,
    });
  });
}
