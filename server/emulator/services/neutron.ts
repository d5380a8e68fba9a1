import type { Engine } from "../engine";
import { cidrRange, intToIp, ipToInt } from "../engine";
import {
  bodyObject,
  fault,
  iso,
  matchesTags,
  num,
  paginate,
  str,
  strList,
  type Req,
  type Res,
  type Router,
} from "../http";
import {
  externalNetwork,
  mac,
  uuid,
  type EmuState,
  type FloatingIp,
  type Network,
  type Port,
  type Router as NRouter,
  type SecurityGroup,
  type SecurityGroupRule,
  type Subnet,
} from "../state";

const P = "/network/v2.0";
const CONTROL = new Set([
  "limit",
  "marker",
  "tags",
  "tags-any",
  "not-tags",
  "not-tags-any",
  "fields",
  "sort_key",
  "sort_dir",
  "page_reverse",
]);

interface KindMap {
  networks: Network;
  subnets: Subnet;
  ports: Port;
  routers: NRouter;
  "security-groups": SecurityGroup;
  floatingips: FloatingIp;
}
type Kind = keyof KindMap;
const SINGULAR: Record<Kind, string> = {
  networks: "network",
  subnets: "subnet",
  ports: "port",
  routers: "router",
  "security-groups": "security_group",
  floatingips: "floatingip",
};
const NOT_FOUND_TYPE: Record<Kind, string> = {
  networks: "NetworkNotFound",
  subnets: "SubnetNotFound",
  ports: "PortNotFound",
  routers: "RouterNotFound",
  "security-groups": "SecurityGroupNotFound",
  floatingips: "FloatingIPNotFound",
};
const LABEL: Record<Kind, string> = {
  networks: "Network",
  subnets: "Subnet",
  ports: "Port",
  routers: "Router",
  "security-groups": "Security group",
  floatingips: "Floating IP",
};

function store(state: EmuState, kind: Kind) {
  switch (kind) {
    case "networks":
      return state.networks;
    case "subnets":
      return state.subnets;
    case "ports":
      return state.ports;
    case "routers":
      return state.routers;
    case "security-groups":
      return state.securityGroups;
    case "floatingips":
      return state.floatingIps;
  }
}

export function neutronRoutes(router: Router, engine: Engine): void {
  const s = () => engine.state;
  const need = (req: Req) => {
    if (!req.auth) throw fault("network", 401, "Authentication required", "Unauthorized");
    return req.auth;
  };
  const ok = (status: number, body?: unknown): Res => ({ status, body });
  const now = () => engine.now();

  const std = (x: {
    id: string;
    projectId: string;
    name: string;
    description: string;
    tags: string[];
    createdAt: number;
    updatedAt: number;
    revision: number;
  }) => ({
    id: x.id,
    name: x.name,
    tenant_id: x.projectId,
    description: x.description,
    tags: x.tags,
    created_at: iso.neutron(x.createdAt),
    updated_at: iso.neutron(x.updatedAt),
    revision_number: x.revision,
    project_id: x.projectId,
  });

  const views = {
    networks: (n: Network) => ({
      ...std(n),
      admin_state_up: n.adminStateUp,
      mtu: n.mtu,
      status: "ACTIVE",
      subnets: Object.values(s().subnets)
        .filter((x) => x.networkId === n.id)
        .map((x) => x.id),
      shared: n.shared,
      availability_zone_hints: [],
      availability_zones: ["nova"],
      ipv4_address_scope: null,
      ipv6_address_scope: null,
      "router:external": n.external,
      port_security_enabled: true,
      qos_policy_id: null,
      is_default: false,
    }),
    subnets: (x: Subnet) => ({
      ...std(x),
      network_id: x.networkId,
      ip_version: 4,
      subnetpool_id: null,
      enable_dhcp: x.enableDhcp,
      ipv6_ra_mode: null,
      ipv6_address_mode: null,
      gateway_ip: x.gatewayIp,
      cidr: x.cidr,
      allocation_pools: [x.pool],
      host_routes: [],
      dns_nameservers: x.dnsNameservers,
      service_types: [],
    }),
    ports: (p: Port) => ({
      ...std(p),
      network_id: p.networkId,
      mac_address: p.macAddress,
      admin_state_up: p.adminStateUp,
      status: p.deviceId ? "ACTIVE" : "DOWN",
      device_id: p.deviceId,
      device_owner: p.deviceOwner,
      fixed_ips: p.fixedIps.map((f) => ({ subnet_id: f.subnetId, ip_address: f.ipAddress })),
      allowed_address_pairs: [],
      extra_dhcp_opts: [],
      security_groups: p.securityGroupIds,
      "binding:vnic_type": "normal",
      port_security_enabled: true,
      qos_policy_id: null,
      qos_network_policy_id: null,
    }),
    routers: (r: NRouter) => ({
      ...std(r),
      admin_state_up: true,
      status: "ACTIVE",
      external_gateway_info: r.gateway
        ? {
            network_id: r.gateway.networkId,
            external_fixed_ips: [{ subnet_id: r.gateway.subnetId, ip_address: r.gateway.ipAddress }],
            enable_snat: true,
          }
        : null,
      availability_zones: ["nova"],
      availability_zone_hints: [],
      routes: [],
      flavor_id: null,
    }),
    "security-groups": (g: SecurityGroup) => ({
      ...std(g),
      stateful: true,
      shared: false,
      security_group_rules: g.ruleIds
        .map((id) => s().securityGroupRules[id])
        .filter((r): r is SecurityGroupRule => Boolean(r))
        .map(ruleView),
    }),
    floatingips: (f: FloatingIp) => {
      const port = f.portId ? s().ports[f.portId] : undefined;
      return {
        ...std(f),
        floating_ip_address: f.address,
        floating_network_id: f.networkId,
        router_id: f.routerId,
        port_id: f.portId,
        fixed_ip_address: f.fixedIpAddress,
        status: f.portId ? "ACTIVE" : "DOWN",
        qos_policy_id: null,
        port_details: port
          ? {
              name: port.name,
              network_id: port.networkId,
              mac_address: port.macAddress,
              admin_state_up: true,
              status: "ACTIVE",
              device_id: port.deviceId,
              device_owner: port.deviceOwner,
            }
          : null,
      };
    },
  } satisfies Record<Kind, (x: never) => Record<string, unknown>>;

  function ruleView(r: SecurityGroupRule) {
    return {
      id: r.id,
      tenant_id: r.projectId,
      security_group_id: r.securityGroupId,
      ethertype: r.ethertype,
      direction: r.direction,
      protocol: r.protocol,
      port_range_min: r.portRangeMin,
      port_range_max: r.portRangeMax,
      remote_ip_prefix: r.remoteIpPrefix,
      remote_address_group_id: null,
      normalized_cidr: r.remoteIpPrefix,
      remote_group_id: r.remoteGroupId,
      description: r.description,
      tags: [],
      created_at: iso.neutron(r.createdAt),
      updated_at: iso.neutron(r.createdAt),
      revision_number: 0,
      project_id: r.projectId,
    };
  }

  const view = (kind: Kind, x: unknown) => (views[kind] as (y: unknown) => Record<string, unknown>)(x);

  const get = <K extends Kind>(req: Req, kind: K, id: string): KindMap[K] => {
    const { projectId } = need(req);
    const x = (
      store(s(), kind) as Record<string, { projectId: string; external?: boolean; shared?: boolean }>
    )[id];
    const visible =
      x && (x.projectId === projectId || x.external === true || x.shared === true || isExternalSubnet(x));
    if (!visible)
      throw fault("network", 404, `${LABEL[kind]} ${id} could not be found.`, NOT_FOUND_TYPE[kind]);
    return x as unknown as KindMap[K];
  };
  const isExternalSubnet = (x: unknown) => {
    const sub = x as Partial<Subnet>;
    return typeof sub.networkId === "string" && s().networks[sub.networkId]?.external === true;
  };
  const owned = (req: Req, x: { projectId: string }, kind: Kind, id: string) => {
    if (x.projectId !== need(req).projectId)
      throw fault("network", 404, `${LABEL[kind]} ${id} could not be found.`, NOT_FOUND_TYPE[kind]);
  };
  const touch = (x: { updatedAt: number; revision: number }) => {
    x.updatedAt = now();
    x.revision += 1;
    engine.markDirty();
  };
  const quota = (
    projectId: string,
    key: "networks" | "subnets" | "ports" | "routers" | "security_groups" | "floatingips",
  ) => {
    if (engine.overQuota(projectId, { [key]: 1 }).length) {
      const name = {
        networks: "network",
        subnets: "subnet",
        ports: "port",
        routers: "router",
        security_groups: "security_group",
        floatingips: "floatingip",
      }[key];
      throw fault("network", 409, `Quota exceeded for resources: ['${name}'].`, "OverQuota");
    }
  };
  const base = (projectId: string, body: Record<string, unknown>) => ({
    id: uuid(),
    projectId,
    name: str(body, "name") ?? "",
    description: str(body, "description") ?? "",
    tags: strList(body, "tags") ?? [],
    createdAt: now(),
    updatedAt: now(),
    revision: 0,
  });

  // ── versions ──────────────────────────────────────────────────────────────
  router.on("GET", "/network", (req) =>
    ok(200, {
      versions: [{ id: "v2.0", status: "CURRENT", links: [{ rel: "self", href: `${req.baseUrl}${P}/` }] }],
    }),
  );
  router.on("GET", P, (req) =>
    ok(200, {
      resources: (Object.keys(SINGULAR) as Kind[]).map((k) => ({
        name: SINGULAR[k],
        collection: k,
        links: [{ rel: "self", href: `${req.baseUrl}${P}/${k}` }],
      })),
    }),
  );

  const EXTENSIONS = [
    ["external-net", "Neutron external network"],
    ["router", "Neutron L3 Router"],
    ["security-group", "security-group"],
    ["quotas", "Quota management support"],
    ["quota_details", "Quota details management support"],
    [
      "standard-attr-tag",
      "Tag support for resources with standard attribute: subnet, trunk, network_segment_range, router, network, policy, subnetpool, port, security_group, floatingip",
    ],
    ["standard-attr-description", "standard-attr-description"],
    ["standard-attr-timestamp", "Resource timestamps"],
    ["standard-attr-revisions", "Resource revision numbers"],
    ["binding", "Port Binding"],
    ["port-security", "Port Security"],
    ["allowed-address-pairs", "Allowed Address Pairs"],
    ["ext-gw-mode", "Neutron L3 Configurable external gateway mode"],
    ["fip-port-details", "Floating IP Port Details Extension"],
    ["pagination", "Pagination support"],
    ["sorting", "Sorting support"],
  ] as const;
  router.on("GET", `${P}/extensions`, (req) => {
    need(req);
    return ok(200, {
      extensions: EXTENSIONS.map(([alias, name]) => ({
        alias,
        name,
        description: name,
        updated: "2023-03-01T00:00:00-00:00",
        links: [],
      })),
    });
  });
  router.on("GET", `${P}/extensions/:alias`, (req, { alias }) => {
    need(req);
    const e = EXTENSIONS.find(([a]) => a === alias);
    if (!e) throw fault("network", 404, `Extension with alias ${alias} does not exist`, "ExtensionNotFound");
    return ok(200, {
      extension: {
        alias: e[0],
        name: e[1],
        description: e[1],
        updated: "2023-03-01T00:00:00-00:00",
        links: [],
      },
    });
  });

  // ── generic list, get, tags ───────────────────────────────────────────────
  for (const kind of Object.keys(SINGULAR) as Kind[]) {
    const collection = kind.replace("-", "_");
    router.on("GET", `${P}/${kind}`, (req) => {
      const { projectId } = need(req);
      const all = Object.values(
        store(s(), kind) as Record<
          string,
          { id: string; projectId: string; tags: string[]; external?: boolean; createdAt: number }
        >,
      );
      let items = all
        .filter(
          (x) =>
            x.projectId === projectId || x.external === true || (kind === "subnets" && isExternalSubnet(x)),
        )
        .filter((x) => matchesTags(x.tags, req.query))
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      // Any attribute can be a filter, as in Neutron; repeated keys mean "any of".
      const filters = new Map<string, string[]>();
      for (const [k, v] of req.query) if (!CONTROL.has(k)) filters.set(k, [...(filters.get(k) ?? []), v]);
      if (filters.size) {
        items = items.filter((x) => {
          const v = view(kind, x);
          for (const [k, wanted] of filters) {
            if (k === "fixed_ips") continue;
            const actual = v[k];
            if (actual === undefined) continue;
            if (!wanted.includes(String(actual))) return false;
          }
          return true;
        });
      }
      const { page, links } = paginate(req, items, collection);
      return ok(200, {
        [collection]: page.map((x) => view(kind, x)),
        ...(links.length ? { [`${collection}_links`]: links } : {}),
      });
    });
    router.on("GET", `${P}/${kind}/:id`, (req, { id }) =>
      ok(200, { [SINGULAR[kind]]: view(kind, get(req, kind, id!)) }),
    );

    // Tags (standard-attr-tag): replace all, add one, check, remove one, remove all.
    const tagged = (req: Req, id: string) => {
      const x = get(req, kind, id) as unknown as {
        tags: string[];
        projectId: string;
        updatedAt: number;
        revision: number;
      };
      owned(req, x, kind, id);
      return x;
    };
    router.on("GET", `${P}/${kind}/:id/tags`, (req, { id }) => ok(200, { tags: tagged(req, id!).tags }));
    router.on("PUT", `${P}/${kind}/:id/tags`, (req, { id }) => {
      const x = tagged(req, id!);
      const tags = strList((req.body ?? {}) as Record<string, unknown>, "tags");
      if (!tags)
        throw fault("network", 400, "Invalid input: 'tags' must be a list of strings.", "HTTPBadRequest");
      x.tags = [...new Set(tags)];
      touch(x);
      return ok(200, { tags: x.tags });
    });
    router.on("PUT", `${P}/${kind}/:id/tags/:tag`, (req, { id, tag }) => {
      const x = tagged(req, id!);
      if (!x.tags.includes(tag!)) x.tags.push(tag!);
      touch(x);
      return ok(201);
    });
    router.on("GET", `${P}/${kind}/:id/tags/:tag`, (req, { id, tag }) => {
      if (!tagged(req, id!).tags.includes(tag!))
        throw fault(
          "network",
          404,
          `Tag ${tag} could not be found for ${SINGULAR[kind]} ${id}.`,
          "TagNotFound",
        );
      return ok(204);
    });
    router.on("DELETE", `${P}/${kind}/:id/tags/:tag`, (req, { id, tag }) => {
      const x = tagged(req, id!);
      if (!x.tags.includes(tag!))
        throw fault(
          "network",
          404,
          `Tag ${tag} could not be found for ${SINGULAR[kind]} ${id}.`,
          "TagNotFound",
        );
      x.tags = x.tags.filter((t) => t !== tag);
      touch(x);
      return ok(204);
    });
    router.on("DELETE", `${P}/${kind}/:id/tags`, (req, { id }) => {
      const x = tagged(req, id!);
      x.tags = [];
      touch(x);
      return ok(204);
    });
    router.on("PUT", `${P}/${kind}/:id`, (req, { id }) => {
      const x = get(req, kind, id!) as unknown as {
        name: string;
        description: string;
        projectId: string;
        updatedAt: number;
        revision: number;
      };
      owned(req, x, kind, id!);
      const body = bodyObject(req, SINGULAR[kind], "network");
      if (typeof body.name === "string") x.name = body.name;
      if (typeof body.description === "string") x.description = body.description;
      if (kind === "ports" && Array.isArray(body.security_groups))
        (x as unknown as Port).securityGroupIds = body.security_groups as string[];
      if (kind === "ports" && typeof body.device_id === "string")
        (x as unknown as Port).deviceId = body.device_id;
      if (kind === "routers" && "external_gateway_info" in body)
        setGateway(x as unknown as NRouter, body.external_gateway_info);
      if (kind === "floatingips" && "port_id" in body) associate(x as unknown as FloatingIp, body.port_id);
      touch(x);
      return ok(200, { [SINGULAR[kind]]: view(kind, x) });
    });
  }

  // ── networks ──────────────────────────────────────────────────────────────
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
    s().networks[n.id] = n;
    engine.markDirty();
    return ok(201, { network: views.networks(n) });
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

  // ── subnets ───────────────────────────────────────────────────────────────
  router.on("POST", `${P}/subnets`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "subnet", "network");
    const net = get(req, "networks", str(body, "network_id") ?? "");
    owned(req, net, "networks", net.id);
    const cidr = str(body, "cidr");
    if (!cidr || !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr))
      throw fault(
        "network",
        400,
        `Invalid input for cidr. Reason: '${cidr}' is not a valid IP subnet.`,
        "HTTPBadRequest",
      );
    if (num(body, "ip_version") !== undefined && num(body, "ip_version") !== 4)
      throw fault("network", 400, "Only IPv4 subnets are emulated.", "HTTPBadRequest");
    const { network, size } = cidrRange(cidr);
    if (size < 4)
      throw fault("network", 400, `Invalid input for cidr: ${cidr} is too small.`, "HTTPBadRequest");
    const overlap = Object.values(s().subnets).find((x) => {
      if (x.networkId !== net.id) return false;
      const r = cidrRange(x.cidr);
      return network < r.network + r.size && r.network < network + size;
    });
    if (overlap)
      throw fault(
        "network",
        400,
        `Invalid input for operation: Requested subnet with cidr: ${cidr} for network: ${net.id} overlaps with another subnet.`,
        "InvalidInput",
      );
    quota(projectId, "subnets");
    const gateway = body.gateway_ip === null ? null : (str(body, "gateway_ip") ?? intToIp(network + 1));
    const pools = Array.isArray(body.allocation_pools)
      ? (body.allocation_pools as Array<{ start: string; end: string }>)
      : null;
    const sub: Subnet = {
      ...base(projectId, body),
      networkId: net.id,
      cidr: `${intToIp(network)}/${cidr.split("/")[1]}`,
      gatewayIp: gateway,
      enableDhcp: body.enable_dhcp !== false,
      dnsNameservers: strList(body, "dns_nameservers") ?? [],
      pool: pools?.[0] ?? { start: intToIp(network + 2), end: intToIp(network + size - 2) },
    };
    if (gateway && (ipToInt(gateway) < network || ipToInt(gateway) >= network + size)) {
      throw fault(
        "network",
        400,
        `Invalid input for operation: Gateway IP ${gateway} conflicts with subnet ${cidr}.`,
        "InvalidInput",
      );
    }
    s().subnets[sub.id] = sub;
    engine.markDirty();
    return ok(201, { subnet: views.subnets(sub) });
  });
  router.on("DELETE", `${P}/subnets/:id`, (req, { id }) => {
    const sub = get(req, "subnets", id!);
    owned(req, sub, "subnets", id!);
    const inUse = Object.values(s().ports).some((p) => p.fixedIps.some((f) => f.subnetId === sub.id));
    if (inUse)
      throw fault(
        "network",
        409,
        `Unable to complete operation on subnet ${sub.id}: One or more ports have an IP allocation from this subnet.`,
        "SubnetInUse",
      );
    delete s().subnets[sub.id];
    engine.markDirty();
    return ok(204);
  });

  // ── ports ─────────────────────────────────────────────────────────────────
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
      if (!ip)
        throw fault(
          "network",
          409,
          `No more IP addresses available on network ${net.id}.`,
          "IpAddressGenerationFailure",
        );
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
    s().ports[port.id] = port;
    engine.markDirty();
    return ok(201, { port: views.ports(port) });
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

  // ── routers ───────────────────────────────────────────────────────────────
  function setGateway(r: NRouter, info: unknown) {
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
    if (!ip)
      throw fault(
        "network",
        409,
        `No more IP addresses available on network ${net.id}.`,
        "IpAddressGenerationFailure",
      );
    r.gateway = { networkId: net.id, subnetId: sub.id, ipAddress: ip };
  }
  router.on("POST", `${P}/routers`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "router", "network");
    quota(projectId, "routers");
    const r: NRouter = { ...base(projectId, body), gateway: null, interfaceSubnetIds: [] };
    if (body.external_gateway_info) setGateway(r, body.external_gateway_info);
    s().routers[r.id] = r;
    engine.markDirty();
    return ok(201, { router: views.routers(r) });
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

  // ── security groups and rules ─────────────────────────────────────────────
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

  // ── floating IPs ──────────────────────────────────────────────────────────
  function associate(fip: FloatingIp, portId: unknown) {
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
    if (!address)
      throw fault(
        "network",
        409,
        `No more IP addresses available on network ${netId}.`,
        "IpAddressGenerationFailure",
      );
    const fip: FloatingIp = {
      ...base(projectId, body),
      name: "",
      address,
      networkId: net.id,
      portId: null,
      fixedIpAddress: null,
      routerId: null,
    };
    if (body.port_id !== undefined && body.port_id !== null) associate(fip, body.port_id);
    s().floatingIps[fip.id] = fip;
    engine.markDirty();
    return ok(201, { floatingip: views.floatingips(fip) });
  });
  router.on("DELETE", `${P}/floatingips/:id`, (req, { id }) => {
    const fip = get(req, "floatingips", id!);
    owned(req, fip, "floatingips", id!);
    delete s().floatingIps[fip.id];
    engine.markDirty();
    return ok(204);
  });

  // ── quotas ────────────────────────────────────────────────────────────────
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
