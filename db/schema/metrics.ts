import {
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
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

/**
 * 15-minute rollups of metric_samples (min, max, sum, count per series),
 * recomputed from the samples of every bucket a write touches, so ranges of
 * a day or more read 15× fewer rows with the same envelope and mean.
 */
export const metricRollups = pgTable(
  "metric_rollups",
  {
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    series: text("series").notNull(),
    bucket: timestamp("bucket", { withTimezone: true }).notNull(),
    min: doublePrecision("min").notNull(),
    max: doublePrecision("max").notNull(),
    sum: doublePrecision("sum").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.clusterId, t.series, t.bucket] }),
    index("metric_rollups_bucket_idx").on(t.bucket),
  ],
);
