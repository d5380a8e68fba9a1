import { sql } from "drizzle-orm";
import { index, pgEnum, pgTable, text, timestamp, uuid, uniqueIndex } from "drizzle-orm/pg-core";

/** People sign in; service accounts act only through their API tokens. */
export const userKind = pgEnum("user_kind", ["person", "service_account"]);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Always stored lower-cased and trimmed; unique. */
    email: text("email").notNull(),
    name: text("name").notNull(),
    /** argon2id PHC string; null for accounts that only sign in with OIDC. */
    passwordHash: text("password_hash"),
    kind: userKind("kind").notNull().default("person"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email)],
);

/**
 * Failed sign-in / sign-up attempts, used for rate limiting by email and by
 * client IP. Rows older than the longest window are pruned on write.
 */
export const authAttempts = pgTable(
  "auth_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** `signin-email:<email>`, `signin-ip:<ip>`, `signup-ip:<ip>` */
    key: text("key").notNull(),
    at: timestamp("at", { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [index("auth_attempts_key_at_idx").on(t.key, t.at)],
);
