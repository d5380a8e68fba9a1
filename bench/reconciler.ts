/**
 * `npx tsx bench/reconciler.ts [clusters]`
 *
 * 1. Time to Running for each topology at real-cloud latencies (emulated,
 *    test clock), divided by the critical path computed from the same
 *    latencies (1.0 is ideal: steps run as soon as their inputs exist).
 * 2. OpenStack calls per create.
 * 3. N clusters (default 50) created at once, converged by 1 and by 2
 *    workers on the real job queue (zero emulated latency): wall time.
 */
import { emulatorCatalogConfig } from "@/server/testing/emulator-catalog";
import { benchDatabase } from "./database";
import pg from "pg";
import { createDb } from "@/db/client";
import { clusters } from "@/db/schema";
import { createCaller } from "@/server/api/root";
import type { ClusterSpecInput } from "@/server/contracts/cluster";
import { latency } from "@/server/emulator/clock";
import { startEmulator, TestClock } from "@/server/emulator";
import type { HttpLogEntry } from "@/server/openstack";
import { reconcileCluster } from "@/server/reconciler/cluster/reconcile";
import { startConsoleWorker } from "@/server/runtime/worker";
import { signUp } from "@/server/services/auth/sign-up";
import { generateKey } from "@/server/security/encryption";
import { inArray } from "drizzle-orm";
import { demoCloud, randomLoopbackCidr } from "@/server/testing/cloud";

const N = Number(process.argv[2] ?? 50);
const key = generateKey();
const pgServer = await benchDatabase("bench");
const db = createDb(pgServer.url, 20);

async function user(name: string) {
  const { userId, personalProjectId } = await signUp({
    db,
    meta: { requestId: "bench", clientIp: null },
    input: { name, email: `${name}-${Date.now()}@example.com`, password: "bench-password-1" },
  });
  return {
    projectId: personalProjectId,
    caller: createCaller({ db, session: { userId }, requestId: "bench", clientIp: null, encryptionKey: key }),
  };
}

const topologies: Array<[string, Partial<ClusterSpecInput>]> = [
  ["single (1 master, 2 workers)", { topology: "single", masterCount: 1 }],
  ["standard (3 masters, 2 workers)", { topology: "standard", masterCount: 3 }],
  ["regional (3 masters, 2 workers)", { topology: "regional", masterCount: 3 }],
  ["regional (5 masters, 2 workers)", { topology: "regional", masterCount: 5 }],
];
const base = (name: string): ClusterSpecInput => ({
  name,
  topology: "standard",
  masterCount: 3,
  masterFlavor: "STD2-4-8",
  nodeGroups: [{ name: "w", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 2 } }],
});

console.log(
  "# 1–2. Time to Running at real-cloud latencies (server boot 60–120 s, LB 60–90 s + 3–8 s per change, volume 5–10 s)",
);
for (const [label, over] of topologies) {
  const clock = new TestClock();
  const emu = await startEmulator({ clock, speed: 1, externalCidr: randomLoopbackCidr() });
  const log: HttpLogEntry[] = [];
  const cloud = demoCloud(emu, { now: () => clock.now(), log: (e) => log.push(e) });
  const u = await user(`b${Math.random().toString(36).slice(2, 8)}`);
  const c = await u.caller.cluster.create({
    projectId: u.projectId,
    spec: { ...base(`t${topologies.findIndex((x) => x[0] === label)}`), ...over },
  });
  const start = clock.now();
  // Passes whenever asked, time moving in 1 s steps between them.
  for (;;) {
    let r = await reconcileCluster(
      { db, cloudFor: async () => cloud, encryptionKey: key, catalogConfigOf: emulatorCatalogConfig },
      c.id,
    );
    while (!r.converged && r.requeueAfterMs !== null && r.actions.length > 0)
      r = await reconcileCluster(
        { db, cloudFor: async () => cloud, encryptionKey: key, catalogConfigOf: emulatorCatalogConfig },
        c.id,
      );
    if (r.converged) break;
    clock.advance(1_000);
  }
  const took = (clock.now() - start) / 1000;
  // Critical path from the latencies the emulator actually drew for these resources.
  const s = emu.engine.state;
  const lb = Object.values(s.loadBalancers)[0]!;
  const masters = Object.values(s.servers).filter((x) => x.name.includes("-master-"));
  const lbChain = latency("lbCreate", lb.id, 1) + (3 + masters.length) * latency("lbUpdate", lb.id, 1);
  const masterChain = Math.max(
    ...masters.map((m) => {
      const v = Object.values(s.volumes).find((x) => x.attachment?.serverId === m.id)!;
      return (
        Math.max(latency("serverBoot", m.id, 1), latency("volumeCreate", v.id, 1)) +
        latency("volumeAttach", v.id, 1)
      );
    }),
  );
  const workerChain = Math.max(
    ...Object.values(s.servers)
      .filter((x) => !x.name.includes("-master-"))
      .map((w) => latency("serverBoot", w.id, 1)),
  );
  const ideal = Math.max(lbChain, masterChain, workerChain) / 1000;
  const writes = log.filter((e) => e.method !== "GET").length;
  console.log(
    JSON.stringify({
      topology: label,
      "time to Running s": +took.toFixed(0),
      "critical path s": +ideal.toFixed(0),
      ratio: +(took / ideal).toFixed(2),
      "OpenStack calls": log.length,
      "of which writes": writes,
    }),
  );
  cloud.close();
  await emu.stop();
}

console.log(
  `\n# 3. ${N} clusters created at once (standard, 3 masters + 2 workers each), zero emulated latency, real job queue`,
);
for (const workers of [1, 2]) {
  // Earlier clusters (and their queued jobs) belong to emulators that are gone: retire them.
  await db.update(clusters).set({ deletedAt: new Date() });
  const emu = await startEmulator({ speed: Number.POSITIVE_INFINITY, externalCidr: randomLoopbackCidr() });
  await fetch(`${emu.url}/_emulator/projects/${emu.demo.projectId}/quotas`, {
    method: "PUT",
    headers: { "content-type": "application/json", "x-emulator-admin-key": emu.adminKey },
    body: JSON.stringify({
      instances: -1,
      cores: -1,
      ram: -1,
      volumes: -1,
      gigabytes: -1,
      loadbalancers: -1,
      floatingips: -1,
      security_groups: -1,
      networks: -1,
      subnets: -1,
      routers: -1,
      ports: -1,
      server_groups: -1,
    }),
  });
  const cloud = demoCloud(emu, { maxConcurrent: 32 });
  const started = Date.now();
  const ws = await Promise.all(
    Array.from({ length: workers }, () =>
      startConsoleWorker({
        databaseUrl: pgServer.url,
        encryptionKey: key,
        emulator: null,
        concurrency: 8,
        pollIntervalMs: 100,
        cloudFor: async () => cloud,
      }),
    ),
  );
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    const u = await user(`m${workers}x${i}`);
    ids.push(
      (
        await u.caller.cluster.create({
          projectId: u.projectId,
          spec: {
            ...base(`w${workers}n${i}`),
            nodeGroups: [
              { name: "w", flavor: "STD2-2-4", zone: "ru-msk-b", scaling: { mode: "fixed", size: 2 } },
            ],
          },
        })
      ).id,
    );
  }
  let running = 0;
  while (running < N) {
    await new Promise((r) => setTimeout(r, 250));
    running = (
      await db.select({ phase: clusters.phase }).from(clusters).where(inArray(clusters.id, ids))
    ).filter((r) => r.phase === "Running").length;
    if (Date.now() - started > 600_000) break;
  }
  const secs = (Date.now() - started) / 1000;
  console.log(
    JSON.stringify({
      workers,
      clusters: N,
      running,
      "wall s": +secs.toFixed(1),
      "clusters/min": +((running / secs) * 60).toFixed(1),
      servers: Object.keys(emu.engine.state.servers).length,
    }),
  );
  if (process.env.BENCH_DEBUG) {
    const byPrefix = new Map<string, string[]>();
    for (const sv of Object.values(emu.engine.state.servers)) {
      const k = sv.name.split("-")[0]!;
      byPrefix.set(k, [...(byPrefix.get(k) ?? []), sv.name]);
    }
    for (const [k, v] of byPrefix) if (v.length !== 5) console.log("DEBUG", k, v.sort().join(","));
  }
  await Promise.all(ws.map((w) => w.stop()));
  cloud.close();
  await emu.stop();
}

await db.$client.end();
await pgServer.stop();
void pg;
