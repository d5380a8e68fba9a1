import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { ServiceError } from "@/server/services/errors";
import { withTestDb } from "@/server/testing/suite";
import { toTRPCError } from "./errors";

let db: Db;
withTestDb((d) => (db = d));

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail("the query should have failed"),
    (e: unknown) => e,
  );
}

/** What PostgreSQL refuses as data (SQLSTATE class 22) is the caller's input: 400 with a field message. */
describe("database data errors", () => {
  it("a NUL byte, an out-of-range date and a malformed number become BAD_REQUEST", async () => {
    const errors = [
      await failure(db.execute(sql`select ${"a\u0000b"}::text`)),
      await failure(db.execute(sql`select ${"+275760-09-13T00:00:00.000Z"}::timestamptz`)),
      await failure(db.execute(sql`select ${"12x"}::int`)),
      await failure(db.execute(sql`select 2147483647::int + 1`)),
    ];
    for (const err of errors) {
      // As the procedure's middleware sees it: wrapped by tRPC.
      const mapped = toTRPCError(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: err as Error }));
      expect(mapped.code).toBe("BAD_REQUEST");
      expect(mapped.cause).toBeInstanceOf(ServiceError);
      expect((mapped.cause as ServiceError).extra.fieldErrors).toEqual({
        _form: ["A value is out of range or not in a form that can be stored"],
      });
    }
  });

  it("other database errors stay internal", async () => {
    const err = await failure(db.execute(sql`select * from no_such_table`));
    expect(toTRPCError(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: err as Error })).code).toBe(
      "INTERNAL_SERVER_ERROR",
    );
  });
});
