import { jsonb, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
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
