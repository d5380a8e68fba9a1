import { createHash } from "node:crypto";
import type { Engine } from "../engine";
import { bootOf, joinFailureOf } from "../kube/join";
import {
  bodyObject,
  fault,
  iso,
  matchesTags,
  paginate,
  str,
  strList,
  type Req,
  type Res,
  type Router,
} from "../http";
import { mac, uuid, ZONES, type Base, type Port, type Server, type ServerGroup, type Volume } from "../state";

/**
 * Nova microversions are `2.<minor>`; the emulator keeps the minor as an
 * integer, since as decimals 2.10 would equal 2.1 and 2.79 sort below 2.9.
 */
const MAX_MINOR = 96;
const P = "/compute/v2.1";

/** `OpenStack-API-Version: compute 2.79` → 79; none → 1; "latest" → the maximum. */
export function parseMicroversion(headers: Req["headers"]): number {
  const raw = headers["openstack-api-version"] ?? headers["x-openstack-nova-api-version"];
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (!v) return 1;
  const m = /(?:compute\s+)?(latest|2\.(\d+))/i.exec(v);
  if (!m) return 1;
  if (m[1]!.toLowerCase() === "latest") return MAX_MINOR;
  return Math.min(Number(m[2]), MAX_MINOR);
}

export function microversionHeaders(minor: number): Record<string, string> {
  return {
    "OpenStack-API-Version": `compute 2.${minor}`,
    "X-OpenStack-Nova-API-Version": `2.${minor}`,
    Vary: "OpenStack-API-Version, X-OpenStack-Nova-API-Version",
  };
}

const nf = (what: string, id: string) => fault("compute", 404, `${what} ${id} could not be found.`);
const POWER = { BUILD: 0, ACTIVE: 1, SHUTOFF: 4, REBUILD: 1, ERROR: 0, DELETED: 0 } as const;
const VM_STATE = {
  BUILD: "building",
  ACTIVE: "active",
  SHUTOFF: "stopped",
  REBUILD: "active",
  ERROR: "error",
  DELETED: "deleted",
} as const;

export function novaRoutes(router: Router, engine: Engine): void {
  const s = () => engine.state;
  const need = (req: Req) => {
    if (!req.auth) throw fault("compute", 401, "The request you have made requires authentication.");
    return req.auth;
  };
  const ok = (req: Req, status: number, body?: unknown): Res => ({
    status,
    body,
    headers: microversionHeaders(req.microversion),
  });

  const server = (req: Req, id: string): Server => {
    const srv = s().servers[id];
    if (!srv || srv.projectId !== need(req).projectId) throw nf("Instance", id);
    return srv;
  };

  /** What a caller sees, with zone outages applied. */
  const effectiveStatus = (srv: Server) =>
    s().zonesDown.includes(srv.az) && srv.status !== "BUILD" ? "ERROR" : srv.status;

  const flavorView = (req: Req, id: string) => {
    const f = s().flavors.find((x) => x.id === id);
    if (req.microversion >= 47 && f) {
      return {
        vcpus: f.vcpus,
        ram: f.ram,
        disk: f.disk,
        ephemeral: 0,
        swap: 0,
        original_name: f.name,
        extra_specs: f.extraSpecs,
      };
    }
    return { id, links: [{ rel: "bookmark", href: `${req.baseUrl}/compute/flavors/${id}` }] };
  };

  const addresses = (srv: Server) => {
    const out: Record<string, unknown[]> = {};
    for (const pid of srv.portIds) {
      const port = s().ports[pid];
      if (!port) continue;
      const net = s().networks[port.networkId];
      const list = (out[net?.name ?? port.networkId] ??= []);
      for (const f of port.fixedIps) {
        list.push({
          version: 4,
          addr: f.ipAddress,
          "OS-EXT-IPS:type": "fixed",
          "OS-EXT-IPS-MAC:mac_addr": port.macAddress,
        });
        for (const fip of Object.values(s().floatingIps)) {
          if (fip.portId === port.id && fip.fixedIpAddress === f.ipAddress) {
            list.push({
              version: 4,
              addr: fip.address,
              "OS-EXT-IPS:type": "floating",
              "OS-EXT-IPS-MAC:mac_addr": port.macAddress,
            });
          }
        }
      }
    }
    return out;
  };

  const serverView = (req: Req, srv: Server) => {
    const status = effectiveStatus(srv);
    const view: Record<string, unknown> = {
      id: srv.id,
      name: srv.name,
      status,
      tenant_id: srv.projectId,
      user_id: need(req).userId,
      metadata: srv.metadata,
      hostId: srv.hostId,
      image: srv.bootFromVolume
        ? ""
        : {
            id: srv.imageId,
            links: [{ rel: "bookmark", href: `${req.baseUrl}/compute/images/${srv.imageId}` }],
          },
      flavor: flavorView(req, srv.flavorId),
      created: iso.nova(srv.createdAt),
      updated: iso.nova(srv.updatedAt),
      addresses: addresses(srv),
      accessIPv4: "",
      accessIPv6: "",
      links: [
        { rel: "self", href: `${req.baseUrl}${P}/servers/${srv.id}` },
        { rel: "bookmark", href: `${req.baseUrl}/compute/servers/${srv.id}` },
      ],
      "OS-DCF:diskConfig": "MANUAL",
      progress: status === "BUILD" ? 50 : 0,
      "OS-EXT-AZ:availability_zone": srv.az,
      config_drive: "",
      key_name: srv.keyName,
      "OS-SRV-USG:launched_at": srv.launchedAt ? iso.novaMicro(srv.launchedAt).replace("Z", "") : null,
      "OS-SRV-USG:terminated_at": null,
      "OS-EXT-STS:task_state": srv.taskState,
      "OS-EXT-STS:vm_state": VM_STATE[status],
      "OS-EXT-STS:power_state": POWER[status],
      "os-extended-volumes:volumes_attached": Object.values(s().volumes)
        .filter((v) => v.attachment?.serverId === srv.id)
        .map((v) => ({ id: v.id, delete_on_termination: false })),
      security_groups: srv.securityGroupNames.map((name) => ({ name })),
    };
    if (req.microversion >= 9) Object.assign(view, { locked: false });
    if (req.microversion >= 73) view.locked_reason = null;
    if (req.microversion >= 19) view.description = srv.description || null;
    if (req.microversion >= 26) view.tags = srv.tags;
    if (req.microversion >= 63) view.trusted_image_certificates = null;
    if (status === "ERROR" && srv.fault)
      view.fault = { code: srv.fault.code, message: srv.fault.message, created: iso.nova(srv.updatedAt) };
    else if (status === "ERROR" && s().zonesDown.includes(srv.az)) {
      view.fault = {
        code: 500,
        message: `Host in availability zone ${srv.az} is unreachable`,
        created: iso.nova(engine.now()),
      };
    }
    return view;
  };

  // ── versions, flavors, zones, limits ──────────────────────────────────────
  const version = (req: Req) => ({
    id: "v2.1",
    status: "CURRENT",
    version: "2.96",
    min_version: "2.1",
    updated: "2013-07-23T11:33:21Z",
    links: [{ rel: "self", href: `${req.baseUrl}${P}/` }],
  });
  router.on("GET", "/compute", (req) => ({ status: 200, body: { versions: [version(req)] } }));
  router.on("GET", P, (req) => ({ status: 200, body: { version: version(req) } }));

  const flavorDetail = (req: Req, f: (typeof engine.state.flavors)[number]) => ({
    id: f.id,
    name: f.name,
    ram: f.ram,
    disk: f.disk,
    swap: "",
    "OS-FLV-EXT-DATA:ephemeral": 0,
    "OS-FLV-DISABLED:disabled": false,
    vcpus: f.vcpus,
    "os-flavor-access:is_public": true,
    rxtx_factor: 1.0,
    links: [
      { rel: "self", href: `${req.baseUrl}${P}/flavors/${f.id}` },
      { rel: "bookmark", href: `${req.baseUrl}/compute/flavors/${f.id}` },
    ],
    ...(req.microversion >= 55 ? { description: null } : {}),
    ...(req.microversion >= 61 ? { extra_specs: f.extraSpecs } : {}),
  });
  router.on(
    "GET",
    `${P}/flavors/detail`,
    (req) => (need(req), ok(req, 200, { flavors: s().flavors.map((f) => flavorDetail(req, f)) })),
  );
  router.on("GET", `${P}/flavors`, (req) => {
    need(req);
    return ok(req, 200, {
      flavors: s().flavors.map((f) => ({ id: f.id, name: f.name, links: flavorDetail(req, f).links })),
    });
  });
  router.on("GET", `${P}/flavors/:id`, (req, { id }) => {
    need(req);
    const f = s().flavors.find((x) => x.id === id);
    if (!f) throw nf("Flavor", id!);
    return ok(req, 200, { flavor: flavorDetail(req, f) });
  });
  router.on("GET", `${P}/flavors/:id/os-extra_specs`, (req, { id }) => {
    need(req);
    const f = s().flavors.find((x) => x.id === id);
    if (!f) throw nf("Flavor", id!);
    return ok(req, 200, { extra_specs: f.extraSpecs });
  });

  router.on("GET", `${P}/os-availability-zone`, (req) => {
    need(req);
    return ok(req, 200, {
      availabilityZoneInfo: ZONES.map((z) => ({
        zoneName: z,
        zoneState: { available: !s().zonesDown.includes(z) },
        hosts: null,
      })),
    });
  });

  router.on("GET", `${P}/os-availability-zone/detail`, (req) => {
    need(req);
    return ok(req, 200, {
      availabilityZoneInfo: ZONES.map((z) => ({
        zoneName: z,
        zoneState: { available: !s().zonesDown.includes(z) },
        hosts: {
          [`${z}-compute-1`]: {
            "nova-compute": {
              available: !s().zonesDown.includes(z),
              active: true,
              updated_at: iso.nova(engine.now()),
            },
          },
        },
      })),
    });
  });

  const quotaSet = (req: Req, project: string, detail: boolean) => {
    const { projectId } = need(req);
    if (project !== projectId)
      throw fault("compute", 403, "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.");
    const q = engine.quota(projectId);
    const u = engine.usage(projectId);
    const e = (limit: number, used: number) => (detail ? { limit, in_use: used, reserved: 0 } : limit);
    return ok(req, 200, {
      quota_set: {
        id: projectId,
        instances: e(q.instances, u.instances),
        cores: e(q.cores, u.cores),
        ram: e(q.ram, u.ram),
        server_groups: e(q.server_groups, u.server_groups),
        server_group_members: e(16, 0),
        key_pairs: e(100, 0),
        metadata_items: e(128, 0),
      },
    });
  };
  router.on("GET", `${P}/os-quota-sets/:project/detail`, (req, { project }) => quotaSet(req, project!, true));
  router.on("GET", `${P}/os-quota-sets/:project`, (req, { project }) => quotaSet(req, project!, false));

  router.on("GET", `${P}/limits`, (req) => {
    const { projectId } = need(req);
    const q = engine.quota(projectId);
    const u = engine.usage(projectId);
    return ok(req, 200, {
      limits: {
        rate: [],
        absolute: {
          maxTotalInstances: q.instances,
          maxTotalCores: q.cores,
          maxTotalRAMSize: q.ram,
          maxServerMeta: 128,
          maxImageMeta: 128,
          maxPersonality: 5,
          maxPersonalitySize: 10240,
          maxTotalKeypairs: 100,
          maxServerGroups: q.server_groups,
          maxServerGroupMembers: 16,
          maxTotalFloatingIps: -1,
          maxSecurityGroups: -1,
          maxSecurityGroupRules: -1,
          totalRAMUsed: u.ram,
          totalCoresUsed: u.cores,
          totalInstancesUsed: u.instances,
          totalFloatingIpsUsed: 0,
          totalSecurityGroupsUsed: 0,
          totalServerGroupsUsed: u.server_groups,
        },
      },
    });
  });

  // ── server groups ─────────────────────────────────────────────────────────
  const groupView = (req: Req, g: ServerGroup) =>
    req.microversion >= 64
      ? {
          id: g.id,
          name: g.name,
          policy: g.policy,
          rules: {},
          members: g.members,
          project_id: g.projectId,
          user_id: need(req).userId,
        }
      : {
          id: g.id,
          name: g.name,
          policies: [g.policy],
          members: g.members,
          metadata: {},
          project_id: g.projectId,
          user_id: need(req).userId,
        };

  router.on("GET", `${P}/os-server-groups`, (req) => {
    const { projectId } = need(req);
    return ok(req, 200, {
      server_groups: Object.values(s().serverGroups)
        .filter((g) => g.projectId === projectId)
        .map((g) => groupView(req, g)),
    });
  });
  router.on("POST", `${P}/os-server-groups`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "server_group", "compute");
    const name = str(body, "name");
    const policy = req.microversion >= 64 ? str(body, "policy") : strList(body, "policies")?.[0];
    const allowed = ["affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity"];
    if (!name) throw fault("compute", 400, "Invalid input for field/attribute name.");
    if (!policy || !allowed.includes(policy)) {
      throw fault(
        "compute",
        400,
        `Invalid input for field/attribute policy. Value: ${policy}. '${policy}' is not one of ${JSON.stringify(allowed)}`,
      );
    }
    const over = engine.overQuota(projectId, { server_groups: 1 });
    if (over[0]) throw fault("compute", 403, `Quota exceeded, too many server groups.`);
    const g: ServerGroup = {
      id: uuid(),
      projectId,
      name,
      policy: policy as ServerGroup["policy"],
      members: [],
    };
    s().serverGroups[g.id] = g;
    engine.markDirty();
    return ok(req, 200, { server_group: groupView(req, g) });
  });
  router.on("GET", `${P}/os-server-groups/:id`, (req, { id }) => {
    const g = s().serverGroups[id!];
    if (!g || g.projectId !== need(req).projectId) throw nf("Instance group", id!);
    return ok(req, 200, { server_group: groupView(req, g) });
  });
  router.on("DELETE", `${P}/os-server-groups/:id`, (req, { id }) => {
    const g = s().serverGroups[id!];
    if (!g || g.projectId !== need(req).projectId) throw nf("Instance group", id!);
    delete s().serverGroups[id!];
    engine.markDirty();
    return ok(req, 204);
  });

  // ── servers ───────────────────────────────────────────────────────────────
  router.on("POST", `${P}/servers`, (req) => {
    const { projectId } = need(req);
    const body = bodyObject(req, "server", "compute");
    const name = str(body, "name");
    if (!name || name.length > 255) throw fault("compute", 400, "Invalid input for field/attribute name.");
    const flavorRef = str(body, "flavorRef") ?? "";
    const flavor = s().flavors.find((f) => f.id === flavorRef || f.name === flavorRef);
    if (!flavor) throw fault("compute", 400, `Flavor ${flavorRef} could not be found.`);
    // Boot from volume: block_device_mapping_v2 with an image source and a volume destination.
    const bdms = Array.isArray(body.block_device_mapping_v2)
      ? (body.block_device_mapping_v2 as Array<Record<string, unknown>>)
      : [];
    const rootBdm = bdms.find((b) => Number(b.boot_index) === 0);
    if (rootBdm && (rootBdm.source_type !== "image" || rootBdm.destination_type !== "volume")) {
      throw fault("compute", 400, "Only image → volume root block device mappings are emulated.");
    }
    const imageRef = (rootBdm ? String(rootBdm.uuid ?? "") : undefined) || (str(body, "imageRef") ?? "");
    const image = s().images.find((i) => i.id === imageRef);
    if (!image) throw fault("compute", 400, `Image ${imageRef} could not be found.`);
    const rootSize = rootBdm ? Number(rootBdm.volume_size) : 0;
    const rootType = rootBdm ? String(rootBdm.volume_type ?? "ceph-ssd") : "";
    if (rootBdm) {
      if (!Number.isInteger(rootSize) || rootSize < 1)
        throw fault(
          "compute",
          400,
          `Invalid input for field/attribute volume_size. Value: ${String(rootBdm.volume_size)}.`,
        );
      if (!s().volumeTypes.some((t) => t.name === rootType || t.id === rootType))
        throw fault("compute", 400, `Volume type ${rootType} could not be found.`);
      const vq = engine.overQuota(projectId, { volumes: 1, gigabytes: rootSize })[0];
      if (vq)
        throw fault(
          "compute",
          403,
          `Quota exceeded for ${vq.key}: Requested ${vq.requested}, but already used ${vq.used} of ${vq.limit} ${vq.key}`,
        );
    }
    const azRaw = str(body, "availability_zone");
    if (azRaw !== undefined && !(ZONES as readonly string[]).includes(azRaw.split(":")[0]!)) {
      throw fault("compute", 400, "The requested availability zone is not available");
    }
    const tags = strList(body, "tags") ?? [];
    if (tags.length && req.microversion < 52)
      throw fault("compute", 400, "Additional properties are not allowed ('tags' was unexpected)");
    const metadata = (body.metadata ?? {}) as Record<string, unknown>;
    if (typeof metadata !== "object" || Object.values(metadata).some((v) => typeof v !== "string")) {
      throw fault("compute", 400, "Invalid input for field/attribute metadata.");
    }
    const hints = ((req.body as Record<string, unknown>)["os:scheduler_hints"] ?? {}) as { group?: unknown };
    const group = typeof hints.group === "string" ? s().serverGroups[hints.group] : undefined;
    if (typeof hints.group === "string" && (!group || group.projectId !== projectId))
      throw fault("compute", 400, `Invalid server group ${hints.group}`);

    const over = engine.overQuota(projectId, { instances: 1, cores: flavor.vcpus, ram: flavor.ram });
    if (over[0]) {
      const o = over[0];
      const unit = o.key === "ram" ? "MB" : o.key;
      throw fault(
        "compute",
        403,
        `Quota exceeded for ${o.key}: Requested ${o.requested}, but already used ${o.used} of ${o.limit} ${unit}`,
      );
    }

    // Networks: an existing port, or a network on which Nova creates one.
    const nets = Array.isArray(body.networks) ? (body.networks as Array<Record<string, unknown>>) : [];
    const id = uuid();
    const now = engine.now();
    const portIds: string[] = [];
    const createdPorts: Port[] = [];
    for (const n of nets) {
      if (typeof n.port === "string") {
        const port = s().ports[n.port];
        if (!port || port.projectId !== projectId)
          throw fault("compute", 400, `Port ${n.port} could not be found.`);
        if (port.deviceId && port.deviceId !== id)
          throw fault("compute", 409, `Port ${port.id} is still in use.`);
        portIds.push(port.id);
      } else if (typeof n.uuid === "string") {
        const net = s().networks[n.uuid];
        const subnet = net && Object.values(s().subnets).find((x) => x.networkId === net.id);
        if (!net || !subnet) throw fault("compute", 400, `Network ${n.uuid} could not be found.`);
        const ip = engine.allocateIp(subnet);
        if (!ip) throw fault("compute", 409, `No more IP addresses available on network ${net.id}.`);
        const port: Port = {
          ...unnamed(uuid(), projectId, now, 1),
          networkId: net.id,
          macAddress: mac(),
          fixedIps: [{ subnetId: subnet.id, ipAddress: ip }],
          deviceId: "",
          deviceOwner: "",
          securityGroupIds: [],
          adminStateUp: true,
          createdByNova: true,
        };
        createdPorts.push(port);
        portIds.push(port.id);
      }
    }
    const az =
      azRaw?.split(":")[0] ??
      [...ZONES].sort(
        (a, b) =>
          Object.values(s().servers).filter((x) => x.projectId === projectId && x.az === a).length -
          Object.values(s().servers).filter((x) => x.projectId === projectId && x.az === b).length,
      )[0]!;
    for (const port of createdPorts) s().ports[port.id] = port;
    for (const pid of portIds) {
      const port = s().ports[pid]!;
      port.deviceId = id;
      port.deviceOwner = `compute:${az}`;
      port.updatedAt = now;
    }
    const sgNames = Array.isArray(body.security_groups)
      ? (body.security_groups as Array<{ name?: unknown }>).map((g) => String(g.name ?? ""))
      : ["default"];
    const srv: Server = {
      id,
      projectId,
      name,
      description: str(body, "description") ?? "",
      tags,
      createdAt: now,
      updatedAt: now,
      revision: 0,
      status: "BUILD",
      taskState: "spawning",
      flavorId: flavor.id,
      imageId: image.id,
      az,
      metadata: metadata as Record<string, string>,
      userData: str(body, "user_data") ?? null,
      keyName: str(body, "key_name") ?? null,
      portIds,
      securityGroupNames: sgNames,
      serverGroupId: group?.id ?? null,
      hostId: createHash("sha224")
        .update(`${projectId}:${az}-host-${(id.charCodeAt(0) % 4) + 1}`)
        .digest("hex"),
      launchedAt: null,
      fault: null,
      failBuild: s().zonesDown.includes(az),
    };
    if (rootBdm) {
      srv.bootFromVolume = true;
      const vid = uuid();
      s().volumes[vid] = {
        ...unnamed(vid, projectId, now, 0),
        status: "in-use",
        size: rootSize,
        // Nova (cross_az_attach, its default) asks Cinder for no zone: where Cinder's zones are
        // not Nova's, the volume lands in Cinder's default zone.
        az: engine.profile.volumeZones?.[0] ?? az,
        volumeTypeName: s().volumeTypes.find((t) => t.name === rootType || t.id === rootType)!.name,
        metadata: {},
        attachment: { attachmentId: uuid(), serverId: id, device: "/dev/vda", attachedAt: now },
        pendingSize: null,
        bootable: true,
        imageMetadata: volumeImageMetadata(image),
        deleteOnTermination: rootBdm.delete_on_termination === true,
      };
    }
    s().servers[id] = srv;
    group?.members.push(id);
    engine.schedule("server.built", id, "serverBoot");
    engine.markDirty();
    return ok(req, 202, {
      server: {
        id,
        links: serverView(req, srv).links,
        "OS-DCF:diskConfig": "MANUAL",
        security_groups: sgNames.map((n) => ({ name: n })),
        adminPass: "emulated-admin-pass",
      },
    });
  });

  const listServers = (req: Req, detail: boolean) => {
    const { projectId } = need(req);
    const q = req.query;
    let items = Object.values(s().servers).filter((x) => x.projectId === projectId);
    const name = q.get("name");
    if (name) {
      let re: RegExp;
      try {
        re = new RegExp(name);
      } catch {
        throw fault("compute", 400, `Invalid regular expression in name filter: ${name}`);
      }
      items = items.filter((x) => re.test(x.name));
    }
    const status = q.get("status");
    if (status) items = items.filter((x) => effectiveStatus(x) === status.toUpperCase());
    items = items.filter((x) => matchesTags(x.tags, q));
    items.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
    const { page, links } = paginate(req, items, "servers");
    return ok(req, 200, {
      servers: page.map((x) =>
        detail ? serverView(req, x) : { id: x.id, name: x.name, links: serverView(req, x).links },
      ),
      ...(links.length ? { servers_links: links } : {}),
    });
  };
  router.on("GET", `${P}/servers/detail`, (req) => listServers(req, true));
  router.on("GET", `${P}/servers`, (req) => listServers(req, false));
  router.on("GET", `${P}/servers/:id`, (req, { id }) =>
    ok(req, 200, { server: serverView(req, server(req, id!)) }),
  );

  router.on("DELETE", `${P}/servers/:id`, (req, { id }) => {
    const srv = server(req, id!);
    if (srv.taskState !== "deleting") {
      srv.taskState = "deleting";
      srv.updatedAt = engine.now();
      engine.unschedule(srv.id);
      engine.schedule("server.deleted", srv.id, "serverDelete");
      engine.markDirty();
    }
    return ok(req, 204);
  });

  router.on("POST", `${P}/servers/:id/action`, (req, { id }) => {
    const srv = server(req, id!);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const action = Object.keys(body)[0];
    const status = effectiveStatus(srv);
    const conflict = (what: string) =>
      fault(
        "compute",
        409,
        `Cannot '${what}' instance ${srv.id} while it is in vm_state ${VM_STATE[status]}${srv.taskState ? ` and task_state ${srv.taskState}` : ""}`,
      );
    if (srv.taskState === "deleting") throw conflict(action ?? "action");
    const now = engine.now();
    switch (action) {
      case "os-stop":
        if (status !== "ACTIVE" || srv.taskState) throw conflict("stop");
        srv.taskState = "powering-off";
        engine.schedule("server.stopped", srv.id, "serverStop");
        break;
      case "os-start":
        if (status !== "SHUTOFF" || srv.taskState) throw conflict("start");
        srv.taskState = "powering-on";
        engine.schedule("server.started", srv.id, "serverStart");
        break;
      case "reboot": {
        if (
          !["ACTIVE", "SHUTOFF", "ERROR"].includes(status) ||
          (srv.taskState && srv.taskState !== "powering-on")
        )
          throw conflict("reboot");
        srv.taskState = "rebooting";
        engine.schedule("server.started", srv.id, "serverStart");
        break;
      }
      case "os-getConsoleOutput": {
        if (status === "BUILD" || status === "ERROR")
          throw fault("compute", 409, `Guest does not have a console available.`);
        const opts = (body["os-getConsoleOutput"] ?? {}) as { length?: unknown };
        const length = opts.length === undefined || opts.length === null ? -1 : Number(opts.length);
        if (!Number.isInteger(length) || length < -1)
          throw fault(
            "compute",
            400,
            `Invalid input for field/attribute length. Value: ${String(opts.length)}.`,
          );
        const lines = consoleLog(engine, srv);
        return ok(req, 200, { output: (length === -1 ? lines : lines.slice(-length)).join("\n") });
      }
      case "rebuild": {
        if (!["ACTIVE", "SHUTOFF", "ERROR"].includes(status) || srv.taskState) throw conflict("rebuild");
        const rb = bodyObject(req, "rebuild", "compute");
        const image = s().images.find((i) => i.id === str(rb, "imageRef"));
        if (!image) throw fault("compute", 400, `Image ${str(rb, "imageRef")} could not be found.`);
        if (srv.bootFromVolume && image.id !== srv.imageId && req.microversion < 93)
          throw fault(
            "compute",
            400,
            "Unable to rebuild with a different image for a volume-backed server before microversion 2.93.",
          );
        srv.imageId = image.id;
        // Reimaging a volume-backed server rewrites its root volume from the new image.
        for (const v of Object.values(s().volumes))
          if (srv.bootFromVolume && v.bootable && v.attachment?.serverId === srv.id)
            v.imageMetadata = volumeImageMetadata(image);
        srv.status = "REBUILD";
        srv.taskState = "rebuilding";
        srv.fault = null;
        if (rb.metadata && typeof rb.metadata === "object")
          srv.metadata = rb.metadata as Record<string, string>;
        // Microversion 2.57+: rebuild may replace the user data (a node's new kubelet config).
        if (typeof rb.user_data === "string" && req.microversion >= 57) srv.userData = rb.user_data;
        engine.schedule("server.rebuilt", srv.id, "serverRebuild");
        srv.updatedAt = now;
        engine.markDirty();
        return ok(req, 202, { server: serverView(req, srv) });
      }
      default:
        throw fault("compute", 400, `There is no such action: ${action}`);
    }
    srv.updatedAt = now;
    engine.markDirty();
    return ok(req, 202);
  });

  router.on("GET", `${P}/servers/:id/metadata`, (req, { id }) =>
    ok(req, 200, { metadata: server(req, id!).metadata }),
  );
  router.on("POST", `${P}/servers/:id/metadata`, (req, { id }) => {
    const srv = server(req, id!);
    const md = bodyObject(req, "metadata", "compute");
    Object.assign(srv.metadata, md);
    engine.markDirty();
    return ok(req, 200, { metadata: srv.metadata });
  });
  router.on("GET", `${P}/servers/:id/tags`, (req, { id }) => ok(req, 200, { tags: server(req, id!).tags }));
  router.on("PUT", `${P}/servers/:id/tags/:tag`, (req, { id, tag }) => {
    const srv = server(req, id!);
    const existed = srv.tags.includes(tag!);
    if (!existed) srv.tags.push(tag!);
    engine.markDirty();
    return ok(req, existed ? 204 : 201);
  });

  // ── volume attachments ────────────────────────────────────────────────────
  const attachmentView = (v: { id: string; attachment: NonNullable<Volume["attachment"]> }, req: Req) => ({
    device: v.attachment.device,
    id: v.id,
    serverId: v.attachment.serverId,
    volumeId: v.id,
    ...(req.microversion >= 7 ? { tag: null } : {}),
    ...(req.microversion >= 79 ? { delete_on_termination: false } : {}),
    ...(req.microversion >= 89
      ? { attachment_id: v.attachment.attachmentId, bdm_uuid: v.attachment.attachmentId }
      : {}),
  });
  router.on("GET", `${P}/servers/:id/os-volume_attachments`, (req, { id }) => {
    const srv = server(req, id!);
    const attached = Object.values(s().volumes).filter((v) => v.attachment?.serverId === srv.id);
    return ok(req, 200, {
      volumeAttachments: attached.map((v) => attachmentView({ id: v.id, attachment: v.attachment! }, req)),
    });
  });
  router.on("POST", `${P}/servers/:id/os-volume_attachments`, (req, { id }) => {
    const srv = server(req, id!);
    const body = bodyObject(req, "volumeAttachment", "compute");
    const volumeId = str(body, "volumeId") ?? "";
    const vol = s().volumes[volumeId];
    if (!vol || vol.projectId !== srv.projectId) throw nf("Volume", volumeId);
    if (!["ACTIVE", "SHUTOFF"].includes(effectiveStatus(srv)) || srv.taskState) {
      throw fault(
        "compute",
        409,
        `Cannot 'attach_volume' instance ${srv.id} while it is in vm_state ${VM_STATE[effectiveStatus(srv)]}`,
      );
    }
    if (vol.status !== "available")
      throw fault(
        "compute",
        400,
        `Invalid volume: volume ${vol.id} status must be available, but current status is: ${vol.status}`,
      );
    const used = Object.values(s().volumes).filter(
      (v) => v.attachment?.serverId === srv.id && !v.bootable,
    ).length;
    const device = `/dev/vd${String.fromCharCode(98 + used)}`;
    // As with Cinder's attachments API: reserved → attaching → in-use (always in that order: the
    // reserve latency's top is below the attach latency's bottom).
    vol.status = "reserved";
    vol.attachment = { attachmentId: uuid(), serverId: srv.id, device, attachedAt: engine.now() };
    vol.updatedAt = engine.now();
    engine.schedule("volume.attaching", vol.id, "volumeReserve");
    engine.schedule("volume.attached", vol.id, "volumeAttach");
    engine.markDirty();
    return ok(req, 200, {
      volumeAttachment: attachmentView({ id: vol.id, attachment: vol.attachment }, req),
    });
  });
  router.on("DELETE", `${P}/servers/:id/os-volume_attachments/:volumeId`, (req, { id, volumeId }) => {
    const srv = server(req, id!);
    const vol = s().volumes[volumeId!];
    if (!vol || vol.attachment?.serverId !== srv.id)
      throw fault("compute", 404, `volume_id not found: ${volumeId}`);
    if (vol.status !== "in-use")
      throw fault(
        "compute",
        400,
        `Invalid volume: Volume status must be in-use to detach, but current status is: ${vol.status}`,
      );
    vol.status = "detaching";
    vol.updatedAt = engine.now();
    engine.schedule("volume.detached", vol.id, "volumeDetach");
    engine.markDirty();
    return ok(req, 202);
  });
}

/** The common fields of a resource Nova creates on the user's behalf (a boot port, a boot volume): no name. */
function unnamed(id: string, projectId: string, now: number, revision: number): Base {
  return { id, projectId, name: "", description: "", tags: [], createdAt: now, updatedAt: now, revision };
}

/**
 * What Cinder copies from Glance onto a volume created from an image: the
 * image's id, name and formats plus its own properties, every value a string.
 */
function volumeImageMetadata(image: { id: string; name: string; properties: Record<string, string> }) {
  return {
    signature_verified: "False",
    image_id: image.id,
    image_name: image.name,
    container_format: "bare",
    disk_format: "qcow2",
    min_disk: "0",
    min_ram: "0",
    ...image.properties,
  };
}

/**
 * What the server's console shows: cloud-init's stages and what kubeadm
 * printed (kube/join.ts decides whether this boot joined, and why not).
 */
function consoleLog(engine: Engine, srv: Server): string[] {
  const at = (ms: number) => new Date(ms).toUTCString();
  const launched = srv.launchedAt ?? srv.createdAt;
  const lines = [
    `[    0.000000] Linux version 6.1.0-28-cloud-amd64 (debian-kernel@lists.debian.org)`,
    `cloud-init[512]: Cloud-init v. 22.4.2 running 'init' at ${at(launched)}. Up 4.81 seconds.`,
    `cloud-init[735]: Cloud-init v. 22.4.2 running 'modules:final' at ${at(launched + 9_000)}. Up 13.90 seconds.`,
  ];
  const boot = bootOf(srv);
  if (!boot.mode)
    return [...lines, `cloud-init[735]: Cloud-init v. 22.4.2 finished at ${at(launched + 10_000)}.`];
  const failure = joinFailureOf(engine, srv.id);
  const joined = engine.state.nodeJoins?.[srv.id]?.ok === true;
  if (boot.mode === "init")
    lines.push(`cloud-init[735]: [init] Using Kubernetes version: ${boot.cluster?.kubernetesVersion ?? "?"}`);
  else lines.push(`cloud-init[735]: [preflight] Running pre-flight checks`);
  if (joined)
    lines.push(
      boot.mode === "init"
        ? "cloud-init[735]: Your Kubernetes control-plane has initialized successfully!"
        : "cloud-init[735]: This node has joined the cluster:",
      `cloud-init[735]: Cloud-init v. 22.4.2 finished at ${at(launched + 60_000)}. Datasource DataSourceOpenStackLocal [net,ver=2].`,
    );
  else if (failure)
    lines.push(
      `cloud-init[735]: ${failure}`,
      "cloud-init[735]: To see the stack trace of this error execute with --v=5 or higher",
      `cloud-init[735]: ${new Date(launched + 60_000).toISOString().replace("T", " ").replace("Z", "").replace(".", ",")} - cc_scripts_user.py[WARNING]: Failed to run module scripts-user (scripts in /var/lib/cloud/instance/scripts)`,
      `cloud-init[735]: Cloud-init v. 22.4.2 finished at ${at(launched + 60_000)}. Datasource DataSourceOpenStackLocal [net,ver=2].`,
    );
  else if (boot.join)
    lines.push(
      `cloud-init[735]: [discovery] Trying to connect to API Server "${boot.join.discovery.bootstrapToken.apiServerEndpoint}"`,
    );
  return lines;
}
