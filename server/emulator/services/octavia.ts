import { createHash } from "node:crypto";
import type { Engine } from "../engine";
import { loadFactor } from "../kube/workload";
import {
  bodyObject,
  LIST_CONTROL_PARAMS,
  standardAttrs,
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
  mac,
  uuid,
  type HealthMonitor,
  type Listener,
  type LoadBalancer,
  type Member,
  type Pool,
  type Port,
} from "../state";

const P = "/load-balancer/v2/lbaas";
/** Query parameters that are not attribute filters. */
const OCTAVIA_CONTROL = new Set<string>([...LIST_CONTROL_PARAMS, "sort", "page_reverse"]);
type OpStatus = "ONLINE" | "OFFLINE" | "DEGRADED" | "ERROR" | "NO_MONITOR";

export function octaviaRoutes(router: Router, engine: Engine): void {
  const s = () => engine.state;
  const need = (req: Req) => {
    if (!req.auth) throw fault("load-balancer", 401, "Authentication required");
    return req.auth;
  };
  const ok = (status: number, body?: unknown): Res => ({ status, body });
  const now = () => engine.now();

  // ── operating status, derived from what the members really are ───────────
  const memberStatus = (m: Member, pool: Pool): OpStatus => {
    if (!m.adminStateUp) return "OFFLINE";
    if (!pool.healthMonitorId) return "NO_MONITOR";
    const port = Object.values(s().ports).find(
      (p) => p.projectId === m.projectId && p.fixedIps.some((f) => f.ipAddress === m.address),
    );
    const server = port ? s().servers[port.deviceId] : undefined;
    if (!server) return "ERROR";
    const up =
      server.status === "ACTIVE" &&
      !server.taskState?.startsWith("powering-off") &&
      !s().zonesDown.includes(server.az);
    return up ? "ONLINE" : "ERROR";
  };
  const poolStatus = (pool: Pool): OpStatus => {
    const members = Object.values(s().members).filter(
      (m) => m.poolId === pool.id && m.provisioningStatus !== "PENDING_CREATE",
    );
    if (members.length === 0) return "ONLINE";
    const st = members.map((m) => memberStatus(m, pool));
    if (st.every((x) => x === "ERROR")) return "ERROR";
    if (st.some((x) => x === "ERROR")) return "DEGRADED";
    return "ONLINE";
  };
  const listenerStatus = (l: Listener): OpStatus => {
    if (!l.adminStateUp) return "OFFLINE";
    const pool = l.defaultPoolId ? s().pools[l.defaultPoolId] : undefined;
    const p = pool ? poolStatus(pool) : "ONLINE";
    return p === "ERROR" ? "ERROR" : p === "DEGRADED" ? "DEGRADED" : "ONLINE";
  };
  const lbStatus = (lb: LoadBalancer): OpStatus => {
    if (lb.provisioningStatus === "PENDING_CREATE" || lb.provisioningStatus === "ERROR") return "OFFLINE";
    // Active/standby: while a failed amphora is rebuilt, the standby holds the VIP and the LB stays ONLINE.
    const ls = Object.values(s().listeners)
      .filter((l) => l.loadBalancerId === lb.id)
      .map(listenerStatus);
    if (ls.some((x) => x === "ERROR" || x === "DEGRADED")) return "DEGRADED";
    return "ONLINE";
  };

  const common = (x: {
    id: string;
    name: string;
    description: string;
    projectId: string;
    provisioningStatus: string;
    adminStateUp: boolean;
    createdAt: number;
    updatedAt: number;
    tags: string[];
  }) => ({
    id: x.id,
    name: x.name,
    description: x.description,
    provisioning_status: x.provisioningStatus,
    admin_state_up: x.adminStateUp,
    project_id: x.projectId,
    created_at: iso.octavia(x.createdAt),
    updated_at: iso.octavia(x.updatedAt),
    tags: x.tags,
    tenant_id: x.projectId,
  });
  const children = <T extends { loadBalancerId?: string; poolId?: string }>(
    r: Record<string, T>,
    key: "loadBalancerId" | "poolId",
    id: string,
  ) => Object.values(r).filter((x) => x[key] === id) as Array<T & { id: string }>;

  const lbView = (lb: LoadBalancer) => ({
    ...common(lb),
    operating_status: lbStatus(lb),
    vip_address: lb.vipAddress,
    vip_port_id: lb.vipPortId,
    vip_subnet_id: lb.vipSubnetId,
    vip_network_id: lb.vipNetworkId,
    additional_vips: [],
    listeners: children(s().listeners, "loadBalancerId", lb.id).map((l) => ({ id: l.id })),
    pools: children(s().pools, "loadBalancerId", lb.id).map((p) => ({ id: p.id })),
    provider: lb.provider,
    flavor_id: null,
    vip_qos_policy_id: null,
    availability_zone: lb.az,
  });
  const listenerView = (l: Listener) => ({
    ...common(l),
    operating_status: listenerStatus(l),
    protocol: l.protocol,
    protocol_port: l.protocolPort,
    connection_limit: l.connectionLimit,
    default_tls_container_ref: null,
    sni_container_refs: [],
    default_pool_id: l.defaultPoolId,
    l7policies: [],
    insert_headers: {},
    loadbalancers: [{ id: l.loadBalancerId }],
    timeout_client_data: 50000,
    timeout_member_connect: 5000,
    timeout_member_data: 50000,
    timeout_tcp_inspect: 0,
    client_ca_tls_container_ref: null,
    client_authentication: "NONE",
    client_crl_container_ref: null,
    allowed_cidrs: l.allowedCidrs,
    tls_ciphers: null,
    tls_versions: null,
    alpn_protocols: null,
    hsts_include_subdomains: false,
    hsts_max_age: null,
    hsts_preload: false,
  });
  const poolView = (p: Pool) => ({
    ...common(p),
    operating_status: poolStatus(p),
    protocol: p.protocol,
    lb_algorithm: p.lbAlgorithm,
    session_persistence: null,
    loadbalancers: [{ id: p.loadBalancerId }],
    listeners: p.listenerId ? [{ id: p.listenerId }] : [],
    // Octavia leaves an unset monitor out of the pool (the zed-lab and default profiles do too).
    ...(p.healthMonitorId || !engine.profile.omitOptionalFields
      ? { healthmonitor_id: p.healthMonitorId }
      : {}),
    members: children(s().members, "poolId", p.id).map((m) => ({ id: m.id })),
    tls_container_ref: null,
    ca_tls_container_ref: null,
    crl_container_ref: null,
    tls_enabled: false,
    tls_ciphers: null,
    tls_versions: null,
    alpn_protocols: null,
  });
  const memberView = (m: Member) => {
    const pool = s().pools[m.poolId]!;
    return {
      ...common(m),
      operating_status: memberStatus(m, pool),
      address: m.address,
      protocol_port: m.protocolPort,
      weight: m.weight,
      backup: false,
      subnet_id: m.subnetId,
      monitor_address: null,
      monitor_port: null,
    };
  };
  const hmView = (h: HealthMonitor) => ({
    ...common(h),
    operating_status: "ONLINE",
    type: h.type,
    delay: h.delay,
    timeout: h.timeout,
    max_retries: h.maxRetries,
    max_retries_down: h.maxRetriesDown,
    http_method: h.httpMethod,
    url_path: h.urlPath,
    expected_codes: h.expectedCodes,
    pools: [{ id: h.poolId }],
    http_version: h.httpMethod ? 1.0 : null,
    domain_name: null,
  });

  const lb = (req: Req, id: string) => {
    const x = s().loadBalancers[id];
    if (!x || x.projectId !== need(req).projectId)
      throw fault("load-balancer", 404, `Load Balancer ${id} not found.`);
    return x;
  };
  const mutable = (x: LoadBalancer) => {
    if (x.provisioningStatus !== "ACTIVE") {
      throw fault(
        "load-balancer",
        409,
        `Invalid state ${x.provisioningStatus} of loadbalancer resource ${x.id}`,
      );
    }
  };
  /** A child change: the LB goes PENDING_UPDATE until the change is applied. */
  const childChange = (x: LoadBalancer) => {
    x.provisioningStatus = "PENDING_UPDATE";
    x.updatedAt = now();
    engine.schedule("lb.active", x.id, "lbUpdate");
    engine.markDirty();
  };
  const base = (projectId: string, body: Record<string, unknown>) => ({
    ...standardAttrs(projectId, body, now),
    adminStateUp: body.admin_state_up !== false,
  });
  const listOf = <T extends { id: string; projectId: string; tags: string[]; createdAt: number }>(
    req: Req,
    items: T[],
    collection: string,
    v: (x: T) => Record<string, unknown>,
    extra: (x: T) => boolean = () => true,
  ) => {
    const { projectId } = need(req);
    const filters = [...req.query].filter(([k]) => !OCTAVIA_CONTROL.has(k));
    const mine = items
      .filter((x) => x.projectId === projectId && extra(x) && matchesTags(x.tags, req.query))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .filter((x) => {
        const view = v(x);
        return filters.every(([k, val]) => view[k] === undefined || String(view[k]) === val);
      });
    const { page, links } = paginate(req, mine, collection);
    return ok(200, { [collection]: page.map(v), [`${collection}_links`]: links });
  };

  // ── versions and quotas ───────────────────────────────────────────────────
  router.on("GET", "/load-balancer", (req) =>
    ok(200, {
      versions: [
        {
          id: "v2.0",
          status: "CURRENT",
          updated: "2023-03-14T00:00:00Z",
          links: [{ rel: "self", href: `${req.baseUrl}/load-balancer/v2` }],
        },
      ],
    }),
  );
  router.on("GET", `${P}/quotas/:project`, (req, { project }) => {
    const { projectId } = need(req);
    if (project !== projectId)
      throw fault("load-balancer", 403, "Policy does not allow this request to be performed.");
    const q = engine.quota(projectId);
    return ok(200, {
      quota: {
        load_balancer: q.loadbalancers,
        listener: -1,
        member: -1,
        pool: -1,
        health_monitor: -1,
        l7policy: -1,
        l7rule: -1,
      },
    });
  });

  // ── load balancers ────────────────────────────────────────────────────────
  router.on("GET", `${P}/loadbalancers`, (req) =>
    listOf(req, Object.values(s().loadBalancers), "loadbalancers", lbView),
  );
  router.on("GET", `${P}/loadbalancers/:id`, (req, { id }) =>
    ok(200, { loadbalancer: lbView(lb(req, id!)) }),
  );
  router.on("POST", `${P}/loadbalancers`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "loadbalancer", "load-balancer");
    const subnetId = str(body, "vip_subnet_id");
    const networkId = str(body, "vip_network_id");
    const subnet = subnetId
      ? s().subnets[subnetId]
      : Object.values(s().subnets).find((x) => x.networkId === networkId && x.projectId === projectId);
    if (!subnet || subnet.projectId !== projectId) {
      throw fault(
        "load-balancer",
        400,
        subnetId
          ? `Validation failure: Subnet ${subnetId} not found.`
          : "Validation failure: VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id.",
      );
    }
    if (engine.overQuota(projectId, { loadbalancers: 1 }).length)
      throw fault("load-balancer", 403, "Quota has been met for resources: Load Balancer");
    const address = str(body, "vip_address") ?? engine.allocateIp(subnet);
    if (!address) throw fault("load-balancer", 409, `No more IP addresses available on subnet ${subnet.id}.`);
    const id = uuid();
    const port: Port = {
      id: uuid(),
      projectId,
      name: `octavia-lb-${id}`,
      description: "",
      tags: [],
      createdAt: now(),
      updatedAt: now(),
      revision: 1,
      networkId: subnet.networkId,
      macAddress: mac(),
      fixedIps: [{ subnetId: subnet.id, ipAddress: address }],
      deviceId: `lb-${id}`,
      deviceOwner: "Octavia",
      securityGroupIds: [],
      adminStateUp: false,
    };
    s().ports[port.id] = port;
    const x: LoadBalancer = {
      ...base(projectId, body),
      id,
      provisioningStatus: "PENDING_CREATE",
      vipAddress: address,
      vipPortId: port.id,
      vipSubnetId: subnet.id,
      vipNetworkId: subnet.networkId,
      provider: str(body, "provider") ?? "amphora",
      az: str(body, "availability_zone") ?? null,
      activeAmphora: 0,
      failovers: 0,
      failoverUntil: null,
    };
    s().loadBalancers[id] = x;
    engine.schedule("lb.active", id, "lbCreate");
    engine.markDirty();
    return ok(201, { loadbalancer: lbView(x) });
  });
  router.on("PUT", `${P}/loadbalancers/:id`, (req, { id }) => {
    const x = lb(req, id!);
    mutable(x);
    const body = bodyObject(req, "loadbalancer", "load-balancer");
    if (typeof body.name === "string") x.name = body.name;
    if (typeof body.description === "string") x.description = body.description;
    if (strList(body, "tags")) x.tags = strList(body, "tags")!;
    childChange(x);
    return ok(200, { loadbalancer: lbView(x) });
  });
  router.on("DELETE", `${P}/loadbalancers/:id`, (req, { id }) => {
    const x = lb(req, id!);
    if (x.provisioningStatus !== "ACTIVE" && x.provisioningStatus !== "ERROR") {
      throw fault(
        "load-balancer",
        409,
        `Invalid state ${x.provisioningStatus} of loadbalancer resource ${x.id}`,
      );
    }
    const cascade = ["true", "1"].includes((req.query.get("cascade") ?? "").toLowerCase());
    const hasChildren =
      children(s().listeners, "loadBalancerId", x.id).length +
        children(s().pools, "loadBalancerId", x.id).length >
      0;
    if (hasChildren && !cascade)
      throw fault("load-balancer", 400, `Cannot delete Load Balancer ${x.id} - it has children`);
    x.provisioningStatus = "PENDING_DELETE";
    x.updatedAt = now();
    engine.schedule("lb.deleted", x.id, "lbDelete");
    engine.markDirty();
    return ok(204);
  });
  router.on("GET", `${P}/loadbalancers/:id/status`, (req, { id }) => {
    const x = lb(req, id!);
    const listeners = children(s().listeners, "loadBalancerId", x.id).map((l) => {
      const pools = Object.values(s().pools).filter((p) => p.listenerId === l.id || p.id === l.defaultPoolId);
      return {
        id: l.id,
        name: l.name,
        operating_status: listenerStatus(l),
        provisioning_status: l.provisioningStatus,
        pools: pools.map((p) => {
          const hm = p.healthMonitorId ? s().healthMonitors[p.healthMonitorId] : undefined;
          return {
            id: p.id,
            name: p.name,
            provisioning_status: p.provisioningStatus,
            operating_status: poolStatus(p),
            ...(hm
              ? {
                  health_monitor: {
                    id: hm.id,
                    name: hm.name,
                    type: hm.type,
                    provisioning_status: hm.provisioningStatus,
                    operating_status: "ONLINE",
                  },
                }
              : {}),
            members: children(s().members, "poolId", p.id).map((m) => ({
              id: m.id,
              name: m.name,
              operating_status: memberStatus(m, p),
              provisioning_status: m.provisioningStatus,
              address: m.address,
              protocol_port: m.protocolPort,
            })),
          };
        }),
      };
    });
    return ok(200, {
      statuses: {
        loadbalancer: {
          id: x.id,
          name: x.name,
          operating_status: lbStatus(x),
          provisioning_status: x.provisioningStatus,
          listeners,
        },
      },
    });
  });
  /**
   * Octavia's amphora API: admin-only by Octavia's default policy, so with
   * the profile's `amphoraAdminOnly` every token here (all are project
   * tokens) gets 403; otherwise the project sees the amphorae of its own
   * load balancers. Active/standby: two amphorae, MASTER and BACKUP; a
   * failed one is rebuilt under a new id.
   */
  const amphoraView = (x: LoadBalancer, slot: 0 | 1) => {
    const gen = x.amphoraGen?.[slot] ?? 0;
    const rebuilding = slot !== x.activeAmphora && x.failoverUntil !== null && x.failoverUntil > now();
    return {
      // Octavia gives every amphora (and its Nova server) its own random UUID; here a stable one per slot and rebuild.
      id: uuidOf(`${x.id}/amphora/${slot}/${gen}`),
      loadbalancer_id: x.id,
      compute_id: uuidOf(`${x.id}/compute/${slot}/${gen}`),
      lb_network_ip: `192.168.0.${10 + slot * 2 + (gen % 2)}`,
      vrrp_ip: null,
      ha_ip: x.vipAddress,
      vrrp_port_id: null,
      ha_port_id: x.vipPortId,
      role: slot === x.activeAmphora ? "MASTER" : "BACKUP",
      status: x.provisioningStatus === "PENDING_CREATE" || rebuilding ? "BOOTING" : "ALLOCATED",
      vrrp_interface: "eth1",
      vrrp_id: 1,
      vrrp_priority: slot === x.activeAmphora ? 100 : 90,
      cached_zone: x.az ?? "nova",
      created_at: iso.octavia(x.createdAt),
      updated_at: iso.octavia(x.updatedAt),
      image_id: null,
      compute_flavor: "amphora",
    };
  };
  router.on("GET", "/load-balancer/v2/octavia/amphorae", (req) => {
    const { projectId } = need(req);
    if (engine.profile.amphoraAdminOnly)
      throw fault("load-balancer", 403, "Policy does not allow this request to be performed.");
    const lbId = req.query.get("loadbalancer_id");
    const lbs = Object.values(s().loadBalancers).filter(
      (x) => x.projectId === projectId && (!lbId || x.id === lbId) && x.provisioningStatus !== "DELETED",
    );
    return ok(200, { amphorae: lbs.flatMap((x) => [amphoraView(x, 0), amphoraView(x, 1)]) });
  });
  /** Statistics of a load balancer: active connections follow its cluster's load (the ingress) or its nodes (the API). */
  router.on("GET", `${P}/loadbalancers/:id/stats`, (req, { id }) => {
    const x = lb(req, id!);
    const members = Object.values(s().members).filter(
      (m) => s().pools[m.poolId]?.loadBalancerId === x.id,
    ).length;
    const clusterId = x.tags.find((t) => t.startsWith("kc-cluster="))?.slice(11);
    const k = clusterId ? s().kube[clusterId] : undefined;
    const minute = Math.floor(now() / 60_000);
    const jitter = ((minute * 2654435761) >>> 0) % 7;
    const addon = x.tags.some((t) => t.startsWith("kc-addon="));
    const active =
      x.provisioningStatus === "ACTIVE" || x.provisioningStatus === "PENDING_UPDATE"
        ? addon && k
          ? Math.round(60 * loadFactor(k.load, now())) + jitter
          : members * 2 + (jitter % 3)
        : 0;
    const total = Math.max(0, Math.round((now() - x.createdAt) / 1000) * (addon ? 3 : 1));
    return ok(200, {
      stats: {
        active_connections: active,
        bytes_in: total * 420,
        bytes_out: total * 1880,
        request_errors: 0,
        total_connections: total,
      },
    });
  });

  // ── listeners ─────────────────────────────────────────────────────────────
  const listener = (req: Req, id: string) => {
    const x = s().listeners[id];
    if (!x || x.projectId !== need(req).projectId)
      throw fault("load-balancer", 404, `Listener ${id} not found.`);
    return x;
  };
  router.on("GET", `${P}/listeners`, (req) =>
    listOf(req, Object.values(s().listeners), "listeners", listenerView),
  );
  router.on("GET", `${P}/listeners/:id`, (req, { id }) =>
    ok(200, { listener: listenerView(listener(req, id!)) }),
  );
  router.on("POST", `${P}/listeners`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "listener", "load-balancer");
    const parent = lb(req, str(body, "loadbalancer_id") ?? "");
    mutable(parent);
    const protocol = str(body, "protocol") ?? "";
    if (!["TCP", "HTTP", "HTTPS", "UDP", "TERMINATED_HTTPS", "SCTP", "PROMETHEUS"].includes(protocol)) {
      throw fault(
        "load-balancer",
        400,
        `Invalid input for field/attribute protocol. Value: '${protocol}'. Value should be one of: HTTP, HTTPS, TCP, TERMINATED_HTTPS, UDP, SCTP, PROMETHEUS`,
      );
    }
    const port = num(body, "protocol_port");
    if (port === undefined || port < 1 || port > 65535)
      throw fault("load-balancer", 400, `Invalid input for field/attribute protocol_port. Value: '${port}'.`);
    const clash = children(s().listeners, "loadBalancerId", parent.id).find(
      (l) => l.protocolPort === port && (l.protocol === "UDP") === (protocol === "UDP"),
    );
    if (clash)
      throw fault(
        "load-balancer",
        409,
        `Another Listener on this Load Balancer is already using protocol_port ${port} and protocol ${protocol}.`,
      );
    const defaultPoolId = str(body, "default_pool_id") ?? null;
    if (defaultPoolId && !s().pools[defaultPoolId])
      throw fault("load-balancer", 404, `Pool ${defaultPoolId} not found.`);
    const x: Listener = {
      ...base(projectId, body),
      provisioningStatus: "PENDING_CREATE",
      loadBalancerId: parent.id,
      protocol,
      protocolPort: port,
      defaultPoolId,
      allowedCidrs: strList(body, "allowed_cidrs") ?? null,
      connectionLimit: num(body, "connection_limit") ?? -1,
    };
    s().listeners[x.id] = x;
    childChange(parent);
    return ok(201, { listener: listenerView(x) });
  });
  router.on("PUT", `${P}/listeners/:id`, (req, { id }) => {
    const x = listener(req, id!);
    const parent = s().loadBalancers[x.loadBalancerId]!;
    mutable(parent);
    const body = bodyObject(req, "listener", "load-balancer");
    if (typeof body.name === "string") x.name = body.name;
    if ("default_pool_id" in body) x.defaultPoolId = (body.default_pool_id as string | null) ?? null;
    if ("allowed_cidrs" in body) x.allowedCidrs = strList(body, "allowed_cidrs") ?? null;
    if (strList(body, "tags")) x.tags = strList(body, "tags")!;
    x.provisioningStatus = "PENDING_UPDATE";
    childChange(parent);
    return ok(200, { listener: listenerView(x) });
  });
  router.on("DELETE", `${P}/listeners/:id`, (req, { id }) => {
    const x = listener(req, id!);
    const parent = s().loadBalancers[x.loadBalancerId]!;
    mutable(parent);
    x.provisioningStatus = "PENDING_DELETE";
    childChange(parent);
    return ok(204);
  });

  // ── pools ─────────────────────────────────────────────────────────────────
  const pool = (req: Req, id: string) => {
    const x = s().pools[id];
    if (!x || x.projectId !== need(req).projectId) throw fault("load-balancer", 404, `Pool ${id} not found.`);
    return x;
  };
  router.on("GET", `${P}/pools`, (req) => listOf(req, Object.values(s().pools), "pools", poolView));
  router.on("GET", `${P}/pools/:id`, (req, { id }) => ok(200, { pool: poolView(pool(req, id!)) }));
  router.on("POST", `${P}/pools`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "pool", "load-balancer");
    const l = str(body, "listener_id") ? listener(req, str(body, "listener_id")!) : undefined;
    const parent = lb(req, l?.loadBalancerId ?? str(body, "loadbalancer_id") ?? "");
    mutable(parent);
    const protocol = str(body, "protocol") ?? "";
    if (!["HTTP", "HTTPS", "PROXY", "PROXYV2", "TCP", "UDP", "SCTP"].includes(protocol))
      throw fault(
        "load-balancer",
        400,
        `Invalid input for field/attribute protocol. Value: '${protocol}'. Value should be one of: HTTP, HTTPS, PROXY, PROXYV2, SCTP, TCP, UDP`,
      );
    const algorithm = str(body, "lb_algorithm") ?? "";
    if (!["ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP", "SOURCE_IP_PORT"].includes(algorithm)) {
      throw fault(
        "load-balancer",
        400,
        `Invalid input for field/attribute lb_algorithm. Value: '${algorithm}'.`,
      );
    }
    if (l && l.defaultPoolId)
      throw fault("load-balancer", 409, `Listener ${l.id} already has a default pool.`);
    const x: Pool = {
      ...base(projectId, body),
      provisioningStatus: "PENDING_CREATE",
      loadBalancerId: parent.id,
      listenerId: l?.id ?? null,
      protocol,
      lbAlgorithm: algorithm,
      healthMonitorId: null,
    };
    s().pools[x.id] = x;
    if (l) l.defaultPoolId = x.id;
    childChange(parent);
    return ok(201, { pool: poolView(x) });
  });
  router.on("DELETE", `${P}/pools/:id`, (req, { id }) => {
    const x = pool(req, id!);
    const parent = s().loadBalancers[x.loadBalancerId]!;
    mutable(parent);
    x.provisioningStatus = "PENDING_DELETE";
    childChange(parent);
    return ok(204);
  });

  // ── members ───────────────────────────────────────────────────────────────
  router.on("GET", `${P}/pools/:pool/members`, (req, { pool: pid }) => {
    const p = pool(req, pid!);
    return listOf(req, Object.values(s().members), "members", memberView, (m) => m.poolId === p.id);
  });
  router.on("GET", `${P}/pools/:pool/members/:id`, (req, { pool: pid, id }) => {
    const p = pool(req, pid!);
    const m = s().members[id!];
    if (!m || m.poolId !== p.id) throw fault("load-balancer", 404, `Member ${id} not found.`);
    return ok(200, { member: memberView(m) });
  });
  router.on("POST", `${P}/pools/:pool/members`, (req, { pool: pid }) => {
    const { projectId } = need(req);
    const p = pool(req, pid!);
    const parent = s().loadBalancers[p.loadBalancerId]!;
    mutable(parent);
    const body = bodyObject(req, "member", "load-balancer");
    const address = str(body, "address");
    const port = num(body, "protocol_port");
    if (!address || !/^\d{1,3}(\.\d{1,3}){3}$/.test(address))
      throw fault("load-balancer", 400, `Invalid input for field/attribute address. Value: '${address}'.`);
    if (port === undefined)
      throw fault(
        "load-balancer",
        400,
        "Invalid input for field/attribute protocol_port. Mandatory field missing.",
      );
    if (children(s().members, "poolId", p.id).some((m) => m.address === address && m.protocolPort === port)) {
      throw fault(
        "load-balancer",
        409,
        `Another member on this pool is already using ip ${address} on protocol_port ${port}`,
      );
    }
    const m: Member = {
      ...base(projectId, body),
      provisioningStatus: "PENDING_CREATE",
      poolId: p.id,
      address,
      protocolPort: port,
      subnetId: str(body, "subnet_id") ?? null,
      weight: num(body, "weight") ?? 1,
    };
    s().members[m.id] = m;
    childChange(parent);
    return ok(201, { member: memberView(m) });
  });
  // Batch update: the pool's members become exactly the list (one change of the load balancer).
  router.on("PUT", `${P}/pools/:pool/members`, (req, { pool: pid }) => {
    const { projectId } = need(req);
    const p = pool(req, pid!);
    const parent = s().loadBalancers[p.loadBalancerId]!;
    mutable(parent);
    const raw = (req.body as { members?: unknown } | null)?.members;
    if (!Array.isArray(raw)) throw fault("load-balancer", 400, "Invalid input: members must be a list.");
    const wanted = raw.map((x) => {
      const b = (x ?? {}) as Record<string, unknown>;
      const address = str(b, "address");
      const port = num(b, "protocol_port");
      if (!address || !/^\d{1,3}(\.\d{1,3}){3}$/.test(address) || port === undefined)
        throw fault(
          "load-balancer",
          400,
          `Invalid input for member: address and protocol_port are mandatory.`,
        );
      return { body: b, address, port };
    });
    const current = children(s().members, "poolId", p.id);
    for (const m of current)
      if (!wanted.some((w) => w.address === m.address && w.port === m.protocolPort))
        m.provisioningStatus = "PENDING_DELETE";
    for (const w of wanted) {
      if (current.some((m) => m.address === w.address && m.protocolPort === w.port)) continue;
      const m: Member = {
        ...base(projectId, w.body),
        provisioningStatus: "PENDING_CREATE",
        poolId: p.id,
        address: w.address,
        protocolPort: w.port,
        subnetId: str(w.body, "subnet_id") ?? null,
        weight: num(w.body, "weight") ?? 1,
      };
      s().members[m.id] = m;
    }
    childChange(parent);
    return ok(202);
  });
  router.on("DELETE", `${P}/pools/:pool/members/:id`, (req, { pool: pid, id }) => {
    const p = pool(req, pid!);
    const m = s().members[id!];
    if (!m || m.poolId !== p.id) throw fault("load-balancer", 404, `Member ${id} not found.`);
    const parent = s().loadBalancers[p.loadBalancerId]!;
    mutable(parent);
    m.provisioningStatus = "PENDING_DELETE";
    childChange(parent);
    return ok(204);
  });

  // ── health monitors ───────────────────────────────────────────────────────
  const hm = (req: Req, id: string) => {
    const x = s().healthMonitors[id];
    if (!x || x.projectId !== need(req).projectId)
      throw fault("load-balancer", 404, `Health Monitor ${id} not found.`);
    return x;
  };
  router.on("GET", `${P}/healthmonitors`, (req) =>
    listOf(req, Object.values(s().healthMonitors), "healthmonitors", hmView),
  );
  router.on("GET", `${P}/healthmonitors/:id`, (req, { id }) =>
    ok(200, { healthmonitor: hmView(hm(req, id!)) }),
  );
  router.on("POST", `${P}/healthmonitors`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "healthmonitor", "load-balancer");
    const p = pool(req, str(body, "pool_id") ?? "");
    const parent = s().loadBalancers[p.loadBalancerId]!;
    mutable(parent);
    if (p.healthMonitorId) throw fault("load-balancer", 409, `This pool already has a health monitor`);
    const type = str(body, "type") ?? "";
    if (!["HTTP", "HTTPS", "PING", "TCP", "TLS-HELLO", "UDP-CONNECT", "SCTP"].includes(type))
      throw fault("load-balancer", 400, `Invalid input for field/attribute type. Value: '${type}'.`);
    const delay = num(body, "delay");
    const timeout = num(body, "timeout");
    const retries = num(body, "max_retries");
    if (delay === undefined || timeout === undefined || retries === undefined)
      throw fault("load-balancer", 400, "Invalid input: delay, timeout and max_retries are mandatory.");
    if (timeout > delay)
      throw fault(
        "load-balancer",
        400,
        "Validation failure: The timeout value must be less than or equal to the delay.",
      );
    const http = type === "HTTP" || type === "HTTPS";
    const x: HealthMonitor = {
      ...base(projectId, body),
      provisioningStatus: "PENDING_CREATE",
      poolId: p.id,
      type,
      delay,
      timeout,
      maxRetries: retries,
      maxRetriesDown: num(body, "max_retries_down") ?? 3,
      httpMethod: http ? (str(body, "http_method") ?? "GET") : null,
      urlPath: http ? (str(body, "url_path") ?? "/") : null,
      expectedCodes: http ? (str(body, "expected_codes") ?? "200") : null,
    };
    s().healthMonitors[x.id] = x;
    p.healthMonitorId = x.id;
    childChange(parent);
    return ok(201, { healthmonitor: hmView(x) });
  });
  router.on("DELETE", `${P}/healthmonitors/:id`, (req, { id }) => {
    const x = hm(req, id!);
    const p = s().pools[x.poolId]!;
    const parent = s().loadBalancers[p.loadBalancerId]!;
    mutable(parent);
    x.provisioningStatus = "PENDING_DELETE";
    childChange(parent);
    return ok(204);
  });
}

/** A version-4-shaped UUID derived from `seed` (stable across requests, unrelated to the seed's text). */
function uuidOf(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
