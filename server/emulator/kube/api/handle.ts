import { Router } from "../../http";
import {
  noSuchResource,
  status,
  type ApiContext,
  type KubeCall,
  type KubeRequest,
  type KubeResponse,
  type KubeRouter,
} from "./common";
import { discoveryRoutes, publicRoutes } from "./discovery";
import { gatekeeperRoutes } from "./gatekeeper";
import { nodeRoutes } from "./nodes";
import { podRoutes } from "./pods";
import { secretRoutes } from "./secrets";
import { appliedRoutes } from "./applied";
import { objectRoutes } from "./objects";
import { crdRoutes, customObjectRoutes } from "./crds";
import { configMapRoutes } from "./stored";
import { workloadRoutes } from "./workloads";

export type { ApiContext, KubeRequest, KubeResponse } from "./common";

/**
 * The Kubernetes REST API of one emulated cluster: discovery, nodes (get,
 * list, patch for cordon), pods (list, delete, eviction), events, PDBs,
 * deployments, the apiserver's deprecated-API metric, the Secret the
 * console pushes a rotated PKI through, ConfigMaps and Gatekeeper's
 * objects. JSON as a real API server answers it, including server-side
 * tables for `kubectl get`. Each resource's handlers are in its own file,
 * on the same Router the OpenStack services use.
 */

/** Health and version: answered to anyone. */
const publicApi: KubeRouter = new Router<KubeCall, KubeResponse>();
publicRoutes(publicApi);

/** Everything else: only for `system:masters` (the console's and kubectl's admin certificates). */
const api: KubeRouter = new Router<KubeCall, KubeResponse>();
discoveryRoutes(api);
nodeRoutes(api);
podRoutes(api);
workloadRoutes(api);
secretRoutes(api);
configMapRoutes(api);
gatekeeperRoutes(api);
appliedRoutes(api);
objectRoutes(api);
crdRoutes(api);
// Last: answers only for what a CRD serves.
customObjectRoutes(api);

export function handleKube(ctx: ApiContext, req: KubeRequest): KubeResponse {
  const p = req.path.replace(/\/+$/, "") || "/";
  if (req.query.get("watch") === "true" || req.query.get("watch") === "1")
    return status(405, "MethodNotAllowed", "watch is not supported by this emulated API server");
  const call: KubeCall = {
    ctx,
    req,
    nodes: new Map(ctx.nodes.map((n) => [n.name, n])),
    now: ctx.engine.now(),
  };

  const open = publicApi.match(req.method, p);
  if (open && open !== "method-not-allowed") return open.handler(call, open.params);
  if (!req.user.groups.includes("system:masters")) {
    return status(
      403,
      "Forbidden",
      `${p} is forbidden: User "${req.user.name}" cannot ${req.method.toLowerCase()} this resource`,
    );
  }
  // A path served only for other methods falls through to 404, as it did before any 405 was written.
  const matched = api.match(req.method, p);
  if (!matched || matched === "method-not-allowed") return noSuchResource();
  return matched.handler(call, matched.params);
}
