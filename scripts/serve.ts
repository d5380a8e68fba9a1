/**
 * `npm run dev` and `npm start`: prepare the local runtime (embedded
 * PostgreSQL unless DATABASE_URL is set, development secrets, migrations),
 * validate the environment, then serve the console.
 */
import { EnvError, parseEnv } from "@/server/env";
import { startConsoleWorker, workerSettings } from "@/server/runtime/worker";
import { serveConsole } from "@/server/runtime/http-server";
import { prepareLocalRuntime } from "@/server/runtime/local";

const production = process.argv.includes("--production");
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
if (production) (process.env as Record<string, string>).NODE_ENV = "production";

async function main() {
  const runtime = await prepareLocalRuntime({ production });
  Object.assign(process.env, runtime.env);
  const port = Number.parseInt(process.env.PORT ?? "", 10) || 3000;
  const hostname = process.env.HOSTNAME_BIND ?? "127.0.0.1";
  process.env.NEXTAUTH_URL ??= `http://localhost:${port}`;

  const config = parseEnv(process.env);
  const server = await serveConsole({ dev: !production, hostname, port, trustProxy: config.TRUST_PROXY });
  // One reconciler worker in-process; `npm run worker` adds more.
  const worker = process.env.CONSOLE_NO_WORKER
    ? null
    : await startConsoleWorker({
        ...workerSettings(config),
        log: config.LOG_LEVEL === "debug" ? (l) => console.log(l) : undefined,
      });
  console.log(
    `\n  Console ready at http://localhost:${port}  (${production ? "production" : "development"})\n`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[serve] ${signal}: shutting down`);
    server.close();
    await worker?.stop().catch(() => undefined);
    await runtime.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  if (err instanceof EnvError) console.error(err.message);
  else console.error("[serve] failed to start:", err instanceof Error ? err.message : err);
  process.exit(1);
});
