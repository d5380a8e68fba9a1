import { createHash } from "node:crypto";

/**
 * One Kubernetes StorageClass per Cinder volume type of the cloud's catalog,
 * provisioned by Cinder CSI: named `cinder-<type>` (a DNS-1123 name; a type
 * whose name needs changing gets a short hash so two types never collide),
 * the cloud's default type marked default, volumes that follow their pod's
 * zone (WaitForFirstConsumer) and that can grow.
 */

export const CINDER_CSI = "cinder.csi.openstack.org";

export interface WantedStorageClass {
  name: string;
  volumeType: string;
  isDefault: boolean;
}

export function storageClassName(volumeType: string): string {
  const clean = volumeType
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .replace(/-{2,}/g, "-");
  const base = `cinder-${clean || "type"}`;
  if (clean === volumeType && base.length <= 63) return base;
  const h = createHash("sha256").update(volumeType).digest("hex").slice(0, 6);
  return `${base.slice(0, 56).replace(/-+$/, "")}-${h}`;
}

export function wantedStorageClasses(
  volumeTypes: ReadonlyArray<{ id: string; name: string }>,
  defaultVolumeTypeId: string | null,
): WantedStorageClass[] {
  return volumeTypes
    .map((t) => ({
      name: storageClassName(t.name),
      volumeType: t.name,
      isDefault: t.id === defaultVolumeTypeId,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
