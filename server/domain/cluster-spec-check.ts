import { z } from "zod";
import { ClusterSpec, LIMITS, type Scaling } from "@/server/contracts/cluster";
import { checkAddons, defaultAddons } from "./addons";
import { isPrivate, overlaps, parseCidr, RESERVED } from "./cidr";
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

  const cidrs: Array<{ path: string[]; label: string; value: string }> = [
    { path: ["podCidr"], label: "pod CIDR", value: spec.podCidr },
    { path: ["serviceCidr"], label: "service CIDR", value: spec.serviceCidr },
  ];
  if (spec.network.mode === "new")
    cidrs.unshift({ path: ["network", "cidr"], label: "node subnet", value: spec.network.cidr });
  const parsed = cidrs.map((c) => ({ ...c, cidr: parseCidr(c.value) }));
  for (const c of parsed) {
    if (!c.cidr) {
      issue(
        c.path,
        `'${c.value}' is not a network in CIDR notation (e.g. 10.0.0.0/24, with no host bits set)`,
      );
      continue;
    }
    const reserved = RESERVED.find(([r]) => overlaps(c.cidr!, parseCidr(r)!));
    if (reserved) issue(c.path, `The ${c.label} ${c.value} overlaps ${reserved[0]} (${reserved[1]})`);
    else if (!isPrivate(c.cidr))
      issue(
        c.path,
        `The ${c.label} must be a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10)`,
      );
  }
  const node = parsed.find((c) => c.label === "node subnet");
  if (node?.cidr && (node.cidr.prefix > 27 || node.cidr.prefix < 16))
    issue(node.path, "The node subnet must be between /16 and /27");
  const pod = parsed.find((c) => c.label === "pod CIDR");
  if (pod?.cidr && pod.cidr.prefix > 20) issue(pod.path, "The pod CIDR must be /20 or larger");
  for (let i = 0; i < parsed.length; i++) {
    for (let j = i + 1; j < parsed.length; j++) {
      const a = parsed[i]!;
      const b = parsed[j]!;
      if (a.cidr && b.cidr && overlaps(a.cidr, b.cidr))
        issue(b.path, `The ${b.label} ${b.value} overlaps the ${a.label} ${a.value}`);
    }
  }
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
