import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { makeUser } from "@/db/testing";
import { LIMITS } from "@/server/services/auth/rate-limit";
import { withTestDb } from "@/server/testing/suite";

let db: Db;
withTestDb((d) => (db = d));

describe("member.add rate limit", () => {
  it("one account adds or invites at most the limit's worth an hour, counting refusals; others are unaffected", async () => {
    const owner = await makeUser(db);
    const projectId = owner.personalProjectId;
    const existing = await makeUser(db);
    await owner.caller.member.add({ projectId, email: existing.email, role: "viewer" });
    // A refused try (already a member) counts too: probing is what the limit is against.
    await expect(
      owner.caller.member.add({ projectId, email: existing.email, role: "viewer" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    for (let i = 2; i < LIMITS.memberAdd.max; i++)
      await owner.caller.member.add({ projectId, email: `probe${i}@example.com`, role: "viewer" });
    const err = await owner.caller.member
      .add({ projectId, email: "one-more@example.com", role: "viewer" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("TOO_MANY_REQUESTS");
    expect((err as TRPCError).message).toMatch(/Too many members added or invited/);

    const other = await makeUser(db);
    await expect(
      other.caller.member.add({
        projectId: other.personalProjectId,
        email: "one-more@example.com",
        role: "viewer",
      }),
    ).resolves.toMatchObject({ status: "invited" });
  });
});
