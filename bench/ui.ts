/**
 * `npx tsx bench/ui.ts` (after `npm run build`)
 *
 * 1. First-load JS (gzip) of every page route of the build, computed from
 *    its manifests (next build 16 no longer prints sizes); budget 250 kB per
 *    route.
 * 2. The clusters list with 1,000 clusters: time to the first page and to
 *    all 1,000 rows, in Chromium against the production server.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";
import { eq } from "drizzle-orm";
import { clusters } from "@/db/schema";
import { seedTestCatalog } from "@/server/testing/emulator-catalog";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../e2e/chromium";
import { signUpBenchUser, startBenchConsole } from "./harness";

const BUDGET_KB = 250;
if (!existsSync(".next/BUILD_ID")) throw new Error("Run `npm run build` first.");

// ── 1. first-load JS per route ───────────────────────────────────────────────
// Every page route of the build (not only the ones people open first).
const routes = readdirSync(".next/server/app", { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith("/page/build-manifest.json"))
  .map((f) => f.slice(0, -"/page/build-manifest.json".length))
  .filter((r) => !r.startsWith("_"))
  .sort()
  .map((r) => [r.replace(/^\((console|auth)\)/, "") || "/", r] as const);
console.log("# 1. First-load JavaScript per route (gzip)");
for (const [label, route] of routes) {
  const dir = `.next/server/app/${route}`;
  const build = JSON.parse(readFileSync(`${dir}/page/build-manifest.json`, "utf8")) as {
    rootMainFiles: string[];
  };
  const rsc = readFileSync(`${dir}/page_client-reference-manifest.js`, "utf8");
  const entry = JSON.parse(/"entryJSFiles":(\{[^}]*\})/.exec(rsc)![1]!) as Record<string, string[]>;
  // The route's own chunks and its layouts', error and not-found boundaries' (everything its manifest names).
  const files = new Set([...build.rootMainFiles, ...Object.values(entry).flat()]);
  const bytes = [...files].reduce((sum, f) => sum + gzipSync(readFileSync(`.next/${f}`)).length, 0);
  const kb = bytes / 1024;
  console.log(
    JSON.stringify({
      route: label,
      files: files.size,
      "first-load JS kB (gzip)": +kb.toFixed(1),
      budget: BUDGET_KB,
      within: kb <= BUDGET_KB,
    }),
  );
}

// ── 2. rendering 1,000 clusters ─────────────────────────────────────────────
const app = await startBenchConsole("uibench");
const { base, db } = app;
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const { projectId } = await signUpBenchUser(page.request, base);
// One cluster made through the API (as if the worker had read the catalog) gives the full spec the rows copy.
await seedTestCatalog(db, projectId);
const seed = await page.request.post(`${base}/api/trpc/cluster.create`, {
  data: {
    json: {
      projectId,
      spec: {
        name: "seed",
        topology: "regional",
        masterCount: 3,
        masterFlavor: "STD2-4-8",
        nodeGroups: [
          { name: "w", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 3 } },
        ],
      },
    },
  },
});
if (!seed.ok()) throw new Error(`cluster.create: ${seed.status()} ${await seed.text()}`);
const seedId = ((await seed.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id;
const [seedRow] = await db.select({ spec: clusters.spec }).from(clusters).where(eq(clusters.id, seedId));
await db.delete(clusters).where(eq(clusters.id, seedId));
const spec = seedRow!.spec;
const N = 1000;
for (let i = 0; i < N; i += 250) {
  await db.insert(clusters).values(
    Array.from({ length: Math.min(250, N - i) }, (_, j) => ({
      projectId,
      name: `c${String(i + j).padStart(4, "0")}`,
      spec: { ...spec, name: `c${i + j}` },
      phase: "Running" as const,
      observedGeneration: 1,
      status: {
        apiEndpoint: `https://127.64.${(i + j) >> 8}.${(i + j) & 255}:6443`,
        apiAddress: null,
        nodes: [],
        lastError: null,
      },
    })),
  );
}
console.log(`\n# 2. Clusters list with ${N} clusters (production build, Chromium)`);
for (let run = 1; run <= 2; run++) {
  const t0 = performance.now();
  await page.goto(`${base}/projects/${projectId}/clusters`);
  await page.getByRole("row").nth(100).waitFor();
  const first = performance.now() - t0;
  for (
    let shown = await page.locator("tbody tr").count();
    shown < N;
    shown = await page.locator("tbody tr").count()
  ) {
    await page.getByRole("button", { name: "Load more clusters" }).click();
    await page.waitForFunction(
      (n) => document.querySelectorAll("tbody tr").length >= n,
      Math.min(N, shown + 100),
    );
  }
  const all = performance.now() - t0;
  console.log(
    JSON.stringify({ run, "first 100 rows ms": Math.round(first), [`all ${N} rows ms`]: Math.round(all) }),
  );
}
await browser.close();
await app.stop();
