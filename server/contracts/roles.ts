/** Roles without zod, so UI code that only needs them does not ship the validation library. */
export const PROJECT_ROLES = ["viewer", "member", "admin", "owner"] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

export const ROLE_LABELS: Record<ProjectRole, string> = {
  viewer: "Viewer",
  member: "Member",
  admin: "Admin",
  owner: "Owner",
};

export const ROLE_DESCRIPTIONS: Record<ProjectRole, string> = {
  viewer: "Sees clusters, dashboards and settings; changes nothing.",
  member: "Creates and operates clusters.",
  admin: "Also manages members, cloud credentials and reads the audit log.",
  owner: "Full control, including roles of other owners.",
};

/** True when `role` is at least `min` in viewer < member < admin < owner. */
export function roleAtLeast(role: ProjectRole, min: ProjectRole): boolean {
  return PROJECT_ROLES.indexOf(role) >= PROJECT_ROLES.indexOf(min);
}
