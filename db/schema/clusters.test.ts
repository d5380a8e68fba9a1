import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { clusters } from "./clusters";
import { withTestDb } from "@/server/testing/suite";
import { createAsNewUser, smallSpec } from "@/server/testing/specs";

let db: Db;
withTestDb((d) => (db = d));

describe("the stored cluster spec", () => {
  it("is parsed when read: a spec stored before a field existed reads with that field's default", async () => {
    const { c } = await createAsNewUser(db, smallSpec("old", 1));
    // As an older console stored it: no upgrade strategy on the group, no etcd settings.
    await db.execute(
      sql`UPDATE clusters SET spec = (spec #- '{nodeGroups,0,upgrade}') - 'etcd' WHERE id = ${c.id}`,
    );
    const raw = await db.execute<{ spec: Record<string, unknown> }>(
      sql`SELECT spec FROM clusters WHERE id = ${c.id}`,
    );
    expect(raw.rows[0]!.spec).not.toHaveProperty("etcd");

    const [row] = await db.select({ spec: clusters.spec }).from(clusters).where(eq(clusters.id, c.id));
    expect(row!.spec.nodeGroups[0]!.upgrade).toEqual({ mode: "rolling", maxSurge: 1, maxUnavailable: 0 });
    expect(row!.spec.etcd).toEqual({ volumeType: "high-iops", sizeGb: 20 });
  });
});
