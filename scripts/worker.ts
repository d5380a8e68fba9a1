/**
 * `npm run worker`: a reconciler worker on DATABASE_URL. `npm run dev` and
 * `npm start` run one in-process; run more for throughput — they never work
 * on the same cluster at the same time.
 */
import { closeDatabasePools } from "@/db/client";
import { parseEnv } from "@/server/env";
import { stopOnSignals } from "@/server/runtime/shutdown";
import { startConsoleWorker, workerSettings } from "@/server/runtime/worker";

const env = parseEnv(process.env);
let worker: { stop(): Promise<void> } | null = null;
stopOnSignals(
  () => [
    { name: "the reconciler worker's jobs", run: () => worker?.stop() },
    { name: "database connections to close", run: () => closeDatabasePools() },
  ],
  { label: "[worker]" },
);
worker = await startConsoleWorker({
  ...workerSettings(env),
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 4),
  log: (l) => console.log(l),
});
console.log("[worker] reconciler running");
