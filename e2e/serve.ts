/**
 * The server the E2E tests run against: the production build, a fresh
 * embedded PostgreSQL in a temp folder (never an external database: the
 * tests create users freely), removed afterwards.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../db/testing/free-port";

if (!existsSync(".next/BUILD_ID")) {
  console.log("[e2e] no production build found: running next build");
  execFileSync("npx", ["next", "build"], { stdio: "inherit" });
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "kube-console-e2e-"));
chmodSync(dataDir, 0o755);
process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
// The tests reach the emulator's admin API with a key they know.
if (process.env.E2E_EMULATOR_ADMIN_KEY) {
  mkdirSync(path.join(dataDir, "emulator"), { recursive: true });
  writeFileSync(path.join(dataDir, "emulator", "admin.key"), process.env.E2E_EMULATOR_ADMIN_KEY + "\n", {
    mode: 0o600,
  });
}
delete process.env.DATABASE_URL;
Object.assign(process.env, {
  CONSOLE_DATA_DIR: dataDir,
  EMBEDDED_PG_PORT: String(await freePort()),
  EMULATOR_PORT: process.env.E2E_EMULATOR_PORT ?? String(await freePort()),
  PORT: process.env.E2E_PORT ?? "3100",
  NEXTAUTH_URL: `http://localhost:${process.env.E2E_PORT ?? "3100"}`,
  // Its own loopback range, so a dev console's emulated clusters never hold the same API addresses.
  // Two e2e servers at once (another checkout's run) each need their own: E2E_EXTERNAL_CIDR.
  EMULATOR_EXTERNAL_CIDR: process.env.E2E_EXTERNAL_CIDR ?? "127.65.0.0/16",
  // Live update streams end this often and the browser resumes them (e2e/live.e2e.ts watches one do it).
  LIVE_STREAM_MAX_SECONDS: "12",
  // A start acts on a node that is not Ready after this long (e2e/never-stuck.e2e.ts waits for it).
  NODE_READY_WAIT_SECONDS: "75",
  // Every test signs up fresh users from 127.0.0.1.
  AUTH_SIGNUP_LIMIT_PER_HOUR: "10000",
});
process.argv.push("--production");
await import("../scripts/serve");
