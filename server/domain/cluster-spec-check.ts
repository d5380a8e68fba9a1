import { z } from "zod";
import { ClusterSpec, LIMITS, type Scaling } from "@/server/contracts/cluster";
import { checkAddons, defaultAddons } from "./addons";
import { checkClusterCidrs, parseCidr } from "./cidr";
import { checkPolicies, defaultPolicies } from "./policies";
import { ALL_VERSIONS, NEWEST_VERSION, versionInfo } from "./versions";

/**
 * A cluster spec as the services accept it: the contract's shape, the
 * catalog's defaults (the newest version, its system addons, the
 * pre-configured policies) and every rule across fields, each issue on the
 * field it is about (forms show them there).
 */
export const CheckedClusterSpec = ClusterSpec.extend({
  version: z.string().default(NEWEST_VERSION),
  addons: ClusterSpec.shape.addons.default(() => defaultAddons(NEWEST_VERSION)),
  policies: ClusterSpec.shape.policies.default(() => defaultPolicies()),
}).superRefine((s, ctx) => validateClusterSpec(s, ctx));

function groupMaxNodes(g: { scaling: Scaling }): number {
  return g.scaling.mode === "fixed" ? g.scaling.size : g.scaling.max;
}

/** Every cross-field rule, with a message naming the field. */
export function validateClusterSpec(spec: ClusterSpec, ctx: z.RefinementCtx, today = new Date()): void {
  const issue = (path: Array<string | number>, message: string) =>
    ctx.addIssue({ code: "custom", path, message });

  const v = versionInfo(spec.version, today);
  if (!v)
    issue(["version"], `Kubernetes ${spec.version} is not offered. Choose one of ${ALL_VERSIONS.join(", ")}`);

  const allowed = spec.topology === "single" ? [1] : [3, 5];
  if (!allowed.includes(spec.masterCount)) {
    issue(
      ["masterCount"],
      spec.topology === "single"
        ? "A single-master cluster has exactly 1 master"
        : `A ${spec.topology} cluster has 3 or 5 masters`,
    );
  }

  for (const c of checkClusterCidrs(spec)) issue(c.path, c.message);
  spec.apiAccess.allowedCidrs.forEach((c, i) => {
    if (!parseCidr(c)) issue(["apiAccess", "allowedCidrs", i], `'${c}' is not a CIDR (e.g. 203.0.113.0/24)`);
  });
  if (!spec.apiAccess.public && spec.apiAccess.allowedCidrs.length > 0) {
    issue(["apiAccess", "allowedCidrs"], "An allowlist applies only to a public API endpoint");
  }

  const names = new Map<string, number>();
  let total = 0;
  spec.nodeGroups.forEach((g, i) => {
    const first = names.get(g.name);
    if (first !== undefined)
      issue(["nodeGroups", i, "name"], `Node group name '${g.name}' is already used by group ${first + 1}`);
    else names.set(g.name, i);
    if (g.scaling.mode === "autoscale" && g.scaling.min > g.scaling.max)
      issue(["nodeGroups", i, "scaling", "min"], "The minimum must not exceed the maximum");
    if (g.antiAffinity && groupMaxNodes(g) > LIMITS.antiAffinityMaxNodes) {
      issue(
        ["nodeGroups", i, "antiAffinity"],
        `Anti-affinity places each node on its own host: at most ${LIMITS.antiAffinityMaxNodes} nodes (this group can have ${groupMaxNodes(g)})`,
      );
    }
    total += groupMaxNodes(g);
  });
  if (total > LIMITS.nodesPerCluster)
    issue(
      ["nodeGroups"],
      `At most ${LIMITS.nodesPerCluster} worker nodes per cluster; these groups can reach ${total}`,
    );

  const kubernetes = v ? spec.version : null;
  for (const a of checkAddons(spec.addons, kubernetes))
    issue(a.index < spec.addons.length ? ["addons", a.index, a.field] : ["addons"], a.message);
  for (const p of checkPolicies(spec.policies, kubernetes)) issue(["policies", ...p.path], p.message);
}
