import { z } from "zod";
import { ServiceClient } from "./base";
import type { KeystoneSession } from "./session";

export const Volume = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    status: z.string(),
    size: z.number(),
    availability_zone: z.string(),
    volume_type: z.string().nullable(),
    metadata: z.record(z.string(), z.string()).default({}),
    attachments: z.array(z.object({ server_id: z.string(), device: z.string().nullish() })).default([]),
  })
  .transform((v) => ({
    id: v.id,
    name: v.name ?? "",
    status: v.status,
    sizeGb: v.size,
    availabilityZone: v.availability_zone,
    volumeType: v.volume_type,
    metadata: v.metadata,
    attachedTo: v.attachments.map((a) => ({ serverId: a.server_id, device: a.device ?? null })),
  }));
export type Volume = z.infer<typeof Volume>;

export const VolumeType = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullish(),
    extra_specs: z.record(z.string(), z.string()).default({}),
  })
  .transform((t) => ({
    id: t.id,
    name: t.name,
    description: t.description ?? "",
    extraSpecs: t.extra_specs,
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
  async createVolume(input: {
    name: string;
    sizeGb: number;
    availabilityZone: string;
    volumeType: string;
    metadata?: Record<string, string>;
    description?: string;
  }): Promise<Volume> {
    return (
      await this.json(z.object({ volume: Volume }), "POST", "/volumes", {
        volume: {
          name: input.name,
          size: input.sizeGb,
          availability_zone: input.availabilityZone,
          volume_type: input.volumeType,
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
