import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema";

export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything queries can run on: the pool or an open transaction. */
export type Executor = Db | Tx;

export function createDb(url: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
  // An idle client's error (server restart) must not crash the process.
  pool.on("error", (err: Error & { code?: string }) => {
    // 57P01: the server is shutting down (e.g. the embedded one at exit) — expected, not news.
    if (err.code !== "57P01") console.error("[db] idle client error:", err.message);
  });
  return drizzle(pool, { schema });
}

const globalForDb = globalThis as unknown as { __consoleDb?: Db };

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
