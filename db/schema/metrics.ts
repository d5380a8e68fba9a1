import { doublePrecision, index, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { clusters } from "./clusters";

/**
 * Metric samples of a cluster, one row per series and minute: node counts by
 * state, per-group desired/ready nodes and requested/allocatable CPU and
 * memory, pending pods, load-balancer members, per-node utilization. Series
 * are dotted names (`group.web.ready`, `node.c1-web-3.cpu`). Read through
 * server/metrics (downsampled in SQL, never raw over long ranges); pruned
 * after the retention period.
 */
export const metricSamples = pgTable(
  "metric_samples",
  {
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    series: text("series").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    value: doublePrecision("value").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.clusterId, t.series, t.at] }),
    // Retention deletes by time across clusters.
    index("metric_samples_at_idx").on(t.at),
  ],
);
