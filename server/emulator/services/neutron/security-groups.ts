import { bodyObject, fault, num, paginate, str, type Router } from "../../http";
import { uuid, type SecurityGroup, type SecurityGroupRule } from "../../state";
import { P, type Neutron } from "./context";
import { ruleView } from "./views";

/** Security groups (born with the two egress rules) and their rules. */
export function securityGroupRoutes(router: Router, neutron: Neutron): void {
  const { engine, s, need, ok, now, views, get, owned, touch, quota, base } = neutron;
  const addRule = (
    g: SecurityGroup,
    r: Omit<SecurityGroupRule, "id" | "securityGroupId" | "projectId" | "createdAt">,
  ) => {
    const rule: SecurityGroupRule = {
      ...r,
      id: uuid(),
      securityGroupId: g.id,
      projectId: g.projectId,
      createdAt: now(),
    };
    s().securityGroupRules[rule.id] = rule;
    g.ruleIds.push(rule.id);
    return rule;
  };
  router.on("POST", `${P}/security-groups`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "security_group", "network");
    if (!str(body, "name")) throw fault("network", 400, "Invalid input for name.", "HTTPBadRequest");
    quota(projectId, "security_groups");
    const g: SecurityGroup = { ...base(projectId, body), ruleIds: [] };
    s().securityGroups[g.id] = g;
    for (const ethertype of ["IPv4", "IPv6"] as const) {
      addRule(g, {
        direction: "egress",
        ethertype,
        protocol: null,
        portRangeMin: null,
        portRangeMax: null,
        remoteIpPrefix: null,
        remoteGroupId: null,
        description: "",
      });
    }
    engine.markDirty();
    return ok(201, { security_group: views["security-groups"](g) });
  });
  router.on("DELETE", `${P}/security-groups/:id`, (req, { id }) => {
    const g = get(req, "security-groups", id!);
    owned(req, g, "security-groups", id!);
    if (Object.values(s().ports).some((p) => p.securityGroupIds.includes(g.id))) {
      throw fault("network", 409, `Security Group ${g.id} in use.`, "SecurityGroupInUse");
    }
    for (const rid of g.ruleIds) delete s().securityGroupRules[rid];
    for (const other of Object.values(s().securityGroupRules))
      if (other.remoteGroupId === g.id) delete s().securityGroupRules[other.id];
    delete s().securityGroups[g.id];
    engine.markDirty();
    return ok(204);
  });
  router.on("GET", `${P}/security-group-rules`, (req) => {
    const { projectId } = need(req);
    const sg = req.query.get("security_group_id");
    const rules = Object.values(s().securityGroupRules).filter(
      (r) => r.projectId === projectId && (!sg || r.securityGroupId === sg),
    );
    const { page, links } = paginate(req, rules, "security_group_rules");
    return ok(200, {
      security_group_rules: page.map(ruleView),
      ...(links.length ? { security_group_rules_links: links } : {}),
    });
  });
  router.on("POST", `${P}/security-group-rules`, (req) => {
    need(req);
    const body = bodyObject(req, "security_group_rule", "network");
    const g = get(req, "security-groups", str(body, "security_group_id") ?? "");
    owned(req, g, "security-groups", g.id);
    const direction = str(body, "direction");
    if (direction !== "ingress" && direction !== "egress")
      throw fault(
        "network",
        400,
        `Invalid input for direction. Reason: '${direction}' is not in ['ingress', 'egress'].`,
        "HTTPBadRequest",
      );
    const ethertype = (str(body, "ethertype") ?? "IPv4") as "IPv4" | "IPv6";
    const protocol = str(body, "protocol") ?? null;
    const min = num(body, "port_range_min") ?? null;
    const max = num(body, "port_range_max") ?? null;
    if (min !== null && max !== null && min > max) {
      throw fault(
        "network",
        400,
        "For TCP/UDP protocols, port_range_min must be <= port_range_max",
        "SecurityGroupInvalidPortRange",
      );
    }
    const remoteIpPrefix = str(body, "remote_ip_prefix") ?? null;
    const remoteGroupId = str(body, "remote_group_id") ?? null;
    const dup = g.ruleIds
      .map((rid) => s().securityGroupRules[rid])
      .find(
        (r) =>
          r &&
          r.direction === direction &&
          r.ethertype === ethertype &&
          r.protocol === protocol &&
          r.portRangeMin === min &&
          r.portRangeMax === max &&
          r.remoteIpPrefix === remoteIpPrefix &&
          r.remoteGroupId === remoteGroupId,
      );
    if (dup)
      throw fault(
        "network",
        409,
        `Security group rule already exists. Rule id is ${dup.id}.`,
        "SecurityGroupRuleExists",
      );
    const rule = addRule(g, {
      direction,
      ethertype,
      protocol,
      portRangeMin: min,
      portRangeMax: max,
      remoteIpPrefix,
      remoteGroupId,
      description: str(body, "description") ?? "",
    });
    touch(g);
    return ok(201, { security_group_rule: ruleView(rule) });
  });
  router.on("DELETE", `${P}/security-group-rules/:id`, (req, { id }) => {
    const { projectId } = need(req);
    const rule = s().securityGroupRules[id!];
    if (!rule || rule.projectId !== projectId)
      throw fault("network", 404, `Security group rule ${id} does not exist`, "SecurityGroupRuleNotFound");
    const g = s().securityGroups[rule.securityGroupId];
    if (g) g.ruleIds = g.ruleIds.filter((r) => r !== rule.id);
    delete s().securityGroupRules[rule.id];
    engine.markDirty();
    return ok(204);
  });
}
