/**
 * What the browser benchmarks share: the production console on a throwaway
 * embedded PostgreSQL (no reconciler worker: the benchmark shapes the data
 * itself), and a signed-up, signed-in user.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { createDb, type Db } from "@/db/client";
import { startEmbeddedPostgres } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { freePort } from "@/db/testing/free-port";
import { generateKey } from "@/server/security/encryption";

export interface BenchConsole {
  base: string;
  /** The console's own process (`node … scripts/serve.ts`), for its CPU time and memory. */
  server: ChildProcess;
  db: Db;
  /** The console's CONSOLE_ENCRYPTION_KEY, for a benchmark that reconciles its clusters in-process. */
  encryptionKey: string;
  stop(): Promise<void>;
}

export async function startBenchConsole(name: string): Promise<BenchConsole> {
  if (!existsSync(".next/BUILD_ID")) throw new Error("Run `npm run build` first.");
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `kube-console-${name}-`));
  await fs.chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, "pg"),
    port: await freePort(),
    database: name,
  });
  await migrateDatabase(pg.url);
  const port = await freePort();
  const encryptionKey = generateKey();
  const server = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts", "--production"], {
    env: {
      ...process.env,
      DATABASE_URL: pg.url,
      CONSOLE_ENCRYPTION_KEY: encryptionKey,
      NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
      PORT: String(port),
      NEXTAUTH_URL: `http://localhost:${port}`,
      CONSOLE_DATA_DIR: dir,
      CONSOLE_NO_WORKER: "1",
      EMULATOR_PORT: String(await freePort()),
      AUTH_SIGNUP_LIMIT_PER_HOUR: "1000",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    server.stdout!.on("data", (c: Buffer) => c.toString().includes("Console ready") && resolve());
    server.on("exit", () => reject(new Error("server exited")));
  });
  const db = createDb(pg.url, 4);
  return {
    base: `http://localhost:${port}`,
    server,
    db,
    encryptionKey,
    stop: async () => {
      server.kill("SIGTERM");
      await new Promise((r) => server.on("exit", r));
      await db.$client.end();
      await pg.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Signs up a user and signs in: the session cookie lands in `request`'s browser context. */
export async function signUpBenchUser(
  request: APIRequestContext,
  base: string,
): Promise<{ projectId: string }> {
  const email = `bench-${Date.now()}@example.com`;
  const password = "bench-password-1";
  const signUp = await request.post(`${base}/api/trpc/auth.signUp`, {
    data: { json: { name: "Bench", email, password } },
  });
  const projectId = ((await signUp.json()) as { result: { data: { json: { personalProjectId: string } } } })
    .result.data.json.personalProjectId;
  const csrf = (await (await request.get(`${base}/api/auth/csrf`)).json()) as { csrfToken: string };
  await request.post(`${base}/api/auth/callback/credentials`, {
    form: { csrfToken: csrf.csrfToken, email, password, json: "true" },
  });
  return { projectId };
}
