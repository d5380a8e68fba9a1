/**
 * `npm run worker`: a reconciler worker on DATABASE_URL. `npm run dev` and
 * `npm start` run one in-process; run more for throughput — they never work
 * on the same cluster at the same time.
 */
import { parseEnv } from "@/server/env";
import { startConsoleWorker } from "@/server/runtime/worker";

const env = parseEnv(process.env);
const worker = await startConsoleWorker({
  databaseUrl: env.DATABASE_URL,
  encryptionKey: env.CONSOLE_ENCRYPTION_KEY,
  emulator:
    env.EMULATOR_URL && env.EMULATOR_ADMIN_KEY
      ? { url: env.EMULATOR_URL, adminKey: env.EMULATOR_ADMIN_KEY }
      : null,
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
