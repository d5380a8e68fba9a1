import type { Engine } from "../../engine";
import type { Router } from "../../http";
import { neutronContext } from "./context";
import { floatingIpRoutes } from "./floating-ips";
import { genericRoutes } from "./generic";
import { metaRoutes } from "./meta";
import { networkRoutes } from "./networks";
import { portRoutes } from "./ports";
import { quotaRoutes } from "./quotas";
import { routerRoutes } from "./routers";
import { securityGroupRoutes } from "./security-groups";
import { subnetRoutes } from "./subnets";

/** Neutron (networking v2.0): one file per resource, registered in this order (first match wins). */
export function neutronRoutes(router: Router, engine: Engine): void {
  const neutron = neutronContext(engine);
  metaRoutes(router, neutron);
  genericRoutes(router, neutron);
  networkRoutes(router, neutron);
  subnetRoutes(router, neutron);
  portRoutes(router, neutron);
  routerRoutes(router, neutron);
  securityGroupRoutes(router, neutron);
  floatingIpRoutes(router, neutron);
  quotaRoutes(router, neutron);
}
