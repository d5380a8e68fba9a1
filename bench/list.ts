/**
 * `npx tsx bench/list.ts [clusters] [requests]` (after `npm run build`)
 *
 * The clusters list over HTTP: 100-row pages of `cluster.list` (the summary
 * rows the console's list shows) against `cluster.listDetailed` (every
 * cluster whole, as `cluster.list` returned it before; the REST API's list)
 * and `project.get` (one small row: the floor of any procedure), measured in
 * the same run in alternating blocks, through the production server with a
 * signed-in session: latency p50/p99 and bytes per page.
 *
 * The rows are realistic: one cluster (3 masters, two node groups of 3) is
 * converged by the reconciler against the emulator first, and its spec and
 * observed status are copied into every row.
 */
import { request as httpRequest } from "@playwright/test";
import { eq } from "drizzle-orm";
import { clusters } from "@/db/schema";
import { reconcileCluster } from "@/server/reconciler/cluster/reconcile";
import { emulatorCatalogConfig, seedTestCatalog } from "@/server/testing/emulator-catalog";
import { startTestCloud } from "@/server/testing/cloud";
import { signUpBenchUser, startBenchConsole } from "./harness";

const N = Number(process.argv[2] ?? 1000);
const REQUESTS = Number(process.argv[3] ?? 200);
const PAGE = 100;

const app = await startBenchConsole("listbench");
const { base, db } = app;

// ── one real converged cluster, its spec and status copied into every row ────
const cloud = await startTestCloud();
const http = await httpRequest.newContext();
const { projectId } = await signUpBenchUser(http, base);
await seedTestCatalog(db, projectId);
const created = await http.post(`${base}/api/trpc/cluster.create`, {
  data: {
    json: {
      projectId,
      spec: {
        name: "seed",
        topology: "standard",
        masterCount: 3,
        masterZone: "ru-msk-b",
        masterFlavor: "STD2-4-8",
        nodeGroups: [
          { name: "web", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 3 } },
          {
            name: "batch",
            flavor: "STD2-2-4",
            zone: "ru-msk-b",
            scaling: { mode: "autoscale", min: 3, max: 6 },
          },
        ],
      },
    },
  },
});
if (!created.ok()) throw new Error(`cluster.create: ${created.status()} ${await created.text()}`);
const seed = ((await created.json()) as { result: { data: { json: { id: string } } } }).result.data.json;
const deps = {
  db,
  cloudFor: async () => cloud.cloud,
  encryptionKey: app.encryptionKey,
  catalogConfigOf: emulatorCatalogConfig,
};
for (let pass = 0; ; pass++) {
  const r = await reconcileCluster(deps, seed.id);
  if (r.converged) break;
  if (pass > 300 || r.requeueAfterMs === null) throw new Error("the seed cluster did not converge");
  cloud.advance(5_000);
}
const [seedRow] = await db.select().from(clusters).where(eq(clusters.id, seed.id));
await cloud.stop();
const statusBytes = JSON.stringify(seedRow!.status).length;
if (seedRow!.phase !== "Running") throw new Error(`the seed cluster is ${seedRow!.phase}`);
await db.delete(clusters).where(eq(clusters.id, seed.id));
for (let i = 0; i < N; i += 250) {
  await db.insert(clusters).values(
    Array.from({ length: Math.min(250, N - i) }, (_, j) => ({
      projectId,
      name: `c${String(i + j).padStart(4, "0")}`,
      spec: { ...seedRow!.spec, name: `c${i + j}` },
      phase: "Running" as const,
      observedGeneration: 1,
      conditions: seedRow!.conditions,
      status: {
        ...seedRow!.status,
        apiEndpoint: `https://127.64.${(i + j) >> 8}.${(i + j) & 255}:6443`,
      },
    })),
  );
}

// ── measure ──────────────────────────────────────────────────────────────────
const pageCursors: (string | undefined)[] = [undefined];
{
  // Cursors of every page, so the requests walk the whole list as "Load more" does.
  let cursor: string | undefined;
  do {
    const r = await get("cluster.list", cursor);
    cursor = r.nextCursor ?? undefined;
    if (cursor) pageCursors.push(cursor);
  } while (cursor);
}

async function get(procedure: string, cursor: string | undefined) {
  const input = encodeURIComponent(
    JSON.stringify({
      json: procedure === "project.get" ? { projectId } : { projectId, limit: PAGE, cursor },
    }),
  );
  const res = await http.get(`${base}/api/trpc/${procedure}?input=${input}`);
  if (!res.ok()) throw new Error(`${procedure}: ${res.status()} ${await res.text()}`);
  const body = await res.body();
  const parsed = JSON.parse(body.toString("utf8")) as {
    result: { data: { json: { items?: unknown[]; nextCursor?: string | null } } };
  };
  if (procedure !== "project.get" && !parsed.result.data.json.items?.length)
    throw new Error(`${procedure}: an empty page`);
  return { bytes: body.length, nextCursor: parsed.result.data.json.nextCursor ?? null };
}

const procedures = ["cluster.listDetailed", "cluster.list", "project.get"] as const;
const samples = Object.fromEntries(procedures.map((p) => [p, { ms: [] as number[], bytes: [] as number[] }]));
// Warm every path first.
for (const p of procedures) for (let i = 0; i < 5; i++) await get(p, pageCursors[i % pageCursors.length]);
// Blocks of consecutive requests per procedure, the order rotating between rounds: both see the same machine,
// and the baseline's megabyte responses (and their garbage) do not land inside the others' timings.
const ROUNDS = 5;
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < procedures.length; k++) {
    const p = procedures[(round + k) % procedures.length]!;
    for (let i = 0; i < REQUESTS / ROUNDS; i++) {
      const t0 = performance.now();
      const r = await get(p, pageCursors[(round * REQUESTS + i) % pageCursors.length]);
      samples[p]!.ms.push(performance.now() - t0);
      samples[p]!.bytes.push(r.bytes);
    }
  }
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
console.log(
  `# cluster.list over HTTP: ${N} clusters, ${PAGE}-row pages, ${REQUESTS} requests each in ${ROUNDS} rounds` +
    ` (one cluster's observed status: ${(statusBytes / 1024).toFixed(1)} kB)`,
);
for (const p of procedures) {
  const { ms, bytes } = samples[p]!;
  console.log(
    JSON.stringify({
      procedure: p,
      role: {
        "cluster.list": "summary rows (the console's list)",
        "cluster.listDetailed": "whole clusters (baseline: the list before)",
        "project.get": "one small row (the floor: session, membership, tRPC)",
      }[p],
      "p50 ms": +pct(ms, 0.5).toFixed(1),
      "p99 ms": +pct(ms, 0.99).toFixed(1),
      "kB per page": +(bytes.reduce((a, b) => a + b, 0) / bytes.length / 1024).toFixed(1),
    }),
  );
}
console.log("targets (issue 21): p99 ≤ 100 ms and ≤ 100 kB per 100-row page");
await http.dispose();
await app.stop();
