import fs from "node:fs/promises";
import path from "node:path";
import { reachableDataDir, startEmbeddedPostgres, type RunningPostgres } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { defaultCloudConfig } from "@/server/openstack";
import { generateKey } from "@/server/security/encryption";
import { startLocalEmulator } from "./emulator";
import { randomBytes } from "node:crypto";

/**
 * Zero-setup local runtime for `npm run dev` and `npm start`: the data
 * folder, development secrets and (when DATABASE_URL is unset) an embedded
 * PostgreSQL server with migrations applied. Returns the variables the app
 * process needs.
 */
export interface LocalRuntime {
  env: Record<string, string>;
  postgres: RunningPostgres | null;
  /** The built-in emulator's Keystone URL when this runtime started it. */
  emulatorAuthUrl: string | null;
  stop(): Promise<void>;
}

export const DEFAULT_EMBEDDED_PG_PORT = 54329;

async function devSecret(
  file: string,
  name: string,
  make: () => string,
  warn: (m: string) => void,
): Promise<string> {
  try {
    return (await fs.readFile(file, "utf8")).trim();
  } catch {
    const value = make();
    await fs.writeFile(file, value + "\n", { mode: 0o600 });
    warn(
      `[config] ${name} is not set: generated a random one into ${file}. Set ${name} in production (see README).`,
    );
    return value;
  }
}

/**
 * The one server-log line a fresh database's first start is known to
 * produce: graphile-worker's migrator reads `graphile_worker.migrations`
 * and installs its schema when that fails with 42P01 (node_modules/
 * graphile-worker/dist/migrate.js). The server logs the failed read as an
 * ERROR (its STATEMENT line never matches the forwarder's filter), though
 * nothing is wrong. Dropped here, by its exact text and only while the
 * migrations run, rather than avoided by creating graphile-worker's
 * bootstrap table ourselves: that would copy the library's internal DDL
 * and drift from it on upgrades. Every other ERROR still prints.
 */
export function isQueueSchemaProbe(line: string): boolean {
  return /\bERROR:\s+relation "graphile_worker\.migrations" does not exist\b/.test(line);
}

export async function prepareLocalRuntime(opts: {
  dataDir?: string;
  production: boolean;
  /** `npm run db:migrate` needs only the database. */
  skipEmulator?: boolean;
  /** Run the embedded PostgreSQL in its own process group (the long-running server: see startEmbeddedPostgres). */
  ownProcessGroup?: boolean;
  log?: (m: string) => void;
  warn?: (m: string) => void;
}): Promise<LocalRuntime> {
  const log = opts.log ?? ((m) => console.log(m));
  const warn = opts.warn ?? ((m) => console.warn(m));
  const dataDir = path.resolve(opts.dataDir ?? process.env.CONSOLE_DATA_DIR ?? ".data");
  // 0711: the embedded server's `postgres` user must traverse it; the secrets inside are 0600.
  await fs.mkdir(dataDir, { recursive: true, mode: 0o711 });
  const env: Record<string, string> = {};

  const externalDb = Boolean(process.env.DATABASE_URL);
  for (const [name, file, make] of [
    ["CONSOLE_ENCRYPTION_KEY", "encryption.key", generateKey],
    ["NEXTAUTH_SECRET", "nextauth.secret", () => randomBytes(32).toString("base64url")],
  ] as const) {
    if (process.env[name]) continue;
    if (opts.production && externalDb) {
      throw new Error(
        `${name} must be set when running in production against DATABASE_URL (see README, "Configuration").`,
      );
    }
    env[name] = await devSecret(path.join(dataDir, file), name, make, warn);
  }

  let postgres: RunningPostgres | null = null;
  let migrating = false;
  if (!externalDb) {
    const port = Number.parseInt(process.env.EMBEDDED_PG_PORT ?? "", 10) || DEFAULT_EMBEDDED_PG_PORT;
    const pgDir = reachableDataDir(path.join(dataDir, "postgres"), warn);
    log(`[db] starting embedded PostgreSQL on 127.0.0.1:${port} (data: ${pgDir})`);
    postgres = await startEmbeddedPostgres({
      dataDir: pgDir,
      port,
      database: "console",
      ownProcessGroup: opts.ownProcessGroup,
      log: (m) => {
        if (m.startsWith("[db]")) log(m);
        else if (migrating && isQueueSchemaProbe(m)) return;
        else if (/FATAL|PANIC|ERROR/.test(m)) warn(`[postgres] ${m}`);
      },
    });
    env.DATABASE_URL = postgres.url;
  }
  const url = env.DATABASE_URL ?? process.env.DATABASE_URL ?? "";
  migrating = true;
  try {
    await migrateDatabase(url);
  } finally {
    migrating = false;
  }
  log("[db] migrations applied");

  // The built-in OpenStack emulator, unless the operator configured a cloud or an emulator elsewhere.
  let emulator: Awaited<ReturnType<typeof startLocalEmulator>> | null = null;
  if (!opts.skipEmulator && !process.env.EMULATOR_URL && !defaultCloudConfig()) {
    emulator = await startLocalEmulator(dataDir);
    env.EMULATOR_URL = emulator.url;
    env.EMULATOR_ADMIN_KEY = emulator.adminKey;
    log(`[cloud] built-in OpenStack emulator at ${emulator.authUrl} (speed ×${emulator.engine.speed})`);
  }

  return {
    env,
    postgres,
    emulatorAuthUrl: emulator?.authUrl ?? null,
    stop: async () => {
      await emulator?.stop();
      await postgres?.stop();
    },
  };
}
