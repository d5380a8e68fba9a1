import { z } from "zod";
import { ServiceClient } from "./base";
import { BadRequest, NotFound, OpenStackError } from "./errors";
import type { KeystoneSession } from "./session";

/**
 * Response schemas follow the Block Storage v3 API reference: name,
 * description and volume_type may be null, metadata and attachments may be
 * left out, and an attachment's device is unknown until it is attached.
 */
export const Volume = z
  .object({
    id: z.string(),
    name: z.string().nullish(),
    status: z.string(),
    size: z.number(),
    availability_zone: z.string().nullish(),
    volume_type: z.string().nullish(),
    metadata: z.record(z.string(), z.string()).nullish(),
    attachments: z.array(z.object({ server_id: z.string(), device: z.string().nullish() })).nullish(),
  })
  .transform((v) => ({
    id: v.id,
    name: v.name ?? "",
    status: v.status,
    sizeGb: v.size,
    availabilityZone: v.availability_zone ?? "",
    volumeType: v.volume_type ?? null,
    metadata: v.metadata ?? {},
    attachedTo: (v.attachments ?? []).map((a) => ({ serverId: a.server_id, device: a.device ?? null })),
  }));
export type Volume = z.infer<typeof Volume>;

/**
 * Cinder's attach states: `available → reserved → attaching → in-use`, and
 * back through `detaching`. While reserved or attaching, the volume's own
 * `attachments` are still empty (Cinder lists only completed ones).
 */
const ATTACH_IN_PROGRESS = new Set(["reserved", "attaching", "detaching"]);

/** An attach or detach is under way: come back later, do not attach again. */
export function volumeAttachPending(v: Pick<Volume, "status">): boolean {
  return ATTACH_IN_PROGRESS.has(v.status);
}

/** The volume is attached to `serverId` (in use, or being extended while attached). */
export function volumeAttachedTo(
  v: Pick<Volume, "status" | "attachedTo">,
  serverId: string | undefined,
): boolean {
  return (
    serverId !== undefined &&
    (v.status === "in-use" || v.status === "extending") &&
    v.attachedTo.some((a) => a.serverId === serverId)
  );
}

export const VolumeType = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullish(),
    // Shown to a project only where policy lets it read extra specs.
    extra_specs: z.record(z.string(), z.string()).nullish(),
  })
  .transform((t) => ({
    id: t.id,
    name: t.name,
    description: t.description ?? "",
    extraSpecs: t.extra_specs ?? {},
  }));
export type VolumeType = z.infer<typeof VolumeType>;

const Usage = z.object({ limit: z.number(), in_use: z.number() });

/** Cinder v3. The catalog URL already carries the project id. */
export class BlockStorageClient extends ServiceClient {
  constructor(session: KeystoneSession) {
    super(session, "block-storage", { "OpenStack-API-Version": "volume 3.59" });
  }

  /** Cinder's own zones, which need not be Nova's (a real cloud may have Nova `GZ1`/`MS1` and Cinder `nova`). */
  async listAvailabilityZones(): Promise<Array<{ name: string; available: boolean }>> {
    const Az = z.object({ zoneName: z.string(), zoneState: z.object({ available: z.boolean() }) });
    const r = await this.json(
      z.object({ availabilityZoneInfo: z.array(Az) }),
      "GET",
      "/os-availability-zone",
    );
    return r.availabilityZoneInfo.map((a) => ({ name: a.zoneName, available: a.zoneState.available }));
  }
  async listVolumeTypes() {
    return (await this.json(z.object({ volume_types: z.array(VolumeType) }), "GET", "/types")).volume_types;
  }
  /** The type Cinder uses when a request names none (microversion 3.62); null where the cloud cannot say. */
  async defaultVolumeType(): Promise<{ id: string; name: string } | null> {
    try {
      const res = await this.session.request(this.service, {
        method: "GET",
        path: "/types/default",
        headers: { ...this.headers, "OpenStack-API-Version": "volume 3.62" },
      });
      return this.parse(z.object({ volume_type: VolumeType }), res, "GET /types/default").volume_type;
    } catch (e) {
      // 404: no default set; 406/400: an older Cinder without the call.
      if (
        e instanceof NotFound ||
        e instanceof BadRequest ||
        (e instanceof OpenStackError && e.status === 406)
      )
        return null;
      throw e;
    }
  }
  async createVolume(input: {
    name: string;
    sizeGb: number;
    /** Only a zone Cinder lists; left out, Cinder chooses. */
    availabilityZone?: string;
    /** Left out, Cinder uses its default type. */
    volumeType?: string;
    metadata?: Record<string, string>;
    description?: string;
  }): Promise<Volume> {
    return (
      await this.json(z.object({ volume: Volume }), "POST", "/volumes", {
        volume: {
          name: input.name,
          size: input.sizeGb,
          ...(input.availabilityZone ? { availability_zone: input.availabilityZone } : {}),
          ...(input.volumeType ? { volume_type: input.volumeType } : {}),
          metadata: input.metadata ?? {},
          description: input.description ?? "",
        },
      })
    ).volume;
  }
  async getVolume(id: string) {
    return (await this.find(z.object({ volume: Volume }), `/volumes/${id}`))?.volume ?? null;
  }
  /** Filters by exact name and/or metadata (all pairs), server-side. */
  async listVolumes(f: { name?: string; metadata?: Record<string, string> } = {}) {
    return this.list(Volume, "/volumes/detail", "volumes", {
      name: f.name,
      metadata: f.metadata ? JSON.stringify(f.metadata) : undefined,
    });
  }
  async extendVolume(id: string, newSizeGb: number): Promise<void> {
    await this.call("POST", `/volumes/${id}/action`, { "os-extend": { new_size: newSizeGb } });
  }
  async deleteVolume(id: string) {
    return this.remove(`/volumes/${id}`);
  }
  async quotaUsage(projectId: string) {
    const r = await this.json(
      z.object({ quota_set: z.object({ volumes: Usage, gigabytes: Usage }) }),
      "GET",
      `/os-quota-sets/${projectId}?usage=true`,
    );
    return r.quota_set;
  }
}
