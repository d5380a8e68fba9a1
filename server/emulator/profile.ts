/**
 * A release profile: which behaviours of a given OpenStack release and
 * deployment the emulator follows, where real clouds differ from one
 * another. Each switch is a divergence found on a real cloud (issue 15).
 */
export interface ReleaseProfile {
  /**
   * Neutron lists the `tag-creation` extension and takes `tags` in a create
   * body (neutron-lib added the extension in 2024, after Zed). Without it a
   * create body with `tags` is refused with 400 "Attribute 'tags' not allowed
   * in POST" (what the lab's Zed Neutron answered);
   * tags are then set with `PUT /v2.0/{resource}/{id}/tags`.
   */
  tagCreation: boolean;
  /**
   * Leave out the fields the real services leave out when unset, instead
   * of sending null: Octavia's pool `healthmonitor_id` without a monitor.
   */
  omitOptionalFields: boolean;
  /** Cinder's availability zones; null: the same names as Nova's. */
  volumeZones: string[] | null;
  /**
   * Octavia's amphora API follows its default policy (`load-balancer:admin`):
   * a project token gets 403. Off, a project sees its own amphorae.
   */
  amphoraAdminOnly: boolean;
}

/**
 * The lab's cloud (Debian 12 packages of Zed, see ../shared/openstack-lab):
 * no `tag-creation`, a pool without a monitor has no `healthmonitor_id`,
 * Cinder's only zone is `nova` while Nova's are GZ1/MS1, amphorae admin-only.
 */
export const ZED_LAB_PROFILE: ReleaseProfile = {
  tagCreation: false,
  omitOptionalFields: true,
  volumeZones: ["nova"],
  amphoraAdminOnly: true,
};

/**
 * The emulator's default: the lab's Neutron and Octavia field habits, but
 * Cinder zones named as Nova's (clusters put volumes in their server's
 * zone until the catalog maps zones) and project-readable amphorae (the
 * console's failover detection still reads them; the tenant fallback is
 * issue 15's reconciler part).
 */
export const DEFAULT_PROFILE: ReleaseProfile = {
  ...ZED_LAB_PROFILE,
  volumeZones: null,
  amphoraAdminOnly: false,
};

export const PROFILES = { default: DEFAULT_PROFILE, "zed-lab": ZED_LAB_PROFILE } as const;
export type ProfileName = keyof typeof PROFILES;

/** A named profile, or the default with some switches changed. */
export function releaseProfile(p: ProfileName | Partial<ReleaseProfile> = "default"): ReleaseProfile {
  return typeof p === "string" ? { ...PROFILES[p] } : { ...DEFAULT_PROFILE, ...p };
}
