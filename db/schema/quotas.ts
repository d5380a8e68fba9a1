import { jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { CloudCatalog } from "@/server/contracts/cloud-catalog";
import { projects } from "./projects";

export type QuotaSnapshot = Record<string, { limit: number; used: number }>;
/** The project's own networks (not made by the console), for the wizard's "existing network" choice. */
export type NetworkSnapshot = Array<{
  id: string;
  name: string;
  subnets: Array<{ id: string; name: string; cidr: string }>;
}>;

/**
 * The project's cloud quotas and usage as the worker last read them; the
 * wizard's quota check reads this, never the cloud.
 */
export const cloudQuotas = pgTable("cloud_quotas", {
  projectId: uuid("project_id")
    .primaryKey()
    .references(() => projects.id, { onDelete: "cascade" }),
  data: jsonb("data").$type<QuotaSnapshot>().notNull(),
  networks: jsonb("networks").$type<NetworkSnapshot>(),
  fetchedAt: timestamp("fetched_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The project's cloud catalog (zones, flavors, volume types, node images,
 * external networks, prices) as the worker last read it; services check
 * specs against it and never call the cloud. `staleAt` set means "read it
 * again before trusting it" (Retry and Refresh set it).
 */
export const cloudCatalogs = pgTable("cloud_catalogs", {
  projectId: uuid("project_id")
    .primaryKey()
    .references(() => projects.id, { onDelete: "cascade" }),
  data: jsonb("data").$type<CloudCatalog>(),
  /** Why the last read failed (null when it worked); the previous data stays usable. */
  error: text("error"),
  fetchedAt: timestamp("fetched_at", { withTimezone: true }),
  staleAt: timestamp("stale_at", { withTimezone: true }),
});
