/**
 * `npx tsx bench/live.ts` (after `npm run build`): live updates against the
 * 2-second polling they replaced, both measured in this run on the production
 * server (no reconciler: the bench itself changes the cluster row, as the
 * reconciler would, and times from its COMMIT).
 *
 * 1. Change-to-browser latency: two Chromium pages on the same cluster page,
 *    one live (server-sent events), one with the stream blocked so it falls
 *    back to polling every 2 s. For each change: COMMIT → the new phase is in
 *    the page's DOM (p50/p99).
 * 2. The server's cost of 100 open pages for 30 s, with a change every 1 s and
 *    every 10 s: 100 live streams (each refetching the cluster once per pushed
 *    change, as the page does) vs 100 clients polling cluster.get every 2 s.
 *    CPU time of the server process (utime+stime from /proc) and its RSS (which
 *    mostly shows when V8 last collected); also 100 streams with no change.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { chromium, type Page } from "@playwright/test";
import { eq } from "drizzle-orm";
import { clusters } from "@/db/schema";
import { seedTestCatalog } from "@/server/testing/emulator-catalog";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../e2e/chromium";
import { signUpBenchUser, startBenchConsole } from "./harness";

const CHANGES = Number(process.env.BENCH_CHANGES ?? 20);
const STREAMS = 100;
const WINDOW_S = 30;

const app = await startBenchConsole("livebench");
const { base, server, db } = app;

// ── a user, a cluster row, a signed-in browser context ──────────────────────────────────────
// Two pages side by side: neither may be throttled as a background tab (timers and frames at 1 Hz).
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: [
    ...CHROMIUM_ARGS,
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
  ],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const { projectId } = await signUpBenchUser(context.request, base);
const cookie = (await context.cookies(base)).map((c) => `${c.name}=${c.value}`).join("; ");

// As if the worker had read the emulator's cloud catalog (the bench runs no worker).
await seedTestCatalog(db, projectId);
const created = await context.request.post(`${base}/api/trpc/cluster.create`, {
  data: {
    json: {
      projectId,
      spec: {
        name: "bench",
        topology: "single",
        masterCount: 1,
        masterFlavor: "STD2-2-4",
        nodeGroups: [
          { name: "w", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 1 } },
        ],
      },
    },
  },
});
if (!created.ok()) throw new Error(`cluster.create: ${created.status()} ${await created.text()}`);
const row = ((await created.json()) as { result: { data: { json: { id: string } } } }).result.data.json;
await db.update(clusters).set({ phase: "Running" }).where(eq(clusters.id, row.id));
const clusterId = row.id;
let flip = false; // the row starts Running
/** Flips the phase; returns the moment its COMMIT returned (performance.now()). */
async function change(): Promise<{ phase: "Running" | "Updating"; at: number }> {
  flip = !flip;
  const phase = flip ? "Updating" : "Running";
  await db.update(clusters).set({ phase }).where(eq(clusters.id, clusterId));
  return { phase, at: performance.now() };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!);
};

// ── 1. change-to-browser latency ─────────────────────────────────────────────────────────────
console.log(`# 1. Change-to-browser latency, ${CHANGES} changes (COMMIT → phase in the DOM), Chromium`);
async function openPage(polling: boolean): Promise<Page> {
  const page = await context.newPage();
  // The polling page: its stream is refused, so it falls back to refetching every 2 s.
  if (polling) await page.route("**/api/trpc/live.project**", (r) => r.abort());
  await page.goto(`${base}/projects/${projectId}/clusters/${clusterId}`);
  await page.locator(`[data-live="${polling ? "polling" : "live"}"]`).waitFor({ timeout: 60_000 });
  return page;
}
const livePage = await openPage(false);
const pollPage = await openPage(true);
/** Resolves with the page clock's time at which `phase` first shows in the heading's block. */
const seen = (page: Page, phase: string) =>
  page.waitForFunction(
    (p) => {
      const h = document.querySelector("h1");
      return h?.parentElement?.textContent?.includes(p) ? true : false;
    },
    phase,
    { polling: 10, timeout: 10_000 },
  );
const lat: Record<string, number[]> = { live: [], polling: [] };
for (let i = 0; i < CHANGES; i++) {
  // Changes land at random points of the polling cycle.
  await new Promise((r) => setTimeout(r, 2_500 + Math.random() * 1_000));
  const next = flip ? "Running" : "Updating";
  const watching = [livePage, pollPage].map((p) => seen(p, next).then(() => performance.now()));
  const { at } = await change();
  const [l, p] = await Promise.all(watching);
  lat.live!.push(l! - at);
  lat.polling!.push(p! - at);
}
// The same changes as an HTTP client sees them (no browser): where the time goes.
{
  const abort = new AbortController();
  const res = await fetch(
    `${base}/api/trpc/live.project?input=${encodeURIComponent(JSON.stringify({ json: { projectId } }))}`,
    {
      headers: { cookie, accept: "text/event-stream" },
      signal: abort.signal,
    },
  );
  const reader = res.body!.getReader();
  await reader.read(); // the ready message
  const xs: number[] = [];
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const { at } = await change();
    for (;;) {
      const { value } = await reader.read();
      if (Buffer.from(value!).toString().includes('"changes"')) break;
    }
    xs.push(performance.now() - at);
  }
  abort.abort();
  lat.client = xs;
}
for (const [mode, xs] of Object.entries(lat))
  console.log(JSON.stringify({ mode, "p50 ms": pct(xs, 50), "p99 ms": pct(xs, 99), "max ms": pct(xs, 100) }));
await livePage.close();
await pollPage.close();

// ── 2. the server's cost per 100 open pages ────────────────────────────────────────────────
const tick = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
function serverUsage() {
  const stat = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const cpuMs = ((Number(stat[11]) + Number(stat[12])) * 1000) / tick;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))![1]) / 1024;
  return { cpuMs, rssMb: rss };
}
const input = (json: unknown) => encodeURIComponent(JSON.stringify({ json }));

const getCluster = async () => {
  const res = await fetch(
    `${base}/api/trpc/cluster.get?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { json: { projectId, clusterId } } }))}`,
    { headers: { cookie } },
  );
  await res.arrayBuffer();
};

/** Streams that, like the page, refetch the cluster once per pushed change. */
async function openStreams(n: number) {
  const abort = new AbortController();
  let messages = 0;
  let refetches = 0;
  const ready: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    ready.push(
      (async () => {
        const res = await fetch(`${base}/api/trpc/live.project?input=${input({ projectId })}`, {
          headers: { cookie, accept: "text/event-stream" },
          signal: abort.signal,
        });
        if (!res.ok || !res.body) throw new Error(`stream refused: ${res.status}`);
        const reader = res.body.getReader();
        let first = true;
        void (async () => {
          try {
            for (;;) {
              const { done, value } = await reader.read();
              if (done) return;
              const text = Buffer.from(value).toString();
              messages += (text.match(/^data: /gm) ?? []).length;
              if (text.includes('"changes"')) {
                refetches++;
                await getCluster();
              }
              first = false;
            }
          } catch {
            /* aborted */
          }
        })();
        while (first) await new Promise((r) => setTimeout(r, 20));
      })(),
    );
  }
  await Promise.all(ready);
  return { close: () => abort.abort(), messages: () => messages, refetches: () => refetches };
}

async function poll(n: number, seconds: number) {
  const stop = performance.now() + seconds * 1000;
  let requests = 0;
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      await new Promise((r) => setTimeout(r, (i * 2_000) / n));
      while (performance.now() < stop) {
        const t = performance.now();
        await getCluster();
        requests++;
        await new Promise((r) => setTimeout(r, Math.max(0, 2_000 - (performance.now() - t))));
      }
    }),
  );
  return requests;
}

async function changeEvery(everyS: number, seconds: number) {
  for (let i = 0; i < seconds / everyS; i++) {
    await new Promise((r) => setTimeout(r, everyS * 1_000));
    await change();
  }
}

console.log(`\n# 2. Server cost of ${STREAMS} open pages for ${WINDOW_S} s (CPU time of the server process)`);
for (const everyS of [1, 10]) {
  await new Promise((r) => setTimeout(r, 2_000));
  const before = serverUsage();
  const requests = poll(STREAMS, WINDOW_S);
  await changeEvery(everyS, WINDOW_S);
  const n = await requests;
  const after = serverUsage();
  console.log(
    JSON.stringify({
      mode: `polling every 2 s (baseline), a change every ${everyS} s`,
      "server CPU ms": Math.round(after.cpuMs - before.cpuMs),
      "RSS MB": Math.round(after.rssMb),
      "cluster.get requests": n,
    }),
  );
  await new Promise((r) => setTimeout(r, 2_000));
  const before2 = serverUsage();
  const streams = await openStreams(STREAMS);
  const opened = serverUsage();
  await changeEvery(everyS, WINDOW_S);
  const after2 = serverUsage();
  streams.close();
  console.log(
    JSON.stringify({
      mode: `live streams, a change every ${everyS} s`,
      "server CPU ms": Math.round(after2.cpuMs - opened.cpuMs),
      "server CPU ms to open them": Math.round(opened.cpuMs - before2.cpuMs),
      "RSS MB": Math.round(after2.rssMb),
      "messages received": streams.messages(),
      "cluster.get requests": streams.refetches(),
    }),
  );
}
{
  await new Promise((r) => setTimeout(r, 2_000));
  const streams = await openStreams(STREAMS);
  const opened = serverUsage();
  await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
  const after = serverUsage();
  streams.close();
  console.log(
    JSON.stringify({
      mode: "live streams, nothing changes (pings only)",
      "server CPU ms": Math.round(after.cpuMs - opened.cpuMs),
      "RSS MB": Math.round(after.rssMb),
      "messages received": streams.messages(),
    }),
  );
}

await browser.close();
await app.stop();
