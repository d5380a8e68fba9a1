import { bodyObject, fault, num, type Router } from "../../http";
import type { Network } from "../../state";
import { P, type Neutron } from "./context";

/** Networks: create, and delete unless ports other than DHCP's use them. */
export function networkRoutes(router: Router, neutron: Neutron): void {
  const { engine, s, need, ok, get, owned, quota, base, created } = neutron;
  router.on("POST", `${P}/networks`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "network", "network");
    quota(projectId, "networks");
    const n: Network = {
      ...base(projectId, body),
      external: false,
      shared: false,
      mtu: num(body, "mtu") ?? 1450,
      adminStateUp: body.admin_state_up !== false,
    };
    return created("networks", n);
  });
  router.on("DELETE", `${P}/networks/:id`, (req, { id }) => {
    const n = get(req, "networks", id!);
    owned(req, n, "networks", id!);
    const inUse = Object.values(s().ports).some(
      (p) => p.networkId === n.id && !p.deviceOwner.startsWith("network:dhcp"),
    );
    if (inUse)
      throw fault(
        "network",
        409,
        `Unable to complete operation on network ${n.id}. There are one or more ports still in use on the network.`,
        "NetworkInUse",
      );
    for (const sub of Object.values(s().subnets)) if (sub.networkId === n.id) delete s().subnets[sub.id];
    delete s().networks[n.id];
    engine.markDirty();
    return ok(204);
  });
}
