/**
 * `npx tsx bench/dashboards.ts [nodes] [days]`
 *
 * Query time of each dashboard panel for a cluster of N nodes (default 500)
 * with D days (default 7) of 1-minute samples, seeded in bulk: per-node CPU
 * and memory (the bulk of the table), per-group nodes and resources, node
 * states, pending pods, load balancers. For each panel and range (1 h,
 * 24 h, 7 d): p50/p99 over 30 runs, points per series, and the bytes of
 * the JSON the browser would get. Baselines in the same run: the heaviest
 * panel over 7 days from the raw samples (no rollups), and the node panel
 * read raw (no downsampling at all).
 */
import { benchDatabase } from "./database";
import { sql } from "drizzle-orm";
import { createDb } from "@/db/client";
import { PANELS } from "@/server/metrics/panels";
import { MAX_POINTS, queryRange, rebuildRollups } from "@/server/metrics/store";

const NODES = Number(process.argv[2] ?? 500);
const DAYS = Number(process.argv[3] ?? 7);
const GROUPS = 10;
const RUNS = 30;
/** What a dashboard panel asks for: about one point per two pixels of a 1,200 px wide chart. */
const MAX_POINTS_PER_PANEL = 600;
const context = {
  groups: Array.from({ length: GROUPS }, (_, i) => `g${i + 1}`),
  loadBalancers: ["big-api", "big-ingress"],
};

const pgServer = await benchDatabase("bench-dash");
const db = createDb(pgServer.url, 4);

try {
  // A project and cluster row to hang the samples on (the table references clusters).
  const [{ id: clusterId }] = (
    await db.execute<{ id: string }>(sql`
      WITH u AS (INSERT INTO users (email, name, password_hash) VALUES ('bench@example.com', 'Bench', 'x') RETURNING id),
           p AS (INSERT INTO projects (name, personal, created_by) SELECT 'bench', false, id FROM u RETURNING id)
      INSERT INTO clusters (project_id, name, spec) SELECT id, 'big', '{}'::jsonb FROM p RETURNING id`)
  ).rows as [{ id: string }];

  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const start = new Date(end.getTime() - DAYS * 86_400_000);
  const t0 = Date.now();
  const range = sql`generate_series(${start.toISOString()}::timestamptz, ${end.toISOString()}::timestamptz - interval '1 minute', interval '1 minute')`;
  // Per node: CPU and memory utilisation (a daily cycle plus noise).
  await db.execute(sql`
    INSERT INTO metric_samples (cluster_id, series, at, value)
    SELECT ${clusterId}::uuid, 'node.big-n' || n || '.' || m, ts,
           greatest(0, 40 + 30 * sin(extract(epoch from ts) / 86400 * 2 * pi() + n) + random() * 10)
      FROM generate_series(1, ${NODES}) n, (VALUES ('cpu'), ('mem')) v(m), ${range} ts`);
  // Per group: desired/ready nodes and requested/allocatable resources.
  await db.execute(sql`
    INSERT INTO metric_samples (cluster_id, series, at, value)
    SELECT ${clusterId}::uuid, 'group.g' || g || '.' || s, ts,
           CASE WHEN s LIKE 'nodes_%' THEN ${NODES / GROUPS} - (random() < 0.01)::int
                ELSE 1000 * ${NODES / GROUPS} * (0.5 + 0.3 * sin(extract(epoch from ts) / 86400 * 2 * pi())) END
      FROM generate_series(1, ${GROUPS}) g,
           (VALUES ('nodes_desired'), ('nodes_ready'), ('res_cpu_requested'), ('res_cpu_allocatable'),
                   ('res_cpu_used'), ('res_mem_requested'), ('res_mem_allocatable'), ('res_mem_used')) v(s),
           ${range} ts`);
  // Cluster-wide: node states, pending pods, violations, load balancers.
  await db.execute(sql`
    INSERT INTO metric_samples (cluster_id, series, at, value)
    SELECT ${clusterId}::uuid, s, ts,
           CASE s WHEN 'nodes.Ready' THEN ${NODES} - floor(random() * 3)
                  WHEN 'pods.pending' THEN floor(random() * 20)
                  WHEN 'policies.violations' THEN 30
                  ELSE floor(random() * 2) END
      FROM (VALUES ('nodes.Installing'), ('nodes.Ready'), ('nodes.NotReady'), ('nodes.Draining'), ('nodes.Cordoned'),
                   ('nodes.Stopped'), ('pods.pending'), ('policies.violations'), ('lb.big-api.online'),
                   ('lb.big-api.members_online'), ('lb.big-api.members_offline'), ('lb.big-ingress.online'),
                   ('lb.big-ingress.members_online'), ('lb.big-ingress.members_offline'),
                   ('lb.big-api.connections'), ('lb.big-ingress.connections')) v(s), ${range} ts`);
  const tr = Date.now();
  await rebuildRollups(db, { clusterId, from: start, to: end });
  console.log(`15-minute rollups built in ${((Date.now() - tr) / 1000).toFixed(1)} s`);
  await db.execute(sql`ANALYZE metric_samples`);
  await db.execute(sql`ANALYZE metric_rollups`);
  const [{ n, size }] = (
    await db.execute<{ n: string; size: string }>(
      sql`SELECT count(*)::text AS n, pg_size_pretty(pg_total_relation_size('metric_samples')) AS size FROM metric_samples`,
    )
  ).rows as [{ n: string; size: string }];
  console.log(
    `seeded ${Number(n).toLocaleString("en")} samples (${NODES} nodes, ${DAYS} days, 1-minute) in ${((Date.now() - t0) / 1000).toFixed(1)} s; table + indexes ${size}\n`,
  );

  const pct = (xs: number[], p: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  const ranges = [
    ["1 h", 3_600_000],
    ["24 h", 86_400_000],
    [`${DAYS} d`, DAYS * 86_400_000],
  ] as const;
  console.log("panel                  range   p50 ms   p99 ms  series  points/series    bytes");
  for (const [id, panel] of Object.entries(PANELS)) {
    for (const [label, ms] of ranges) {
      const times: number[] = [];
      let bytes = 0;
      let series = 0;
      let points = 0;
      for (let i = 0; i < RUNS; i++) {
        const s = performance.now();
        const r = await queryRange(db, {
          clusterId,
          series: panel.series(context),
          from: new Date(end.getTime() - ms),
          to: end,
          maxPoints: MAX_POINTS_PER_PANEL,
        });
        times.push(performance.now() - s);
        bytes = Buffer.byteLength(JSON.stringify(r));
        series = Object.keys(r.series).length;
        points = Math.max(0, ...Object.values(r.series).map((x) => x.length));
      }
      console.log(
        `${id.padEnd(22)} ${label.padStart(5)} ${pct(times, 50).toFixed(1).padStart(8)} ${pct(times, 99).toFixed(1).padStart(8)} ${String(series).padStart(7)} ${String(points).padStart(14)} ${bytes.toLocaleString("en").padStart(9)}`,
      );
    }
  }

  // The ceiling: 1,000 points per series, for the heaviest panel over the whole range.
  {
    const s = performance.now();
    const r = await queryRange(db, {
      clusterId,
      series: PANELS.utilization.series(context),
      from: start,
      to: end,
      maxPoints: MAX_POINTS,
    });
    console.log(
      `\nutilization over ${DAYS} d at the ${MAX_POINTS}-point ceiling: ${(performance.now() - s).toFixed(1)} ms, ${Math.max(...Object.values(r.series).map((x) => x.length))} points/series, ${Buffer.byteLength(JSON.stringify(r)).toLocaleString("en")} bytes`,
    );
  }

  // Baseline: the same panel from the raw samples instead of the rollups.
  {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      await queryRange(db, {
        clusterId,
        series: PANELS.utilization.series(context),
        from: start,
        to: end,
        maxPoints: MAX_POINTS_PER_PANEL,
        raw: true,
      });
      times.push(performance.now() - s);
    }
    console.log(
      `baseline: utilization over ${DAYS} d from raw samples (no rollups): p50 ${pct(times, 50).toFixed(1)} ms`,
    );
  }

  // Baseline: the node-lifecycle panel over the whole range, raw.
  const times: number[] = [];
  let rawBytes = 0;
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    const r = await db.execute(sql`
      SELECT series, at, value FROM metric_samples
       WHERE cluster_id = ${clusterId} AND series LIKE 'nodes.%' AND at >= ${start.toISOString()}::timestamptz
       ORDER BY series, at`);
    times.push(performance.now() - s);
    rawBytes = Buffer.byteLength(JSON.stringify(r.rows));
  }
  console.log(
    `baseline: node-lifecycle over ${DAYS} d read raw: p50 ${pct(times, 50).toFixed(1)} ms, ${rawBytes.toLocaleString("en")} bytes (what downsampling avoids sending)`,
  );
} finally {
  await db.$client.end();
  await pgServer.stop();
}
