import { fault, type Router } from "../../http";
import { P, type Neutron } from "./context";

/** Quotas: limits, and with details what is used. */
export function quotaRoutes(router: Router, neutron: Neutron): void {
  const { engine, need, ok } = neutron;
  const keys = ["network", "subnet", "port", "router", "floatingip", "security_group"] as const;
  const map = {
    network: "networks",
    subnet: "subnets",
    port: "ports",
    router: "routers",
    floatingip: "floatingips",
    security_group: "security_groups",
  } as const;
  router.on("GET", `${P}/quotas/:project/details`, (req, { project }) => {
    const { projectId } = need(req);
    if (project !== projectId) throw fault("network", 403, "Not authorized.", "Forbidden");
    const q = engine.quota(projectId);
    const u = engine.usage(projectId);
    return ok(200, {
      quota: Object.fromEntries(keys.map((k) => [k, { limit: q[map[k]], used: u[map[k]], reserved: 0 }])),
    });
  });
  router.on("GET", `${P}/quotas/:project`, (req, { project }) => {
    const { projectId } = need(req);
    if (project !== projectId) throw fault("network", 403, "Not authorized.", "Forbidden");
    const q = engine.quota(projectId);
    return ok(200, { quota: Object.fromEntries(keys.map((k) => [k, q[map[k]]])) });
  });
}
