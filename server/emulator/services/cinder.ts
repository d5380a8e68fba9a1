import type { Engine } from "../engine";
import { bodyObject, fault, Fault, iso, num, paginate, str, type Req, type Res, type Router } from "../http";
import { uuid, ZONES, type Volume } from "../state";

const P = "/volume/v3/:project";

export function cinderRoutes(router: Router, engine: Engine): void {
  const s = () => engine.state;
  const need = (req: Req, project: string) => {
    if (!req.auth) throw fault("volume", 401, "The request you have made requires authentication.");
    if (project !== req.auth.projectId)
      throw fault("volume", 403, "Policy doesn't allow this request to be performed.");
    return req.auth;
  };
  /** Cinder's availability zones: the profile's, or the same names as Nova's. */
  const zones = (): readonly string[] => engine.profile.volumeZones ?? ZONES;
  const ok = (status: number, body?: unknown): Res => ({
    status,
    body,
    headers: { "OpenStack-API-Version": "volume 3.70", Vary: "OpenStack-API-Version" },
  });

  const volumeView = (req: Req, v: Volume) => {
    const href = `${req.baseUrl}/volume/v3/${v.projectId}/volumes/${v.id}`;
    return {
      id: v.id,
      status: v.status,
      size: v.size,
      availability_zone: v.az,
      created_at: iso.cinder(v.createdAt),
      updated_at: iso.cinder(v.updatedAt),
      name: v.name,
      description: v.description || null,
      volume_type: v.volumeTypeName,
      snapshot_id: null,
      source_volid: null,
      metadata: v.metadata,
      links: [
        { rel: "self", href },
        { rel: "bookmark", href: href.replace("/v3/", "/") },
      ],
      user_id: req.auth?.userId,
      bootable: v.bootable ? "true" : "false",
      encrypted: false,
      replication_status: null,
      consistencygroup_id: null,
      multiattach: false,
      attachments:
        v.attachment && (v.status === "in-use" || v.status === "detaching" || v.status === "extending")
          ? [
              {
                id: v.id,
                attachment_id: v.attachment.attachmentId,
                volume_id: v.id,
                server_id: v.attachment.serverId,
                host_name: null,
                device: v.attachment.device,
                attached_at: iso.cinder(v.attachment.attachedAt),
              },
            ]
          : [],
      "os-vol-tenant-attr:tenant_id": v.projectId,
      ...(v.imageMetadata ? { volume_image_metadata: v.imageMetadata } : {}),
      volume_type_id: s().volumeTypes.find((t) => t.name === v.volumeTypeName)?.id,
      group_id: null,
      provider_id: null,
      service_uuid: null,
      shared_targets: true,
      cluster_name: null,
      consumes_quota: true,
    };
  };
  const volume = (req: Req, project: string, id: string) => {
    need(req, project);
    const v = s().volumes[id];
    if (!v || v.projectId !== project) throw fault("volume", 404, `Volume ${id} could not be found.`);
    return v;
  };

  router.on("GET", "/volume", (req) =>
    ok(300, {
      versions: [
        {
          id: "v3.0",
          status: "CURRENT",
          version: "3.70",
          min_version: "3.0",
          updated: "2023-08-31T00:00:00Z",
          links: [{ rel: "self", href: `${req.baseUrl}/volume/v3/` }],
        },
      ],
    }),
  );

  router.on("GET", `${P}/types`, (req, { project }) => {
    need(req, project!);
    return ok(200, {
      volume_types: s().volumeTypes.map(volumeTypeView),
    });
  });
  // Cinder's own zone list: on many clouds not Nova's (the lab's is `nova` beside Nova's GZ1/MS1).
  router.on("GET", `${P}/os-availability-zone`, (req, { project }) => {
    need(req, project!);
    return ok(200, {
      availabilityZoneInfo: zones().map((z) => ({ zoneName: z, zoneState: { available: true } })),
    });
  });
  // Cinder 3.62+: the type used when a request names none. Older microversions route "default" as a type id.
  router.on("GET", `${P}/types/default`, (req, { project }) => {
    need(req, project!);
    const asked = /volume\s+3\.(\d+)/i.exec(String(req.headers["openstack-api-version"] ?? ""));
    const t = s().volumeTypes[0];
    if (!asked || Number(asked[1]) < 62 || !t)
      throw fault("volume", 404, "Volume type default could not be found.");
    return ok(200, { volume_type: volumeTypeView(t) });
  });
  router.on("GET", `${P}/types/:id`, (req, { project, id }) => {
    need(req, project!);
    const t = s().volumeTypes.find((x) => x.id === id || x.name === id);
    if (!t) throw fault("volume", 404, `Volume type ${id} could not be found.`);
    return ok(200, {
      volume_type: volumeTypeView(t),
    });
  });

  const list = (req: Req, project: string, detail: boolean) => {
    need(req, project);
    let items = Object.values(s().volumes).filter((v) => v.projectId === project);
    const name = req.query.get("name");
    if (name) items = items.filter((v) => v.name === name);
    const status = req.query.get("status");
    if (status) items = items.filter((v) => v.status === status);
    const md = req.query.get("metadata");
    if (md) {
      let wanted: Record<string, string>;
      try {
        wanted = JSON.parse(md.replace(/'/g, '"')) as Record<string, string>;
      } catch {
        throw fault("volume", 400, `Invalid metadata filter: ${md}`);
      }
      items = items.filter((v) => Object.entries(wanted).every(([k, val]) => v.metadata[k] === val));
    }
    // Cinder's default order: created_at, then id, both descending.
    items.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    const { page, links } = paginate(req, items, "volumes");
    return ok(200, {
      volumes: page.map((v) =>
        detail ? volumeView(req, v) : { id: v.id, name: v.name, links: volumeView(req, v).links },
      ),
      ...(links.length ? { volumes_links: links } : {}),
    });
  };
  router.on("GET", `${P}/volumes/detail`, (req, { project }) => list(req, project!, true));
  router.on("GET", `${P}/volumes`, (req, { project }) => list(req, project!, false));
  router.on("GET", `${P}/volumes/:id`, (req, { project, id }) =>
    ok(200, { volume: volumeView(req, volume(req, project!, id!)) }),
  );

  router.on("POST", `${P}/volumes`, (req, { project }) => {
    const { projectId } = need(req, project!);
    const body = bodyObject(req, "volume", "volume");
    const size = num(body, "size");
    if (size === undefined || !Number.isInteger(size) || size < 1)
      throw fault(
        "volume",
        400,
        `Invalid input received: 'size' must be an integer greater than 0, got ${String(body.size)}.`,
      );
    const az = str(body, "availability_zone") ?? zones()[0]!;
    if (!zones().includes(az))
      throw fault("volume", 400, `Invalid input received: Availability zone '${az}' is invalid.`);
    const typeName = str(body, "volume_type") ?? "ceph-ssd";
    const type = s().volumeTypes.find((t) => t.name === typeName || t.id === typeName);
    if (!type) throw fault("volume", 404, `Volume type with name ${typeName} could not be found.`);
    const over = engine.overQuota(projectId, { volumes: 1, gigabytes: size });
    const vq = over.find((o) => o.key === "volumes");
    if (vq)
      throw quotaFault(
        `VolumeLimitExceeded: Maximum number of volumes allowed (${vq.limit}) exceeded for quota 'volumes'.`,
      );
    const gq = over.find((o) => o.key === "gigabytes");
    if (gq) {
      throw quotaFault(
        `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${size}G, quota is ${gq.limit}G and ${gq.used}G has been consumed.`,
      );
    }
    const metadata = (body.metadata ?? {}) as Record<string, unknown>;
    if (typeof metadata !== "object" || Object.values(metadata).some((v) => typeof v !== "string"))
      throw fault("volume", 400, "Invalid input received: metadata values must be strings.");
    const now = engine.now();
    const v: Volume = {
      id: uuid(),
      projectId,
      name: str(body, "name") ?? "",
      description: str(body, "description") ?? "",
      tags: [],
      createdAt: now,
      updatedAt: now,
      revision: 0,
      status: "creating",
      size,
      az,
      volumeTypeName: type.name,
      metadata: metadata as Record<string, string>,
      attachment: null,
      pendingSize: null,
    };
    s().volumes[v.id] = v;
    engine.schedule("volume.available", v.id, "volumeCreate");
    engine.markDirty();
    return ok(202, { volume: volumeView(req, v) });
  });

  router.on("PUT", `${P}/volumes/:id`, (req, { project, id }) => {
    const v = volume(req, project!, id!);
    const body = bodyObject(req, "volume", "volume");
    if (typeof body.name === "string") v.name = body.name;
    if (typeof body.description === "string") v.description = body.description;
    if (body.metadata && typeof body.metadata === "object")
      v.metadata = body.metadata as Record<string, string>;
    v.updatedAt = engine.now();
    engine.markDirty();
    return ok(200, { volume: volumeView(req, v) });
  });

  router.on("DELETE", `${P}/volumes/:id`, (req, { project, id }) => {
    const v = volume(req, project!, id!);
    if (v.status === "deleting") return ok(202);
    if (!["available", "error"].includes(v.status)) {
      throw fault(
        "volume",
        400,
        "Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots or be disassociated from snapshots after volume transfer.",
      );
    }
    v.status = "deleting";
    v.updatedAt = engine.now();
    engine.schedule("volume.deleted", v.id, "volumeDelete");
    engine.markDirty();
    return ok(202);
  });

  router.on("POST", `${P}/volumes/:id/action`, (req, { project, id }) => {
    const v = volume(req, project!, id!);
    const body = (req.body ?? {}) as Record<string, Record<string, unknown>>;
    const extend = body["os-extend"];
    if (!extend) throw fault("volume", 400, `Invalid action: ${Object.keys(body)[0]}`);
    const newSize = num(extend, "new_size");
    if (v.status !== "available" && v.status !== "in-use") {
      throw fault(
        "volume",
        400,
        `Invalid volume: Volume ${v.id} status must be 'available' or 'in-use' to extend, currently ${v.status}.`,
      );
    }
    if (newSize === undefined || !Number.isInteger(newSize) || newSize <= v.size) {
      throw fault(
        "volume",
        400,
        `Invalid input received: New size for extend must be greater than current size. (current: ${v.size}, extended: ${String(newSize)}).`,
      );
    }
    const gq = engine.overQuota(v.projectId, { gigabytes: newSize - v.size })[0];
    if (gq)
      throw quotaFault(
        `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${newSize - v.size}G, quota is ${gq.limit}G and ${gq.used}G has been consumed.`,
      );
    v.status = "extending";
    v.pendingSize = newSize;
    v.updatedAt = engine.now();
    engine.schedule("volume.extended", v.id, "volumeExtend");
    engine.markDirty();
    return ok(202);
  });

  router.on("GET", `${P}/limits`, (req, { project }) => {
    const { projectId } = need(req, project!);
    const q = engine.quota(projectId);
    const u = engine.usage(projectId);
    return ok(200, {
      limits: {
        rate: [],
        absolute: {
          totalSnapshotsUsed: 0,
          maxTotalBackups: 10,
          maxTotalVolumeGigabytes: q.gigabytes,
          maxTotalSnapshots: 10,
          maxTotalBackupGigabytes: 1000,
          totalBackupGigabytesUsed: 0,
          maxTotalVolumes: q.volumes,
          totalVolumesUsed: u.volumes,
          totalBackupsUsed: 0,
          totalGigabytesUsed: u.gigabytes,
        },
      },
    });
  });

  router.on("GET", "/volume/v3/:project/os-quota-sets/:target", (req, { project, target }) => {
    const { projectId } = need(req, project!);
    if (target !== projectId)
      throw fault("volume", 403, "Policy doesn't allow this request to be performed.");
    const q = engine.quota(projectId);
    const u = engine.usage(projectId);
    const withUsage = req.query.get("usage") === "true";
    const entry = (limit: number, used: number) =>
      withUsage ? { limit, in_use: used, reserved: 0, allocated: 0 } : limit;
    return ok(200, {
      quota_set: {
        id: projectId,
        volumes: entry(q.volumes, u.volumes),
        gigabytes: entry(q.gigabytes, u.gigabytes),
        snapshots: entry(10, 0),
        backups: entry(10, 0),
        backup_gigabytes: entry(1000, 0),
        per_volume_gigabytes: entry(-1, 0),
        groups: entry(10, 0),
      },
    });
  });
}

/** Cinder's quota error: 413 with `overLimit` and a retryAfter. */
function quotaFault(message: string): Fault {
  return new Fault(413, { overLimit: { code: 413, message, retryAfter: "0" } }, { "Retry-After": "0" });
}

/** A volume type as Cinder shows it (public, with its extra specs). */
function volumeTypeView(t: {
  id: string;
  name: string;
  description: string;
  extraSpecs: Record<string, string>;
}) {
  return {
    id: t.id,
    name: t.name,
    is_public: true,
    description: t.description,
    extra_specs: t.extraSpecs,
    "os-volume-type-access:is_public": true,
  };
}
