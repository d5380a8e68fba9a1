import { z } from "zod";
import { ServiceClient } from "./base";
import type { KeystoneSession } from "./session";

export const Image = z
  .object({ id: z.string(), name: z.string().nullable(), status: z.string(), created_at: z.string() })
  .loose()
  .transform((i) => ({
    id: i.id,
    name: i.name ?? "",
    status: i.status,
    createdAt: i.created_at,
    properties: i as Record<string, unknown>,
  }));
export type Image = z.infer<typeof Image>;

export class ImageClient extends ServiceClient {
  constructor(session: KeystoneSession) {
    super(session, "image", {}, "/v2");
  }
  async listImages(f: { name?: string } = {}) {
    return this.list(Image, "/images", "images", { name: f.name });
  }
}
