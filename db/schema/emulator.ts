import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { projects } from "./projects";

/**
 * A console project's own project in the built-in OpenStack emulator,
 * created the first time the project needs a cloud and has no binding.
 * The application-credential secret is encrypted like any cloud secret.
 */
export const emulatorAccounts = pgTable("emulator_accounts", {
  projectId: uuid("project_id")
    .primaryKey()
    .references(() => projects.id, { onDelete: "cascade" }),
  emulatorProjectId: text("emulator_project_id").notNull(),
  applicationCredentialId: text("application_credential_id").notNull(),
  secretCiphertext: text("secret_ciphertext").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
