/**
 * `npm run worker`: a reconciler worker on DATABASE_URL. `npm run dev` and
 * `npm start` run one in-process; run more for throughput — they never work
 * on the same cluster at the same time.
 */
import { parseEnv } from "@/server/env";
import { startConsoleWorker, workerSettings } from "@/server/runtime/worker";

const env = parseEnv(process.env);
const worker = await startConsoleWorker({
  ...workerSettings(env),
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 4),
  log: (l) => console.log(l),
});
console.log("[worker] reconciler running");
const stop = async () => {
  await worker.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
