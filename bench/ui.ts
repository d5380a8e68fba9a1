/**
 * `npx tsx bench/ui.ts` (after `npm run build`)
 *
 * 1. First-load JS (gzip) of the clusters list, the wizard and the cluster
 *    page, computed from the build's manifests (next build 16 no longer
 *    prints sizes); budget 250 kB per route.
 * 2. The clusters list with 1,000 clusters: time to the first page and to
 *    all 1,000 rows, in Chromium against the production server.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";
import { createDb } from "@/db/client";
import { startEmbeddedPostgres } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { clusters } from "@/db/schema";
import { freePort } from "@/db/testing/free-port";
import { CheckedClusterSpec as ClusterSpec } from "@/server/domain/cluster-spec-check";
import { generateKey } from "@/server/security/encryption";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../e2e/chromium";

const BUDGET_KB = 250;
if (!existsSync(".next/BUILD_ID")) throw new Error("Run `npm run build` first.");

// ── 1. first-load JS per route ───────────────────────────────────────────────
const routes = [
  ["clusters list", "(console)/projects/[projectId]/clusters"],
  ["creation wizard", "(console)/projects/[projectId]/clusters/new"],
  ["cluster page", "(console)/projects/[projectId]/clusters/[clusterId]"],
  ["sign-in", "(auth)/sign-in"],
] as const;
console.log("# 1. First-load JavaScript per route (gzip)");
for (const [label, route] of routes) {
  const dir = `.next/server/app/${route}`;
  const build = JSON.parse(readFileSync(`${dir}/page/build-manifest.json`, "utf8")) as {
    rootMainFiles: string[];
  };
  const rsc = readFileSync(`${dir}/page_client-reference-manifest.js`, "utf8");
  const entry = JSON.parse(/"entryJSFiles":(\{[^}]*\})/.exec(rsc)![1]!) as Record<string, string[]>;
  const files = new Set([...build.rootMainFiles, ...(entry[`[project]/app/${route}/page`] ?? [])]);
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
const dir = await fs.mkdtemp(path.join(os.tmpdir(), "kube-console-uibench-"));
await fs.chmod(dir, 0o755);
const pg = await startEmbeddedPostgres({
  dataDir: path.join(dir, "pg"),
  port: await freePort(),
  database: "uibench",
});
await migrateDatabase(pg.url);
const port = await freePort();
const env = {
  ...process.env,
  DATABASE_URL: pg.url,
  CONSOLE_ENCRYPTION_KEY: generateKey(),
  NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
  PORT: String(port),
  NEXTAUTH_URL: `http://localhost:${port}`,
  CONSOLE_DATA_DIR: dir,
  CONSOLE_NO_WORKER: "1",
  EMULATOR_PORT: String(await freePort()),
  AUTH_SIGNUP_LIMIT_PER_HOUR: "1000",
};
const server = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts", "--production"], {
  env,
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise<void>((resolve, reject) => {
  server.stdout!.on("data", (c: Buffer) => c.toString().includes("Console ready") && resolve());
  server.on("exit", () => reject(new Error("server exited")));
});
const base = `http://localhost:${port}`;
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const email = `bench-${Date.now()}@example.com`;
const signUp = await page.request.post(`${base}/api/trpc/auth.signUp`, {
  data: { json: { name: "Bench", email, password: "bench-password-1" } },
});
const projectId = ((await signUp.json()) as { result: { data: { json: { personalProjectId: string } } } })
  .result.data.json.personalProjectId;
const csrf = (await (await page.request.get(`${base}/api/auth/csrf`)).json()) as { csrfToken: string };
await page.request.post(`${base}/api/auth/callback/credentials`, {
  form: { csrfToken: csrf.csrfToken, email, password: "bench-password-1", json: "true" },
});

const db = createDb(pg.url, 4);
const N = 1000;
const spec = ClusterSpec.parse({
  name: "x",
  topology: "regional",
  masterCount: 3,
  masterFlavor: "STD2-4-8",
  nodeGroups: [{ name: "w", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 3 } }],
});
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
server.kill("SIGTERM");
await new Promise((r) => server.on("exit", r));
await db.$client.end();
await pg.stop();
await fs.rm(dir, { recursive: true, force: true });
