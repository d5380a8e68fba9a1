import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "@/db/testing/free-port";
import { generateToken } from "@/server/domain/api-token";

/**
 * `npm run dev` as a terminal runs it — tsx's launcher and the console in a
 * process group of their own, a fresh data folder (first start: initdb,
 * migrations), non-default ports — stopped the way Ctrl-C stops it: SIGINT
 * to the whole group. The console (and the embedded PostgreSQL, unless it is
 * kept out of the group) all get it at once.
 */

const root = path.resolve(import.meta.dirname, "..");
const tsxCli = path.join(root, "node_modules/tsx/dist/cli.mjs");

/** Another `next dev` in this checkout holds `.next/dev/lock`; a second one would exit at once. */
function devServerRunningHere(): number | null {
  try {
    const { pid } = JSON.parse(readFileSync(path.join(root, ".next/dev/lock"), "utf8")) as { pid?: number };
    if (typeof pid !== "number") return null;
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("npm run dev", () => {
  it("starts without an ERROR line and stops quietly on a terminal's Ctrl-C", async (ctx) => {
    const other = devServerRunningHere();
    if (other !== null) ctx.skip(`a next dev server (pid ${other}) already runs in this checkout`);

    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "kube-console-serve-"));
    await fs.chmod(dataDir, 0o755);
    const [port, pgPort, emulatorPort] = [await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(env))
      if (/^(DATABASE_URL|NEXTAUTH_URL|EMULATOR_|OS_|CONSOLE_|LOG_LEVEL$|NODE_ENV$|VITEST)/.test(name))
        delete env[name];
    Object.assign(env, {
      CONSOLE_DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      EMULATOR_PORT: String(emulatorPort),
      EMULATOR_EXTERNAL_CIDR: `127.66.${1 + Math.floor(Math.random() * 250)}.0/24`,
    });

    // detached: a process group of its own, led by tsx's launcher, as a terminal's foreground job.
    const child = spawn(process.execPath, [tsxCli, "scripts/serve.ts"], {
      cwd: root,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    const within = <T>(p: Promise<T>, ms: number) =>
      Promise.race([p, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms).unref())]);
    const pidFile = path.join(dataDir, "postgres", "postmaster.pid");

    try {
      const started = await within(
        (async () => {
          while (!output.includes("Console ready") && child.exitCode === null)
            await new Promise((r) => setTimeout(r, 200));
        })(),
        60_000,
      );
      if (output.includes("Another next dev server is already running"))
        ctx.skip("a next dev server started in this checkout meanwhile");
      expect(started, output).not.toBe("timeout");
      expect(child.exitCode, output).toBeNull();

      // A request that runs a query (a well-formed token nobody holds is looked up): the Next.js app
      // opens its own pool, which the shutdown must close before PostgreSQL stops.
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/projects`, {
        headers: { authorization: `Bearer ${generateToken("service_account").secret}` },
      });
      expect(res.status, output).toBe(401);
      expect(existsSync(pidFile)).toBe(true);

      process.kill(-child.pid!, "SIGINT");
      const exit = await within(exited, 20_000);

      const lines = output.split("\n").filter((l) => l.trim() !== "");
      const stopAt = lines.findIndex((l) => l.includes("shutting down"));
      // One comparison, so a failure shows everything that went wrong (and the whole output).
      expect(
        {
          exit,
          uncaughtException: output.includes("uncaughtException"),
          errorLines: lines.filter((l) => /\bERROR\b/.test(l)),
          saidShuttingDown: stopAt >= 0,
          linesFromShutdown: lines.length - stopAt < 15 ? "fewer than 15" : lines.length - stopAt,
          lastLine: lines.at(-1),
          // PostgreSQL stopped cleanly (it removes its pid file last), not left running.
          postgresPidFile: existsSync(pidFile),
        },
        output,
      ).toEqual({
        exit: { code: 0, signal: null },
        uncaughtException: false,
        errorLines: [],
        saidShuttingDown: true,
        linesFromShutdown: "fewer than 15",
        lastLine: "[serve] stopped",
        postgresPidFile: false,
      });
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(-child.pid!, "SIGKILL");
        await exited;
      }
      if (existsSync(pidFile)) {
        const pid = Number.parseInt(readFileSync(pidFile, "utf8").split("\n")[0] ?? "", 10);
        if (pid > 0 && alive(pid)) process.kill(pid, "SIGQUIT");
        await new Promise((r) => setTimeout(r, 500));
      }
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
