import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { Db } from "@/db/client";
import { createTestDb } from "@/db/testing";
import { startTestCloud, type TestCloud } from "./cloud";

/** A database of this test file's own (cloned from the migrated template), dropped after the file. */
export function withTestDb(set: (db: Db) => void): void {
  let drop: (() => Promise<void>) | null = null;
  beforeAll(async () => {
    const t = await createTestDb();
    drop = t.drop;
    set(t.db);
  });
  afterAll(() => drop?.());
}

/** A fresh emulator (test clock, own loopback /24) for every test (or, with `per: "file"`, one for the file). */
export function withTestCloud(
  set: (t: TestCloud) => void,
  opts?: Parameters<typeof startTestCloud>[0],
  per: "test" | "file" = "test",
): void {
  let current: TestCloud | null = null;
  const [before, after] = per === "test" ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    current = await startTestCloud(opts);
    set(current);
  });
  after(() => current?.stop());
}
