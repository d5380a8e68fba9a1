import { sql } from "drizzle-orm";
import {
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { projectRole, projects } from "./projects";
import { users } from "./users";

export const apiTokenKind = pgEnum("api_token_kind", ["personal", "service_account"]);

/**
 * A project's service account. Its principal is a `users` row of kind
 * `service_account` (no password, no sign-in) with one membership, in this
 * project, at `role`: authorization is the same membership check as for people.
 */
export const serviceAccounts = pgTable(
  "service_accounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("service_accounts_project_name_key").on(t.projectId, t.name),
    uniqueIndex("service_accounts_user_key").on(t.userId),
  ],
);

/**
 * An API token. Only the SHA-256 of the secret is stored (the secret has
 * 190 bits of entropy, so a slow hash adds nothing); `prefix` is the part
 * shown in lists. A personal token acts as `userId`, limited to
 * `projectIds` and at most `maxRole`; a service-account token acts as the
 * account's principal (`userId` is the account's user row).
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: apiTokenKind("kind").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    serviceAccountId: uuid("service_account_id").references(() => serviceAccounts.id, {
      onDelete: "cascade",
    }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    secretHash: text("secret_hash").notNull(),
    projectIds: jsonb("project_ids").$type<string[]>(),
    maxRole: projectRole("max_role"),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    lastUsedIp: text("last_used_ip"),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("api_tokens_secret_hash_key").on(t.secretHash),
    index("api_tokens_user_idx").on(t.userId),
    index("api_tokens_service_account_idx").on(t.serviceAccountId),
  ],
);

/** Addresses a token has been used from: the first use from a new one is audited. */
export const apiTokenAddresses = pgTable(
  "api_token_addresses",
  {
    tokenId: uuid("token_id")
      .notNull()
      .references(() => apiTokens.id, { onDelete: "cascade" }),
    ip: text("ip").notNull(),
    firstAt: timestamp("first_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tokenId, t.ip] })],
);

/** Requests per token per minute, shared by every web process. */
export const apiRateWindows = pgTable(
  "api_rate_windows",
  {
    tokenId: uuid("token_id")
      .notNull()
      .references(() => apiTokens.id, { onDelete: "cascade" }),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tokenId, t.windowStart] })],
);

/**
 * A POST's `Idempotency-Key` and its first result, kept 24 h. `status` is
 * null while the first request runs.
 */
export const apiIdempotency = pgTable(
  "api_idempotency",
  {
    principal: text("principal").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    status: integer("status"),
    response: jsonb("response").$type<unknown>(),
    createdAt: timestamp("created_at", { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [
    primaryKey({ columns: [t.principal, t.key] }),
    index("api_idempotency_created_idx").on(t.createdAt),
  ],
);
