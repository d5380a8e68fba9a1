import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../embedded";
import { migrateDatabase } from "../migrate";
import { freePort } from "./free-port";

export const TEMPLATE_DB = "console_template";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole run, under the OS temp dir (reachable by
 * the `postgres` user even when the checkout is not), with a migrated
 * template database that each test file clones (db/testing/index.ts).
 */
export default async function setup(project: TestProject) {
  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), "kube-console-test-"));
  await fs.chmod(dataRoot, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dataRoot, "postgres"),
    port: await freePort(),
    database: TEMPLATE_DB,
  });
  await migrateDatabase(server.url);
  project.provide("pgAdminUrl", server.adminUrl);

  return async () => {
    await server.stop();
    await fs.rm(dataRoot, { recursive: true, force: true });
  };
}
