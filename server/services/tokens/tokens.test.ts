import { TRPCError } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { apiRateWindows, apiTokens, auditLog } from "@/db/schema";
import { makeUser, tokenCallerFor } from "@/db/testing";
import { seedTestCatalog } from "@/server/testing/emulator-catalog";
import { withTestDb } from "@/server/testing/suite";

let db: Db;
withTestDb((d) => (db = d));

const spec = {
  name: "via-token",
  topology: "single" as const,
  masterCount: 1 as const,
  masterFlavor: "STD2-2-4",
  nodeGroups: [
    {
      name: "workers",
      flavor: "STD2-2-4",
      zone: "ru-msk-a" as const,
      scaling: { mode: "fixed" as const, size: 1 },
    },
  ],
};

async function errorOf(p: Promise<unknown>): Promise<TRPCError | null> {
  return p.then(
    () => null,
    (e: unknown) => {
      if (!(e instanceof TRPCError)) throw e;
      return e;
    },
  );
}

/** Every text value in every table of the database, as one string (for "never stored in clear"). */
async function wholeDatabase(): Promise<string> {
  const tables = await db.execute<{ t: string }>(
    sql`select quote_ident(table_schema) || '.' || quote_ident(table_name) as t from information_schema.tables
        where table_schema in ('public', 'graphile_worker') and table_type = 'BASE TABLE'`,
  );
  let all = "";
  for (const { t } of tables.rows) {
    const rows = await db.execute(sql.raw(`select row_to_json(x)::text as j from ${t} x`));
    all += rows.rows.map((r) => String((r as { j: string }).j)).join("\n");
  }
  return all;
}

afterEach(() => {
  delete process.env.API_RATE_LIMIT_PER_MINUTE;
});

describe("personal access tokens", () => {
  it("act as their owner, only in the chosen projects and with at most the chosen role; the secret is shown once and stored only as a hash", async () => {
    const u = await makeUser(db);
    const other = await u.caller.project.create({ name: "Elsewhere" });
    const created = await u.caller.token.create({
      name: "ci deploy",
      projectIds: [u.personalProjectId],
      maxRole: "member",
    });
    expect(created.secret).toMatch(/^kcp_[0-9A-Za-z]{36}$/);
    expect(created.token).toMatchObject({ name: "ci deploy", state: "active", maxRole: "member" });
    // 90 days by default.
    const days = (created.token.expiresAt.getTime() - created.token.createdAt.getTime()) / 86_400_000;
    expect(Math.round(days)).toBe(90);
    const listed = await u.caller.token.list();
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(listed[0]?.prefix).toBe(created.secret.slice(0, 12));

    const api = await tokenCallerFor(db, created.secret);
    const cluster = await api.cluster.create({ projectId: u.personalProjectId, spec });
    expect(cluster.name).toBe("via-token");
    // The project it was not made for looks absent.
    expect((await errorOf(api.cluster.list({ projectId: other.id })))?.code).toBe("NOT_FOUND");
    // Above its role: refused, naming the token's limit.
    const denied = await errorOf(
      api.cluster.rotateCa({ projectId: u.personalProjectId, clusterId: cluster.id }),
    );
    expect(denied?.code).toBe("FORBIDDEN");
    expect(denied?.message).toMatch(/limited to member/);
    // Account-level procedures need a signed-in person.
    expect((await errorOf(api.project.create({ name: "By token" })))?.message).toMatch(
      /API tokens cannot do this/,
    );
    // The project list shows what the token reaches, with the role it may use (the maker owns it).
    expect((await api.project.list()).map((p) => [p.id, p.role])).toEqual([[u.personalProjectId, "member"]]);
    expect(
      (
        await errorOf(
          api.token.create({ name: "again", projectIds: [u.personalProjectId], maxRole: "viewer" }),
        )
      )?.code,
    ).toBe("FORBIDDEN");

    // Audited as the token: the create, and the denied rotation.
    const rows = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.projectId, u.personalProjectId), eq(auditLog.actorUserId, u.userId)));
    const viaToken = rows.filter((r) => r.details?.viaToken === created.token.prefix);
    expect(viaToken.map((r) => `${r.action}:${r.outcome}`).sort()).toEqual([
      "cluster.create:success",
      "cluster.rotateCa:denied",
    ]);
    const [made] = await db.select().from(auditLog).where(eq(auditLog.action, "token.create"));
    expect(made).toMatchObject({ actorUserId: u.userId, targetLabel: "ci deploy" });

    expect(await wholeDatabase()).not.toContain(created.secret);
    expect(await wholeDatabase()).not.toContain(created.secret.slice(12));
  });

  it("cannot be made with more than the maker's role, for a project the maker is not in, or for longer than a year", async () => {
    const owner = await makeUser(db);
    const viewer = await makeUser(db);
    const project = await owner.caller.project.create({ name: "Shared" });
    await owner.caller.member.add({ projectId: project.id, email: viewer.email, role: "viewer" });
    const tooHigh = await errorOf(
      viewer.caller.token.create({ name: "x", projectIds: [project.id], maxRole: "member" }),
    );
    expect(tooHigh?.code).toBe("BAD_REQUEST");
    expect(tooHigh?.message).toMatch(/You are a viewer in Shared/);
    const stranger = await errorOf(
      viewer.caller.token.create({ name: "x", projectIds: [owner.personalProjectId], maxRole: "viewer" }),
    );
    expect(stranger?.message).toMatch(/not a member/);
    const long = await errorOf(
      viewer.caller.token.create({
        name: "x",
        projectIds: [project.id],
        maxRole: "viewer",
        expiresInDays: 400,
      }),
    );
    expect(long?.code).toBe("BAD_REQUEST");
    expect(await viewer.caller.token.list()).toEqual([]);
  });

  it("stops working at once when revoked or expired, and a forged or malformed token is refused", async () => {
    const u = await makeUser(db);
    const a = await u.caller.token.create({
      name: "a",
      projectIds: [u.personalProjectId],
      maxRole: "viewer",
    });
    const b = await u.caller.token.create({
      name: "b",
      projectIds: [u.personalProjectId],
      maxRole: "viewer",
    });
    const ok = await tokenCallerFor(db, a.secret);
    await ok.cluster.list({ projectId: u.personalProjectId });

    await u.caller.token.revoke({ tokenId: a.token.id });
    const revoked = await errorOf(
      (await tokenCallerFor(db, a.secret)).cluster.list({ projectId: u.personalProjectId }),
    );
    expect(revoked?.code).toBe("UNAUTHORIZED");
    expect((await u.caller.token.list()).find((t) => t.id === a.token.id)?.state).toBe("revoked");

    await db
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiTokens.id, b.token.id));
    const expired = await errorOf(
      (await tokenCallerFor(db, b.secret)).cluster.list({ projectId: u.personalProjectId }),
    );
    expect(expired?.code).toBe("UNAUTHORIZED");

    const last = b.secret.at(-1) === "A" ? "B" : "A";
    for (const bad of [b.secret.slice(0, -1) + last, "kcp_short", "Bearer", ""]) {
      const e = await errorOf(
        (await tokenCallerFor(db, bad)).cluster.list({ projectId: u.personalProjectId }),
      );
      expect(e?.code).toBe("UNAUTHORIZED");
    }
    // Somebody else cannot revoke my token (it looks absent).
    const other = await makeUser(db);
    expect((await errorOf(other.caller.token.revoke({ tokenId: b.token.id })))?.code).toBe("NOT_FOUND");
  });

  it("follows the owner's role as it is now: a demoted owner's token loses what the membership lost", async () => {
    const owner = await makeUser(db);
    const m = await makeUser(db);
    const project = await owner.caller.project.create({ name: "Demotion" });
    await seedTestCatalog(db, project.id);
    await owner.caller.member.add({ projectId: project.id, email: m.email, role: "member" });
    const t = await m.caller.token.create({ name: "t", projectIds: [project.id], maxRole: "member" });
    const api = await tokenCallerFor(db, t.secret);
    await api.cluster.create({ projectId: project.id, spec });
    await owner.caller.member.updateRole({ projectId: project.id, userId: m.userId, role: "viewer" });
    const e = await errorOf(api.cluster.create({ projectId: project.id, spec: { ...spec, name: "second" } }));
    expect(e?.code).toBe("FORBIDDEN");
    await owner.caller.member.remove({ projectId: project.id, userId: m.userId });
    expect((await errorOf(api.cluster.list({ projectId: project.id })))?.code).toBe("NOT_FOUND");
  });

  it("is limited per minute across processes (429 with the seconds to wait); the first use from a new address is audited once", async () => {
    process.env.API_RATE_LIMIT_PER_MINUTE = "5";
    const u = await makeUser(db);
    const t = await u.caller.token.create({
      name: "busy",
      projectIds: [u.personalProjectId],
      maxRole: "viewer",
    });
    // This minute's window is already full (as if other web processes had used it).
    for (const windowStart of [
      sql`date_trunc('minute', now())`,
      sql`date_trunc('minute', now()) + interval '1 minute'`,
    ])
      await db.insert(apiRateWindows).values({ tokenId: t.token.id, windowStart, count: 5 });
    const e = await errorOf(
      (await tokenCallerFor(db, t.secret)).cluster.list({ projectId: u.personalProjectId }),
    );
    expect(e?.code).toBe("TOO_MANY_REQUESTS");
    expect(e?.message).toMatch(/more than 5 requests this minute; try again in \d+ s/);

    const u2 = await makeUser(db);
    const t2 = await u2.caller.token.create({
      name: "roams",
      projectIds: [u2.personalProjectId],
      maxRole: "viewer",
    });
    for (const ip of ["198.51.100.1", "198.51.100.1", "198.51.100.2", "198.51.100.1"])
      await (await tokenCallerFor(db, t2.secret, ip)).cluster.list({ projectId: u2.personalProjectId });
    const uses = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "token.firstUseFromAddress"), eq(auditLog.targetId, t2.token.id)));
    expect(uses.map((r) => r.details?.address).sort()).toEqual(["198.51.100.1", "198.51.100.2"]);
    const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, t2.token.id));
    expect(row?.lastUsedIp).toBe("198.51.100.1");
    expect(row?.lastUsedAt).not.toBeNull();
  });
});

describe("service accounts", () => {
  it("are principals of one project with their own role, not listed as members, gone with their tokens when deleted", async () => {
    const owner = await makeUser(db);
    const admin = await makeUser(db);
    const project = await owner.caller.project.create({ name: "Automation" });
    await seedTestCatalog(db, project.id);
    await owner.caller.member.add({ projectId: project.id, email: admin.email, role: "admin" });

    // An admin cannot hand out the owner role, even to a service account.
    const asOwner = await errorOf(
      admin.caller.serviceAccount.create({ projectId: project.id, name: "root", role: "owner" }),
    );
    expect(asOwner?.message).toMatch(/Only an owner/);
    const sa = await admin.caller.serviceAccount.create({
      projectId: project.id,
      name: "deployer",
      role: "member",
    });
    const dup = await errorOf(
      admin.caller.serviceAccount.create({ projectId: project.id, name: "deployer", role: "viewer" }),
    );
    expect(dup?.code).toBe("CONFLICT");
    const { secret, token } = await admin.caller.serviceAccount.createToken({
      projectId: project.id,
      serviceAccountId: sa.id,
      name: "github actions",
      expiresInDays: 30,
    });
    expect(secret).toMatch(/^kcs_/);

    const api = await tokenCallerFor(db, secret);
    const c = await api.cluster.create({ projectId: project.id, spec });
    expect(c.name).toBe("via-token");
    expect((await errorOf(api.cluster.rotateCa({ projectId: project.id, clusterId: c.id })))?.code).toBe(
      "FORBIDDEN",
    );
    // Another project (the owner's personal one) is not its business.
    expect((await errorOf(api.cluster.list({ projectId: owner.personalProjectId })))?.code).toBe("NOT_FOUND");

    const members = await owner.caller.member.list({ projectId: project.id });
    expect(members.members.map((m) => m.email)).not.toContain(
      expect.stringContaining("service-accounts.invalid"),
    );
    expect(members.members).toHaveLength(2);
    // The service account's address cannot be added to another project.
    const [saUser] = await db.select().from(apiTokens).where(eq(apiTokens.id, token.id));
    const email = (
      await db.execute<{ email: string }>(sql`select email from users where id = ${saUser!.userId}`)
    ).rows[0]!.email;
    const added = await errorOf(
      owner.caller.member.add({ projectId: owner.personalProjectId, email, role: "viewer" }),
    );
    expect(added?.code).toBe("BAD_REQUEST");

    const list = await admin.caller.serviceAccount.list({ projectId: project.id });
    expect(list).toMatchObject([
      { name: "deployer", role: "member", tokens: [{ name: "github actions", state: "active" }] },
    ]);

    await admin.caller.serviceAccount.updateRole({
      projectId: project.id,
      serviceAccountId: sa.id,
      role: "viewer",
    });
    expect(
      (await errorOf(api.cluster.create({ projectId: project.id, spec: { ...spec, name: "third" } })))?.code,
    ).toBe("FORBIDDEN");

    await admin.caller.serviceAccount.delete({ projectId: project.id, serviceAccountId: sa.id });
    expect(
      (await errorOf((await tokenCallerFor(db, secret)).cluster.list({ projectId: project.id })))?.code,
    ).toBe("UNAUTHORIZED");
    expect(await admin.caller.serviceAccount.list({ projectId: project.id })).toEqual([]);
    // What it did stays in the audit log, under its name.
    const did = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.projectId, project.id), eq(auditLog.action, "cluster.create")));
    expect(did[0]?.details?.viaToken).toBe(token.prefix);
    expect(await wholeDatabase()).not.toContain(secret);
  });

  it("an owner service account never keeps a project alone: the last person who owns it still cannot leave", async () => {
    const owner = await makeUser(db);
    const project = await owner.caller.project.create({ name: "Owned" });
    await owner.caller.serviceAccount.create({ projectId: project.id, name: "root", role: "owner" });
    const leave = await errorOf(owner.caller.member.remove({ projectId: project.id, userId: owner.userId }));
    expect(leave?.code).toBe("PRECONDITION_FAILED");
  });
});
