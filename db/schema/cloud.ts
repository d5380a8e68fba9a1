import { pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { projects } from "./projects";
import { users } from "./users";

export const cloudAuthType = pgEnum("cloud_auth_type", ["password", "application_credential"]);

/**
 * The OpenStack cloud a project deploys into. No row means the project uses
 * the console's built-in OpenStack emulator.
 *
 * `secretCiphertext` holds the password or application-credential secret,
 * AES-256-GCM encrypted (see server/security/encryption.ts); it never leaves
 * the server.
 */
export const cloudBindings = pgTable("cloud_bindings", {
  projectId: uuid("project_id")
    .primaryKey()
    .references(() => projects.id, { onDelete: "cascade" }),
  authUrl: text("auth_url").notNull(),
  region: text("region").notNull(),
  interface: text("interface").notNull().default("public"),
  authType: cloudAuthType("auth_type").notNull(),
  /** username (password auth) or application credential id */
  principal: text("principal").notNull(),
  userDomainName: text("user_domain_name"),
  projectName: text("project_name"),
  cloudProjectId: text("cloud_project_id"),
  projectDomainName: text("project_domain_name"),
  caCertPem: text("ca_cert_pem"),
  secretCiphertext: text("secret_ciphertext").notNull(),
  updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
