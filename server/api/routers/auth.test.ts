import { TRPCError } from "@trpc/server";
import { and, count, eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { auditLog, projectMembers, projects, users } from "@/db/schema";
import { callerFor, makeUser } from "@/db/testing";
import { LIMITS } from "@/server/services/auth/rate-limit";
import { BAD_CREDENTIALS_MESSAGE, verifyCredentials } from "@/server/services/auth/verify-credentials";
import { ServiceError } from "@/server/services/errors";
import { withTestDb } from "@/server/testing/suite";

let db: Db;
withTestDb((d) => (db = d));

async function counts() {
  const [u] = await db.select({ n: count() }).from(users);
  const [p] = await db.select({ n: count() }).from(projects);
  const [m] = await db.select({ n: count() }).from(projectMembers);
  const [a] = await db.select({ n: count() }).from(auditLog);
  return { users: u?.n, projects: p?.n, members: m?.n, audit: a?.n };
}

async function trpcError(p: Promise<unknown>): Promise<TRPCError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

describe("sign-up", () => {
  it("creates the account with a personal project owned by the user, audited", async () => {
    const anon = callerFor(db, null);
    const res = await anon.auth.signUp({
      name: "Dana Scully",
      email: "  Dana@Example.COM ",
      password: "trust-no-one-1993",
    });
    const [user] = await db.select().from(users).where(eq(users.email, "dana@example.com"));
    expect(user).toMatchObject({ email: "dana@example.com", name: "Dana Scully" });
    expect(user!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(user!.passwordHash).not.toContain("trust-no-one");

    const [membership] = await db.select().from(projectMembers).where(eq(projectMembers.userId, user!.id));
    expect(membership).toMatchObject({ projectId: res.personalProjectId, role: "owner" });
    const [project] = await db.select().from(projects).where(eq(projects.id, res.personalProjectId));
    expect(project).toMatchObject({ personal: true, name: "Dana's project" });

    const rows = await db.select().from(auditLog).where(eq(auditLog.actorUserId, user!.id));
    expect(rows.map((r) => r.action).sort()).toEqual(["auth.signUp", "project.create"]);
    expect(rows.every((r) => r.outcome === "success" && r.requestId)).toBe(true);
  });

  it("rejects a duplicate email with a field error and writes nothing", async () => {
    await makeUser(db, { email: "mulder@example.com" });
    const before = await counts();
    const err = await trpcError(
      callerFor(db, null).auth.signUp({
        name: "Fox",
        email: "MULDER@example.com",
        password: "i-want-to-believe-1",
      }),
    );
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.cause).toBeInstanceOf(ServiceError);
    expect((err.cause as ServiceError).extra.fieldErrors?.email?.[0]).toMatch(
      /can't be used for a new account/,
    );
    expect(await counts()).toEqual(before);
  });

  it.each([
    ["too short", "short-1", /at least 12 characters/],
    ["no letter", "1234567890123", /contains a letter/],
    ["letters only", "onlylettershere", /number or a symbol/],
    ["too long", "a1".repeat(65), /at most 128/],
  ])(
    "rejects a weak password (%s) with a field error and writes nothing",
    async (_label, password, message) => {
      const before = await counts();
      const err = await trpcError(
        callerFor(db, null).auth.signUp({
          name: "Weak",
          email: `weak-${_label.replace(/\s/g, "")}@example.com`,
          password,
        }),
      );
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.cause?.name).toBe("ZodError");
      const issues = (err.cause as unknown as { issues: Array<{ path: string[]; message: string }> }).issues;
      expect(issues.some((i) => i.path[0] === "password" && message.test(i.message))).toBe(true);
      expect(await counts()).toEqual(before);
    },
  );

  it("rejects a password containing the email's local part", async () => {
    const err = await trpcError(
      callerFor(db, null).auth.signUp({
        name: "X",
        email: "skinner@example.com",
        password: "skinner-is-boss-1",
      }),
    );
    expect(err.code).toBe("BAD_REQUEST");
  });

  it("turns pending invitations for the email into memberships", async () => {
    const owner = await makeUser(db);
    const team = await owner.caller.project.create({ name: "Invited team" });
    await owner.caller.member.add({ projectId: team.id, email: "newcomer@example.com", role: "admin" });
    const newcomer = await makeUser(db, { email: "newcomer@example.com" });
    const list = await newcomer.caller.project.list();
    expect(list.find((p) => p.id === team.id)?.role).toBe("admin");
    const members = await owner.caller.member.list({ projectId: team.id });
    expect(members.invitations).toHaveLength(0);
  });
});

describe("sign-in", () => {
  const meta = (ip = "198.51.100.7") => ({ requestId: "req-signin", clientIp: ip });

  it("accepts the right password and audits it", async () => {
    const u = await makeUser(db);
    const user = await verifyCredentials({
      db,
      meta: meta(),
      raw: { email: u.email.toUpperCase(), password: u.password },
    });
    expect(user.id).toBe(u.userId);
    const [row] = await db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.action, "auth.signIn"),
          eq(auditLog.actorUserId, u.userId),
          eq(auditLog.outcome, "success"),
        ),
      );
    expect(row).toMatchObject({ clientIp: "198.51.100.7", requestId: "req-signin" });
  });

  it("gives one generic message for a wrong password and for an unknown email", async () => {
    const u = await makeUser(db);
    const wrong = await verifyCredentials({
      db,
      meta: meta("198.51.100.8"),
      raw: { email: u.email, password: "nope-nope-nope-1" },
    }).catch((e: unknown) => e);
    const unknown = await verifyCredentials({
      db,
      meta: meta("198.51.100.8"),
      raw: { email: "ghost@example.com", password: "nope-nope-nope-1" },
    }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ServiceError);
    expect(unknown).toBeInstanceOf(ServiceError);
    expect((wrong as ServiceError).message).toBe(BAD_CREDENTIALS_MESSAGE);
    expect((unknown as ServiceError).message).toBe(BAD_CREDENTIALS_MESSAGE);
    const failures = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "auth.signIn"), eq(auditLog.outcome, "failure")));
    expect(failures.map((r) => r.targetLabel)).toEqual(
      expect.arrayContaining([u.email, "ghost@example.com"]),
    );
  });

  it("rate-limits repeated failures for one email with a retry delay, even with the right password", async () => {
    const u = await makeUser(db);
    for (let i = 0; i < LIMITS.signInEmail.max; i++) {
      await expect(
        verifyCredentials({
          db,
          meta: meta(`203.0.113.${i + 1}`),
          raw: { email: u.email, password: `wrong-password-${i}` },
        }),
      ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    const limited = (await verifyCredentials({
      db,
      meta: meta("203.0.113.99"),
      raw: { email: u.email, password: u.password },
    }).catch((e: unknown) => e)) as ServiceError;
    expect(limited.code).toBe("RATE_LIMITED");
    expect(limited.extra.retryAfterSeconds).toBeGreaterThan(LIMITS.signInEmail.windowSeconds - 60);
    expect(limited.extra.retryAfterSeconds).toBeLessThanOrEqual(LIMITS.signInEmail.windowSeconds);
    const denied = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetLabel, u.email), eq(auditLog.outcome, "denied")));
    expect(denied).toHaveLength(1);
  });

  it("rate-limits many failures from one client IP across emails", async () => {
    const ip = "203.0.113.200";
    for (let i = 0; i < LIMITS.signInIp.max; i++) {
      await verifyCredentials({
        db,
        meta: meta(ip),
        raw: { email: `spray${i}@example.com`, password: "guess-guess-1" },
      }).catch(() => undefined);
    }
    await expect(
      verifyCredentials({
        db,
        meta: meta(ip),
        raw: { email: "other@example.com", password: "guess-guess-1" },
      }),
    ).rejects.toMatchObject({
      code: "RATE_LIMITED",
    });
    // Another IP is unaffected.
    await expect(
      verifyCredentials({
        db,
        meta: meta("203.0.113.201"),
        raw: { email: "other@example.com", password: "guess-guess-1" },
      }),
    ).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });

  it("rate-limits sign-ups per client IP", async () => {
    const anon = callerFor(db, null, "203.0.113.250");
    for (let i = 0; i < LIMITS.signUpIp.max; i++) {
      await anon.auth.signUp({
        name: `Bulk ${i}`,
        email: `bulk${i}@example.com`,
        password: "bulk-password-123",
      });
    }
    const err = await trpcError(
      anon.auth.signUp({ name: "One more", email: "bulk-extra@example.com", password: "bulk-password-123" }),
    );
    expect(err.code).toBe("TOO_MANY_REQUESTS");
    expect(await db.select().from(users).where(eq(users.email, "bulk-extra@example.com"))).toHaveLength(0);
  });
});

describe("rate limits under parallel requests", () => {
  it("40 parallel wrong passwords for one email: only the limit's worth get their password checked", async () => {
    const u = await makeUser(db);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        verifyCredentials({
          db,
          // A different client IP each: only the per-email limit applies.
          meta: { requestId: `req-par-${i}`, clientIp: `198.18.0.${i + 1}` },
          raw: { email: u.email, password: `wrong-password-${i}` },
        }).catch((e: unknown) => e),
      ),
    );
    const codes = results.map((r) => (r as ServiceError).code);
    expect(codes.filter((c) => c === "UNAUTHORIZED")).toHaveLength(LIMITS.signInEmail.max);
    expect(codes.filter((c) => c === "RATE_LIMITED")).toHaveLength(40 - LIMITS.signInEmail.max);
    // A failure row is written only after a password check.
    const checked = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetLabel, u.email), eq(auditLog.outcome, "failure")));
    expect(checked).toHaveLength(LIMITS.signInEmail.max);
    // And the right password is refused now too, until the window passes.
    await expect(
      verifyCredentials({
        db,
        meta: { requestId: "req-par-right", clientIp: "198.18.0.99" },
        raw: { email: u.email, password: u.password },
      }),
    ).rejects.toMatchObject({ code: "RATE_LIMITED" });
  });

  it("a successful sign-in does not use up the client IP's allowance", async () => {
    const u = await makeUser(db);
    const ip = "198.18.2.1";
    for (let i = 0; i < LIMITS.signInIp.max + 2; i++)
      await expect(
        verifyCredentials({
          db,
          meta: { requestId: `req-ok-${i}`, clientIp: ip },
          raw: { email: u.email, password: u.password },
        }),
      ).resolves.toMatchObject({ id: u.userId });
  });

  it("25 parallel sign-ups from one client IP create at most the limit's worth of accounts", async () => {
    const anon = callerFor(db, null, "198.18.1.1");
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        anon.auth
          .signUp({ name: `Parallel ${i}`, email: `parallel${i}@example.com`, password: "bulk-password-123" })
          .then(
            () => "created",
            (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
          ),
      ),
    );
    expect(results.filter((r) => r === "created")).toHaveLength(LIMITS.signUpIp.max);
    expect(results.filter((r) => r === "TOO_MANY_REQUESTS")).toHaveLength(25 - LIMITS.signUpIp.max);
    const [created] = await db
      .select({ n: count() })
      .from(users)
      .where(like(users.email, "parallel%@example.com"));
    expect(created!.n).toBe(LIMITS.signUpIp.max);
  });
});

describe("sessions", () => {
  it("refuses protected procedures without a session, and for a deleted account", async () => {
    await expect(callerFor(db, null).project.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(callerFor(db, "00000000-0000-4000-8000-000000000000").project.list()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });
});
