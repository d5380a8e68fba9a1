import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { Logger, runMigrations as runQueueMigrations } from "graphile-worker";
import { createDb } from "./client";

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * Applies the committed drizzle-kit migrations and the job queue's own
 * schema (graphile_worker); safe to run on every start.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const db = createDb(url, 1);
  try {
    await migrate(db, { migrationsFolder });
  } finally {
    await db.$client.end();
  }
  await runQueueMigrations({ connectionString: url, logger: quietLogger });
}

/** graphile-worker logs every migration step at info; keep only warnings and errors. */
export const quietLogger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.warn(`[queue] ${message}`);
});
