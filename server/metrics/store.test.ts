import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { createTestDb, makeUser } from "@/db/testing";
import {
  MAX_POINTS,
  pruneSamples,
  queryRange,
  rebuildRollups,
  recordSamples,
  RETENTION_MS,
  ROLLUP_S,
  stepFor,
} from "./store";

let db: Db;
let drop: () => Promise<void>;
let clusterId: string;
const end = new Date("2026-11-20T00:00:00Z");
const start = new Date(end.getTime() - 7 * 86_400_000);

beforeAll(async () => {
  ({ db, drop } = await createTestDb());
  const u = await makeUser(db);
  const c = await u.caller.cluster.create({
    projectId: u.personalProjectId,
    spec: { name: "metrics", topology: "single", masterCount: 1, masterFlavor: "STD2-2-4" },
  });
  clusterId = c.id;
  // 7 days of 1-minute samples: a daily cycle between 20 and 80, with one 1-minute spike to 99.5 and one dip to 1.
  await db.execute(sql`
    INSERT INTO metric_samples (cluster_id, series, at, value)
    SELECT ${clusterId}::uuid, 'group.web.cpu', ts,
           CASE WHEN ts = ${new Date(start.getTime() + 3 * 86_400_000 + 777 * 60_000).toISOString()}::timestamptz THEN 99.5
                WHEN ts = ${new Date(start.getTime() + 5 * 86_400_000 + 123 * 60_000).toISOString()}::timestamptz THEN 1
                ELSE 50 + 30 * sin(extract(epoch from ts) / 86400 * 2 * pi()) END
      FROM generate_series(${start.toISOString()}::timestamptz, ${end.toISOString()}::timestamptz - interval '1 minute', interval '1 minute') ts`);
  // Written in bulk behind recordSamples' back: build the 15-minute rollups as it would have.
  await rebuildRollups(db, { clusterId, from: start, to: end });
});
afterAll(() => drop());

describe("metric storage", () => {
  it("picks a bucket width that keeps any range within 1,000 points", () => {
    expect(stepFor(0, 15 * 60_000)).toBe(60);
    expect(stepFor(0, 86_400_000)).toBe(120);
    expect(stepFor(0, 7 * 86_400_000)).toBe(900);
    for (const days of [1, 3, 7, 30, 365])
      expect((days * 86_400) / stepFor(0, days * 86_400_000)).toBeLessThanOrEqual(MAX_POINTS);
  });

  it("downsamples 7 days of 1-minute samples to at most 1,000 points, keeping the min/max envelope", async () => {
    const r = await queryRange(db, { clusterId, series: ["group.web.cpu"], from: start, to: end });
    const points = r.series["group.web.cpu"]!;
    expect(points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(points.length).toBe(Math.ceil((7 * 86_400) / r.stepS));
    // The one-minute spike and dip survive as a bucket's max and min.
    expect(Math.max(...points.map((p) => p[2]))).toBe(99.5);
    expect(Math.min(...points.map((p) => p[1]))).toBe(1);
    // Every bucket's mean lies within its envelope, and buckets are in order and one step apart.
    for (const [i, p] of points.entries()) {
      const [t, min, max, avg] = p;
      expect(min).toBeLessThanOrEqual(avg);
      expect(avg).toBeLessThanOrEqual(max);
      if (i > 0) expect(t - points[i - 1]![0]).toBe(r.stepS * 1000);
    }
  });

  it("a range that does not start on a bucket boundary still stays within the point budget", async () => {
    const to = new Date(end.getTime() - 30_000);
    const from = new Date(to.getTime() - 100 * 60_000);
    const r = await queryRange(db, { clusterId, series: ["group.web.cpu"], from, to, maxPoints: 100 });
    expect(r.series["group.web.cpu"]!.length).toBeLessThanOrEqual(100);
  });

  it("long ranges read the 15-minute rollups and get exactly what the raw samples give", async () => {
    for (const days of [1, 7]) {
      const q = {
        clusterId,
        series: ["group.web.cpu"],
        from: new Date(end.getTime() - days * 86_400_000),
        to: end,
      };
      const rolled = await queryRange(db, { ...q, maxPoints: 50 });
      const raw = await queryRange(db, { ...q, maxPoints: 50, raw: true });
      expect(rolled.stepS).toBeGreaterThanOrEqual(ROLLUP_S);
      expect(rolled).toEqual(raw);
    }
  });

  it("returns raw minutes over a short range, and matches series by pattern", async () => {
    await recordSamples(db, [
      { clusterId, series: "group.db.cpu", at: new Date(end.getTime() - 120_000), value: 5 },
      { clusterId, series: "group.db.cpu", at: new Date(end.getTime() - 60_000), value: 7 },
      // A repeat for the same minute replaces the value.
      { clusterId, series: "group.db.cpu", at: new Date(end.getTime() - 60_000), value: 9 },
    ]);
    const r = await queryRange(db, {
      clusterId,
      like: "group.%.cpu",
      from: new Date(end.getTime() - 15 * 60_000),
      to: end,
    });
    expect(r.stepS).toBe(60);
    expect(Object.keys(r.series).sort()).toEqual(["group.db.cpu", "group.web.cpu"]);
    expect(r.series["group.web.cpu"]).toHaveLength(15);
    expect(r.series["group.db.cpu"]!.map((p) => p[2])).toEqual([5, 9]);
  });

  it("drops samples past the retention period", async () => {
    const gone = await pruneSamples(db, new Date(start.getTime() + RETENTION_MS + 86_400_000));
    expect(gone).toBe(1_440);
    const r = await queryRange(db, { clusterId, series: ["group.web.cpu"], from: start, to: end });
    expect(r.series["group.web.cpu"]![0]![0]).toBeGreaterThanOrEqual(start.getTime() + 86_400_000);
  });
});
