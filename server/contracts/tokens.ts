import { z } from "zod";
import { ProjectId, ProjectRole, ProjectScoped } from "./project";
import { line } from "./text";

import { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS } from "./token-lifetimes";

export { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS };

export const TokenName = line()
  .trim()
  .min(1, "Give the token a name")
  .max(60, "At most 60 characters")
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._:/@-]*$/u, "Use letters, digits, spaces and . _ : / @ -");

export const ExpiresInDays = z
  .number()
  .int("Whole days")
  .min(1, "At least 1 day")
  .max(TOKEN_MAX_DAYS, `At most ${TOKEN_MAX_DAYS} days (a year)`)
  .default(TOKEN_DEFAULT_DAYS);

export const CreatePersonalTokenInput = z.object({
  name: TokenName,
  projectIds: z
    .array(ProjectId)
    .min(1, "Choose at least one project")
    .max(100)
    .refine((ids) => new Set(ids).size === ids.length, "Each project once"),
  maxRole: ProjectRole,
  expiresInDays: ExpiresInDays,
});
export type CreatePersonalTokenInput = z.infer<typeof CreatePersonalTokenInput>;

export const RevokePersonalTokenInput = z.object({ tokenId: z.uuid() });

export const ServiceAccountName = line()
  .trim()
  .min(2, "At least 2 characters")
  .max(40, "At most 40 characters")
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    "Lower-case letters, digits and -, starting and ending with a letter or digit",
  );

export const CreateServiceAccountInput = ProjectScoped.extend({
  name: ServiceAccountName,
  description: line().trim().max(200).default(""),
  role: ProjectRole,
});
export const ServiceAccountRef = ProjectScoped.extend({ serviceAccountId: z.uuid() });
export const UpdateServiceAccountRoleInput = ServiceAccountRef.extend({ role: ProjectRole });
export const CreateServiceAccountTokenInput = ServiceAccountRef.extend({
  name: TokenName,
  expiresInDays: ExpiresInDays,
});
export const RevokeServiceAccountTokenInput = ServiceAccountRef.extend({ tokenId: z.uuid() });

export type CreateServiceAccountInput = z.infer<typeof CreateServiceAccountInput>;
export type ServiceAccountRef = z.infer<typeof ServiceAccountRef>;
export type UpdateServiceAccountRoleInput = z.infer<typeof UpdateServiceAccountRoleInput>;
export type CreateServiceAccountTokenInput = z.infer<typeof CreateServiceAccountTokenInput>;
export type RevokeServiceAccountTokenInput = z.infer<typeof RevokeServiceAccountTokenInput>;

/** A token as lists show it: never the secret. */
export interface TokenView {
  id: string;
  kind: "personal" | "service_account";
  name: string;
  prefix: string;
  projectIds: string[] | null;
  maxRole: ProjectRole | null;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
  state: "active" | "expired" | "revoked";
}

/** What creating a token answers: the secret, shown this once. */
export interface CreatedToken {
  token: TokenView;
  secret: string;
}

export interface ServiceAccountView {
  id: string;
  name: string;
  description: string;
  role: ProjectRole;
  createdAt: Date;
  tokens: TokenView[];
}
