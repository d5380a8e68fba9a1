import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { clusters } from "@/db/schema";
import { createTestDb, makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import { startEmulator, type RunningEmulator } from "@/server/emulator";
import type { OpenStackCloud } from "@/server/openstack";
import { startConsoleWorker } from "@/server/runtime/worker";
import { demoCloud, randomLoopbackCidr } from "@/server/testing/cloud";

let db: Db;
let url: string;
let drop: () => Promise<void>;
let emu: RunningEmulator;
let cloud: OpenStackCloud;
beforeAll(async () => {
  ({ db, url, drop } = await createTestDb());
  // Real clock, zero latency: the queue's own timing drives the passes.
  emu = await startEmulator({ speed: Number.POSITIVE_INFINITY, externalCidr: randomLoopbackCidr() });
  cloud = demoCloud(emu);
});
afterAll(async () => {
  cloud.close();
  await emu.stop();
  await drop();
});

describe("workers on the job queue", () => {
  it(
    "two workers converge several clusters with no duplicate resources, then delete them all",
    { timeout: 120_000 },
    async () => {
      const inFlight = new Map<string, number>();
      let overlap = 0;
      const tracked = async () => cloud;
      const opts = {
        databaseUrl: url,
        encryptionKey: TEST_ENCRYPTION_KEY,
        emulator: null,
        concurrency: 3,
        minRequeueMs: 50,
        pollIntervalMs: 100,
        cloudFor: tracked,
        log: process.env.WORKER_LOG ? (l: string) => console.log(Date.now() % 100_000, l) : undefined,
      };
      const w1 = await startConsoleWorker(opts);
      const w2 = await startConsoleWorker(opts);
      // Detect two passes on one cluster at once: graphile's per-cluster queue must prevent it.
      for (const w of [w1, w2]) {
        w.runner.events.on("job:start", ({ job }) => {
          const id = (job.payload as { clusterId?: string }).clusterId ?? "";
          // Cron tasks (resync, schedules) carry no cluster and may run side by side.
          if (!id) return;
          const n = (inFlight.get(id) ?? 0) + 1;
          inFlight.set(id, n);
          if (n > 1) overlap++;
        });
        // Counted as finished when the task returns or throws: graphile emits job:success / job:error before it
        // releases the job in the database, but job:complete only after, by when another worker may have
        // started the cluster's next pass (a false overlap on a loaded machine).
        const done = ({ job }: { job: { payload: unknown } }) => {
          const id = (job.payload as { clusterId?: string }).clusterId ?? "";
          if (!id) return;
          inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
        };
        w.runner.events.on("job:success", done);
        w.runner.events.on("job:error", done);
      }
      try {
        const u = await makeUser(db);
        const ids: string[] = [];
        for (const name of ["q1", "q2", "q3", "q4"]) {
          const c = await u.caller.cluster.create({
            projectId: u.personalProjectId,
            spec: {
              name,
              topology: "standard",
              masterCount: 3,
              masterFlavor: "STD2-2-4",
              nodeGroups: [
                { name: "w", flavor: "STD2-2-4", zone: "ru-msk-c", scaling: { mode: "fixed", size: 2 } },
              ],
            },
          });
          ids.push(c.id);
        }
        await expect
          .poll(
            async () =>
              (await db.select({ phase: clusters.phase }).from(clusters).where(inArray(clusters.id, ids)))
                .map((r) => r.phase)
                .sort(),
            { timeout: 90_000, interval: 250 },
          )
          .toEqual(["Running", "Running", "Running", "Running"]);
        const servers = Object.values(emu.engine.state.servers);
        expect(servers).toHaveLength(4 * 5);
        expect(new Set(servers.map((s) => s.name)).size).toBe(20);
        expect(Object.values(emu.engine.state.loadBalancers)).toHaveLength(4);
        expect(overlap).toBe(0);

        for (const [i, id] of ids.entries())
          await u.caller.cluster.delete({
            projectId: u.personalProjectId,
            clusterId: id,
            confirmName: `q${i + 1}`,
          });
        await expect
          .poll(
            async () =>
              (
                await db.select({ phase: clusters.phase }).from(clusters).where(inArray(clusters.id, ids))
              ).every((r) => r.phase === "Deleted"),
            { timeout: 90_000, interval: 250 },
          )
          .toBe(true);
        const left =
          Object.values(emu.engine.state.ports).filter((p) => p.projectId === emu.demo.projectId).length +
          Object.values(emu.engine.state.servers).length;
        expect(left).toBe(0);
        expect(
          (await db.select().from(clusters).where(eq(clusters.id, ids[0]!)))[0]?.deletedAt,
        ).not.toBeNull();
        expect(overlap).toBe(0);
      } finally {
        await w1.stop();
        await w2.stop();
      }
    },
  );
});
