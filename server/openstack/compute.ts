import { z } from "zod";
import { exactNameRegex, ServiceClient } from "./base";
import { BadRequest, Conflict, NotFound } from "./errors";
import type { KeystoneSession } from "./session";

/** 2.79: server tags and embedded flavors (2.47), `policy` on server groups (2.64), delete_on_termination (2.79). */
export const COMPUTE_MICROVERSION = "2.79";

export const Flavor = z
  .object({
    id: z.string(),
    name: z.string(),
    vcpus: z.number(),
    ram: z.number(),
    disk: z.number(),
    extra_specs: z.record(z.string(), z.string()).optional(),
    "OS-FLV-EXT-DATA:ephemeral": z.number().optional(),
    "os-flavor-access:is_public": z.boolean().optional(),
  })
  .transform((f) => ({
    id: f.id,
    name: f.name,
    vcpus: f.vcpus,
    ramMb: f.ram,
    diskGb: f.disk,
    ephemeralGb: f["OS-FLV-EXT-DATA:ephemeral"] ?? 0,
    isPublic: f["os-flavor-access:is_public"] ?? true,
    extraSpecs: f.extra_specs ?? {},
  }));
export type Flavor = z.infer<typeof Flavor>;

const Address = z.object({ addr: z.string(), version: z.number(), "OS-EXT-IPS:type": z.string().nullish() });
/**
 * A server as the Compute API reference gives it at 2.79. A server in a
 * cell that is down (2.69+) comes back with little more than id, status and
 * created, so everything else is optional; `image` is "" for a server
 * booted from a volume; `fault` is there only for ERROR (and may lack a message).
 */
export const Server = z
  .object({
    id: z.string(),
    name: z.string().nullish(),
    status: z.string(),
    "OS-EXT-AZ:availability_zone": z.string().nullish(),
    "OS-EXT-STS:task_state": z.string().nullish(),
    metadata: z.record(z.string(), z.string()).nullish(),
    tags: z.array(z.string()).nullish(),
    image: z.union([z.object({ id: z.string() }), z.literal("")]).nullish(),
    flavor: z.object({ original_name: z.string().optional(), id: z.string().optional() }).nullish(),
    addresses: z.record(z.string(), z.array(Address)).nullish(),
    fault: z.object({ code: z.number(), message: z.string().default("") }).nullish(),
    created: z.string(),
    updated: z.string().nullish(),
    "os-extended-volumes:volumes_attached": z.array(z.object({ id: z.string() })).nullish(),
  })
  .transform((s) => ({
    id: s.id,
    name: s.name ?? "",
    status: s.status,
    availabilityZone: s["OS-EXT-AZ:availability_zone"] ?? null,
    taskState: s["OS-EXT-STS:task_state"] ?? null,
    metadata: s.metadata ?? {},
    tags: s.tags ?? [],
    imageId: s.image ? s.image.id : null,
    flavorName: s.flavor?.original_name ?? s.flavor?.id ?? null,
    fixedIps: Object.values(s.addresses ?? {})
      .flat()
      .filter((a) => a["OS-EXT-IPS:type"] !== "floating")
      .map((a) => a.addr),
    floatingIps: Object.values(s.addresses ?? {})
      .flat()
      .filter((a) => a["OS-EXT-IPS:type"] === "floating")
      .map((a) => a.addr),
    fault: s.fault ?? null,
    createdAt: s.created,
    updatedAt: s.updated ?? s.created,
    volumeIds: (s["os-extended-volumes:volumes_attached"] ?? []).map((v) => v.id),
  }));
export type Server = z.infer<typeof Server>;

export const ServerGroup = z.object({
  id: z.string(),
  name: z.string(),
  policy: z.string(),
  members: z.array(z.string()).default([]),
});
export type ServerGroup = z.infer<typeof ServerGroup>;
const Az = z.object({ zoneName: z.string(), zoneState: z.object({ available: z.boolean() }) });
// `id` went away at 2.89 (attachment_id instead); the console never reads it.
const Attachment = z
  .object({
    id: z.string().optional(),
    serverId: z.string(),
    volumeId: z.string(),
    device: z.string().nullish(),
  })
  .transform((a) => ({ serverId: a.serverId, volumeId: a.volumeId, device: a.device ?? null }));
export type VolumeAttachment = z.infer<typeof Attachment>;
const Limits = z.object({
  limits: z.object({
    absolute: z.object({
      maxTotalInstances: z.number(),
      maxTotalCores: z.number(),
      maxTotalRAMSize: z.number(),
      maxServerGroups: z.number(),
      totalInstancesUsed: z.number(),
      totalCoresUsed: z.number(),
      totalRAMUsed: z.number(),
      totalServerGroupsUsed: z.number(),
    }),
  }),
});

export interface CreateServerInput {
  name: string;
  flavorId: string;
  imageId: string;
  availabilityZone: string;
  /** Boot on an existing port (preferred: the console creates and tags ports) or on a network. */
  network: { portId: string } | { networkId: string };
  serverGroupId?: string;
  metadata?: Record<string, string>;
  tags?: string[];
  userData?: string;
  securityGroups?: string[];
  /** Boot from a new volume made from the image (size and type), deleted with the server. */
  rootVolume?: { sizeGb: number; volumeType?: string | undefined };
}

export class ComputeClient extends ServiceClient {
  constructor(session: KeystoneSession) {
    super(session, "compute", { "OpenStack-API-Version": `compute ${COMPUTE_MICROVERSION}` });
  }

  async listFlavors(): Promise<Flavor[]> {
    return this.list(Flavor, "/flavors/detail", "flavors");
  }
  async listAvailabilityZones(): Promise<Array<{ name: string; available: boolean }>> {
    const r = await this.json(
      z.object({ availabilityZoneInfo: z.array(Az) }),
      "GET",
      "/os-availability-zone",
    );
    return r.availabilityZoneInfo.map((z) => ({ name: z.zoneName, available: z.zoneState.available }));
  }
  async limits() {
    return (await this.json(Limits, "GET", "/limits")).limits.absolute;
  }

  async createServerGroup(
    name: string,
    policy: "soft-anti-affinity" | "anti-affinity" | "affinity" | "soft-affinity",
  ): Promise<ServerGroup> {
    return (
      await this.json(z.object({ server_group: ServerGroup }), "POST", "/os-server-groups", {
        server_group: { name, policy },
      })
    ).server_group;
  }
  async listServerGroups(): Promise<ServerGroup[]> {
    return (await this.json(z.object({ server_groups: z.array(ServerGroup) }), "GET", "/os-server-groups"))
      .server_groups;
  }
  async getServerGroup(id: string): Promise<ServerGroup | null> {
    return (
      (await this.find(z.object({ server_group: ServerGroup }), `/os-server-groups/${id}`))?.server_group ??
      null
    );
  }
  async deleteServerGroup(id: string): Promise<boolean> {
    return this.remove(`/os-server-groups/${id}`);
  }

  /** Not idempotent: a retried POST could boot twice, so it is never retried; find by name/tag after a failure. */
  async createServer(input: CreateServerInput): Promise<{ id: string }> {
    const body = {
      server: {
        name: input.name,
        flavorRef: input.flavorId,
        imageRef: input.rootVolume ? "" : input.imageId,
        ...(input.rootVolume
          ? {
              block_device_mapping_v2: [
                {
                  boot_index: 0,
                  uuid: input.imageId,
                  source_type: "image",
                  destination_type: "volume",
                  volume_size: input.rootVolume.sizeGb,
                  ...(input.rootVolume.volumeType ? { volume_type: input.rootVolume.volumeType } : {}),
                  delete_on_termination: true,
                },
              ],
            }
          : {}),
        availability_zone: input.availabilityZone,
        networks: [
          "portId" in input.network ? { port: input.network.portId } : { uuid: input.network.networkId },
        ],
        metadata: input.metadata ?? {},
        tags: input.tags,
        user_data: input.userData ? Buffer.from(input.userData).toString("base64") : undefined,
        ...(input.securityGroups && !("portId" in input.network)
          ? { security_groups: input.securityGroups.map((name) => ({ name })) }
          : {}),
      },
      ...(input.serverGroupId ? { "os:scheduler_hints": { group: input.serverGroupId } } : {}),
    };
    return (await this.json(z.object({ server: z.object({ id: z.string() }) }), "POST", "/servers", body))
      .server;
  }
  async getServer(id: string): Promise<Server | null> {
    return (await this.find(z.object({ server: Server }), `/servers/${id}`))?.server ?? null;
  }
  /** Server-side filters: exact name, all of `tags`. One paginated list, no per-server GETs. */
  async listServers(filter: { name?: string; tags?: string[] } = {}): Promise<Server[]> {
    return this.list(Server, "/servers/detail", "servers", {
      name: filter.name ? exactNameRegex(filter.name) : undefined,
      tags: filter.tags?.length ? filter.tags.join(",") : undefined,
    });
  }
  async deleteServer(id: string): Promise<boolean> {
    return this.remove(`/servers/${id}`);
  }
  async stopServer(id: string): Promise<void> {
    await this.call("POST", `/servers/${id}/action`, { "os-stop": null });
  }
  async startServer(id: string): Promise<void> {
    await this.call("POST", `/servers/${id}/action`, { "os-start": null });
  }
  /**
   * The last `lines` lines of the server's console log (Nova's
   * os-getConsoleOutput, a project API): where cloud-init and kubeadm say
   * why a node never registered. Null when the server has no console to
   * read now (409: not running; 404: gone).
   */
  async consoleOutput(id: string, lines: number): Promise<string | null> {
    try {
      return (
        await this.json(z.object({ output: z.string() }), "POST", `/servers/${id}/action`, {
          "os-getConsoleOutput": { length: lines },
        })
      ).output;
    } catch (err) {
      if (err instanceof NotFound || err instanceof Conflict) return null;
      throw err;
    }
  }
  /** Same server, new image: keeps id, ports and volumes. */
  async rebuildServer(
    id: string,
    imageId: string,
    opts: { metadata?: Record<string, string>; userData?: string } = {},
  ): Promise<void> {
    // 2.93: a volume-backed server (our nodes) may be rebuilt with a different image.
    await this.session.request(this.service, {
      method: "POST",
      path: `${this.prefix}/servers/${id}/action`,
      headers: { ...this.headers, "OpenStack-API-Version": "compute 2.93" },
      body: {
        rebuild: {
          imageRef: imageId,
          ...(opts.metadata ? { metadata: opts.metadata } : {}),
          ...(opts.userData !== undefined
            ? { user_data: Buffer.from(opts.userData).toString("base64") }
            : {}),
        },
      },
    });
  }
  async listVolumeAttachments(serverId: string): Promise<VolumeAttachment[]> {
    return this.list(Attachment, `/servers/${serverId}/os-volume_attachments`, "volumeAttachments");
  }
  /**
   * Attach a volume. When Nova refuses because the volume is already
   * attached (or being attached: Cinder's `reserved`/`attaching`) to this
   * same server, as after a retried or crashed pass, the existing
   * attachment is adopted instead of failing.
   */
  async attachVolume(serverId: string, volumeId: string): Promise<VolumeAttachment> {
    try {
      return (
        await this.json(
          z.object({ volumeAttachment: Attachment }),
          "POST",
          `/servers/${serverId}/os-volume_attachments`,
          { volumeAttachment: { volumeId } },
        )
      ).volumeAttachment;
    } catch (err) {
      if (!(err instanceof BadRequest || err instanceof Conflict)) throw err;
      const existing = (await this.listVolumeAttachments(serverId)).find((a) => a.volumeId === volumeId);
      if (existing) return existing;
      throw err;
    }
  }
  async detachVolume(serverId: string, volumeId: string): Promise<boolean> {
    return this.remove(`/servers/${serverId}/os-volume_attachments/${volumeId}`);
  }
}
