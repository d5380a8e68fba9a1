/**
 * `npm run dev` and `npm start`: prepare the local runtime (embedded
 * PostgreSQL unless DATABASE_URL is set, development secrets, migrations),
 * validate the environment, then serve the console.
 */
import { closeDatabasePools } from "@/db/client";
import { closeChangeHubs } from "@/db/live";
import { EnvError, parseEnv } from "@/server/env";
import { startConsoleWorker, workerSettings } from "@/server/runtime/worker";
import { serveConsole, type ConsoleServer } from "@/server/runtime/http-server";
import { prepareLocalRuntime, type LocalRuntime } from "@/server/runtime/local";
import { stopOnSignals, type ShutdownStep } from "@/server/runtime/shutdown";

const production = process.argv.includes("--production");
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
if (production) (process.env as Record<string, string>).NODE_ENV = "production";

let runtime: LocalRuntime | null = null;
let web: ConsoleServer | null = null;
let worker: { stop(): Promise<void> } | null = null;

// Installed before anything starts, so a Ctrl-C during start-up stops what already runs.
// The order: no new requests (those in flight finish), no new jobs, every pool closed
// (the app's too), and only then the servers they were connected to.
stopOnSignals(
  (): ShutdownStep[] => [
    // Open live-update streams end first: they would hold the HTTP server open for their whole life.
    { name: "live update streams", run: () => closeChangeHubs() },
    { name: "requests in flight", run: () => web?.close() },
    { name: "the reconciler worker's jobs", run: () => worker?.stop() },
    { name: "database connections to close", run: () => closeDatabasePools() },
    { name: "the emulator and PostgreSQL to stop", run: () => runtime?.stop() },
  ],
  { label: "[serve]" },
);

async function main() {
  // Its own process group: a terminal's Ctrl-C reaches this process, which stops PostgreSQL last.
  runtime = await prepareLocalRuntime({ production, ownProcessGroup: true });
  Object.assign(process.env, runtime.env);
  const port = Number.parseInt(process.env.PORT ?? "", 10) || 3000;
  const hostname = process.env.HOSTNAME_BIND ?? "127.0.0.1";
  process.env.NEXTAUTH_URL ??= `http://localhost:${port}`;

  const config = parseEnv(process.env);
  web = await serveConsole({ dev: !production, hostname, port, trustProxy: config.TRUST_PROXY });
  // One reconciler worker in-process; `npm run worker` adds more.
  worker = process.env.CONSOLE_NO_WORKER
    ? null
    : await startConsoleWorker({
        ...workerSettings(config),
        log: config.LOG_LEVEL === "debug" ? (l) => console.log(l) : undefined,
      });
  console.log(
    `\n  Console ready at http://localhost:${port}  (${production ? "production" : "development"})\n`,
  );
}

main().catch((err: unknown) => {
  if (err instanceof EnvError) console.error(err.message);
  else console.error("[serve] failed to start:", err instanceof Error ? err.message : err);
  process.exit(1);
});
