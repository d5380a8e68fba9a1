import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema";

export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything queries can run on: the pool or an open transaction. */
export type Executor = Db | Tx;

/**
 * Every pool this process opened, on globalThis: the launcher (scripts/serve.ts,
 * loaded by tsx) and the Next.js app (bundled by Turbopack) each get their own
 * copy of this module, but share the process — and the shutdown must close
 * the app's pool too before it stops the embedded PostgreSQL.
 */
const globalForDb = globalThis as unknown as {
  __consoleDb?: Db;
  __consolePools?: Set<pg.Pool>;
  __consoleDbClosers?: Set<() => Promise<void>>;
};
const pools = (globalForDb.__consolePools ??= new Set());
const closers = (globalForDb.__consoleDbClosers ??= new Set());

/**
 * A connection of this process's outside createDb's pools (e.g. a LISTEN
 * client), for closeDatabasePools to close too. Registered on globalThis, so
 * it works from the Next.js bundle's copy of a module.
 */
export function onCloseDatabase(close: () => Promise<void>): void {
  closers.add(close);
}

/** One line for a connection's error; 57P01 (the server is shutting down) is expected at exit, not news. */
function logConnectionError(err: Error & { code?: string }): void {
  if (err.code !== "57P01") console.error(`[db] connection error: ${err.message}`);
}

export function createDb(url: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
  // A connection's error (server restart, shutdown) must never crash the process or dump the client.
  // pg emits it on the client — where nobody listens while the client is checked out, so it would be
  // an uncaughtException — and, for an idle client, once more on the pool. The client's listener logs;
  // the pool's only needs to exist.
  pool.on("connect", (client) => client.on("error", logConnectionError));
  pool.on("error", () => undefined);
  for (const p of pools) if (p.ended) pools.delete(p);
  pools.add(pool);
  return drizzle(pool, { schema });
}

/**
 * Ends every pool created in this process (the app's, the worker's, …) that
 * is not ending yet, and the connections registered with onCloseDatabase,
 * and waits for them to close: the last step before the database server
 * stops, so no session is cut off under a client.
 */
export async function closeDatabasePools(): Promise<void> {
  const open = [...pools].filter((p) => !p.ending);
  pools.clear();
  const others = [...closers];
  closers.clear();
  await Promise.allSettled([...others.map((close) => close()), ...open.map((p) => p.end())]);
}

/**
 * The process-wide database. DATABASE_URL is set by the operator, or by the
 * launcher (`npm run dev` / `npm start`) after it starts the embedded server.
 */
export function getDb(): Db {
  if (!globalForDb.__consoleDb) {
    const url = process.env.DATABASE_URL;
    if (!url) {
      throw new Error(
        "DATABASE_URL is not set. Start the console with `npm run dev` or `npm start` (they run an embedded PostgreSQL), " +
          "or set DATABASE_URL to a PostgreSQL server.",
      );
    }
    globalForDb.__consoleDb = createDb(url);
  }
  return globalForDb.__consoleDb;
}
