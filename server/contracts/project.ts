import { z } from "zod";
import { Email } from "./auth";

import { PROJECT_ROLES } from "./roles";

export { PROJECT_ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS, roleAtLeast } from "./roles";
export const ProjectRole = z.enum(PROJECT_ROLES);
export type ProjectRole = z.infer<typeof ProjectRole>;

export const ProjectId = z.uuid({ message: "Not a valid project id" });
export const ProjectName = z
  .string()
  .trim()
  .min(2, "Project name must be at least 2 characters")
  .max(60, "Project name must be at most 60 characters")
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N} ._'-]*$/u,
    "Use letters, digits, spaces and . _ ' - (starting with a letter or digit)",
  );

export const ProjectScoped = z.object({ projectId: ProjectId });

export const CreateProjectInput = z.object({ name: ProjectName });
export type CreateProjectInput = z.infer<typeof CreateProjectInput>;

export const RenameProjectInput = ProjectScoped.extend({ name: ProjectName });
export type RenameProjectInput = z.infer<typeof RenameProjectInput>;

export const AddMemberInput = ProjectScoped.extend({ email: Email, role: ProjectRole });
export type AddMemberInput = z.infer<typeof AddMemberInput>;

export const UpdateMemberRoleInput = ProjectScoped.extend({ userId: z.uuid(), role: ProjectRole });
export type UpdateMemberRoleInput = z.infer<typeof UpdateMemberRoleInput>;
export const RemoveMemberInput = ProjectScoped.extend({ userId: z.uuid() });
export type RemoveMemberInput = z.infer<typeof RemoveMemberInput>;
export const CancelInvitationInput = ProjectScoped.extend({ invitationId: z.uuid() });
export type CancelInvitationInput = z.infer<typeof CancelInvitationInput>;

export interface ProjectView {
  id: string;
  name: string;
  personal: boolean;
  role: ProjectRole;
  createdAt: Date;
}

export interface MemberView {
  userId: string;
  email: string;
  name: string;
  role: ProjectRole;
  addedAt: Date;
}

export interface InvitationView {
  id: string;
  email: string;
  role: ProjectRole;
  invitedAt: Date;
}
