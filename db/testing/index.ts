import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { createDb, type Db } from "../client";
import { closeChangeHubs } from "../live";
import { signUp } from "@/server/services/auth/sign-up";
import { createCaller } from "@/server/api/root";
import { seedTestCatalog } from "@/server/testing/emulator-catalog";
import { generateKey } from "@/server/security/encryption";
import { authenticateToken } from "@/server/services/tokens/authenticate";

const TEMPLATE_DB = "console_template";

/** A fresh database cloned from the migrated template; drop it in afterAll. */
export async function createTestDb(): Promise<{ db: Db; url: string; drop: () => Promise<void> }> {
  const adminUrl = inject("pgAdminUrl");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  await admin.end();
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  const db = createDb(url, 5);
  return {
    db,
    url,
    drop: async () => {
      // Live-update streams opened by the tests hold one LISTEN connection to this database.
      await closeChangeHubs(url);
      await db.$client.end();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const TEST_ENCRYPTION_KEY = generateKey();
let seq = 0;

/** Signs up a user through the real service; returns its ids and a tRPC caller acting as it. */
export async function makeUser(db: Db, overrides: { email?: string; name?: string; password?: string } = {}) {
  const n = ++seq;
  const input = {
    email: overrides.email ?? `user${n}-${randomBytes(3).toString("hex")}@example.com`,
    name: overrides.name ?? `User ${n}`,
    password: overrides.password ?? "correct-horse-battery-9",
  };
  const { userId, personalProjectId } = await signUp({
    db,
    meta: { requestId: `req-signup-${n}`, clientIp: `10.0.0.${n % 250}` },
    input,
  });
  // As if the worker had read the built-in emulator's catalog for the new project.
  await seedTestCatalog(db, personalProjectId);
  return {
    userId,
    personalProjectId,
    email: input.email,
    password: input.password,
    caller: callerFor(db, userId),
  };
}

/** A tRPC caller acting with an API token, authenticated exactly as the REST API does it. */
export async function tokenCallerFor(db: Db, secret: string, clientIp = "192.0.2.20") {
  const requestId = `req-${randomBytes(4).toString("hex")}`;
  return createCaller({
    db,
    session: null,
    token: await authenticateToken(db, secret, { requestId, clientIp }),
    requestId,
    clientIp,
    encryptionKey: TEST_ENCRYPTION_KEY,
  });
}

export function callerFor(db: Db, userId: string | null, clientIp = "192.0.2.10") {
  return createCaller({
    db,
    session: userId ? { userId } : null,
    requestId: `req-${randomBytes(4).toString("hex")}`,
    clientIp,
    encryptionKey: TEST_ENCRYPTION_KEY,
  });
}
