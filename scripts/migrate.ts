/** `npm run db:migrate`: apply migrations to DATABASE_URL (or the embedded dev database). */
import { prepareLocalRuntime } from "@/server/runtime/local";

const runtime = await prepareLocalRuntime({ production: false, skipEmulator: true });
await runtime.stop();
