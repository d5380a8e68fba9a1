import { type TRPCError } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { auditLog, cloudBindings } from "@/db/schema";
import { makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import { loadCloudCredentials } from "@/server/services/cloud/binding";
import { generateKey } from "@/server/security/encryption";
import { withTestDb } from "@/server/testing/suite";

let db: Db;
withTestDb((d) => (db = d));

const SECRET = "very-secret-app-cred-Zq81!";
const base = {
  authUrl: "https://keystone.example.com:5000/v3",
  region: "RegionOne",
  auth: {
    type: "application_credential" as const,
    applicationCredentialId: "4e1f5c0b-app-cred",
    secret: SECRET,
  },
};

async function errorOf(p: Promise<unknown>) {
  return p.then(
    () => null,
    (e: unknown) => e as TRPCError,
  );
}

describe("cloud binding", () => {
  it("defaults to the built-in emulator", async () => {
    const u = await makeUser(db);
    expect(await u.caller.cloud.get({ projectId: u.personalProjectId })).toEqual({ mode: "emulator" });
  });

  it("stores the secret encrypted, never returns it, and decrypts it server-side", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    const saved = await u.caller.cloud.set({ projectId, ...base });
    const read = await u.caller.cloud.get({ projectId });
    for (const view of [saved, read]) {
      expect(JSON.stringify(view)).not.toContain(SECRET);
      expect(view).toMatchObject({
        mode: "openstack",
        authType: "application_credential",
        principal: "4e1f5c0b-app-cred",
        secretSet: true,
      });
      expect(view).not.toHaveProperty("secret");
      expect(view).not.toHaveProperty("secretCiphertext");
    }

    // The raw row: no plaintext anywhere, ciphertext in the v1 format.
    const raw = await db.execute(
      sql`SELECT row_to_json(b)::text AS j FROM cloud_bindings b WHERE project_id = ${projectId}`,
    );
    const json = String((raw.rows[0] as { j: string }).j);
    expect(json).not.toContain(SECRET);
    expect(json).not.toContain(Buffer.from(SECRET).toString("base64"));
    const [row] = await db.select().from(cloudBindings).where(eq(cloudBindings.projectId, projectId));
    expect(row!.secretCiphertext).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);

    const creds = await loadCloudCredentials(db, projectId, TEST_ENCRYPTION_KEY);
    expect(creds?.secret).toBe(SECRET);
    await expect(loadCloudCredentials(db, projectId, generateKey())).rejects.toThrow(
      /could not be decrypted/,
    );

    // Audit row names the change, never the secret.
    const [audit] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.projectId, projectId), eq(auditLog.action, "cloud.setCredentials")));
    expect(audit).toMatchObject({
      outcome: "success",
      details: { secretChanged: true, authType: "application_credential" },
    });
    expect(JSON.stringify(audit)).not.toContain(SECRET);
  });

  it("a ciphertext copied to another project's row does not decrypt there", async () => {
    const a = await makeUser(db);
    const b = await makeUser(db);
    await a.caller.cloud.set({ projectId: a.personalProjectId, ...base });
    await b.caller.cloud.set({
      projectId: b.personalProjectId,
      ...base,
      auth: { ...base.auth, secret: "other-secret-123" },
    });
    const [rowA] = await db
      .select()
      .from(cloudBindings)
      .where(eq(cloudBindings.projectId, a.personalProjectId));
    await db
      .update(cloudBindings)
      .set({ secretCiphertext: rowA!.secretCiphertext })
      .where(eq(cloudBindings.projectId, b.personalProjectId));
    await expect(loadCloudCredentials(db, b.personalProjectId, TEST_ENCRYPTION_KEY)).rejects.toThrow(
      /could not be decrypted/,
    );
  });

  it("keeps the stored secret when an edit omits it, but not when the identity changes", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    await u.caller.cloud.set({ projectId, ...base });
    await u.caller.cloud.set({
      projectId,
      ...base,
      region: "RegionTwo",
      auth: { ...base.auth, secret: undefined },
    });
    expect((await loadCloudCredentials(db, projectId, TEST_ENCRYPTION_KEY))?.secret).toBe(SECRET);
    expect(
      (await u.caller.cloud.get({ projectId })).mode === "openstack" &&
        (await u.caller.cloud.get({ projectId })),
    ).toMatchObject({ region: "RegionTwo" });

    const err = await errorOf(
      u.caller.cloud.set({
        projectId,
        ...base,
        auth: { type: "application_credential", applicationCredentialId: "another-cred" },
      }),
    );
    expect(err?.code).toBe("BAD_REQUEST");
    expect(
      (err?.cause as { extra?: { fieldErrors?: Record<string, string[]> } }).extra?.fieldErrors?.[
        "auth.secret"
      ],
    ).toEqual(["Enter the application credential secret"]);
    expect((await loadCloudCredentials(db, projectId, TEST_ENCRYPTION_KEY))?.principal).toBe(
      "4e1f5c0b-app-cred",
    );
  });

  it("validates input with precise messages and changes nothing", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ authUrl: "ftp://x/v3" }, "authUrl", /http/],
      [{ authUrl: "https://keystone.example.com:5000/v2.0" }, "authUrl", /Keystone v3/],
      [{ authUrl: "https://admin:s3cret@keystone.example.com:5000/v3" }, "authUrl", /user name or password/],
      [{ authUrl: "https://admin@keystone.example.com:5000/v3" }, "authUrl", /user name or password/],
      [{ region: "bad region!" }, "region", /letters, digits/],
      [{ caCertPem: "not a cert" }, "caCertPem", /PEM/],
    ];
    for (const [patch, field, message] of cases) {
      const err = await errorOf(
        u.caller.cloud.set({ projectId, ...base, ...patch } as Parameters<typeof u.caller.cloud.set>[0]),
      );
      expect(err?.code).toBe("BAD_REQUEST");
      const issues = (err?.cause as unknown as { issues: Array<{ path: string[]; message: string }> }).issues;
      expect(issues.find((i) => i.path[0] === field)?.message).toMatch(message);
    }
    const pw = await errorOf(
      u.caller.cloud.set({
        projectId,
        ...base,
        auth: {
          type: "password",
          username: "demo",
          userDomainName: "Default",
          projectDomainName: "Default",
          secret: "pw-123456",
        },
      }),
    );
    expect(pw?.message).toMatch(/project name or project id/);
    expect(await u.caller.cloud.get({ projectId })).toEqual({ mode: "emulator" });
  });

  it("switching back to the emulator deletes the credentials and is audited", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    await u.caller.cloud.set({
      projectId,
      ...base,
      auth: {
        type: "password",
        username: "demo",
        userDomainName: "Default",
        projectName: "demo",
        projectDomainName: "Default",
        secret: "pw-123456",
      },
    });
    await u.caller.cloud.clear({ projectId });
    expect(await u.caller.cloud.get({ projectId })).toEqual({ mode: "emulator" });
    expect(await db.select().from(cloudBindings).where(eq(cloudBindings.projectId, projectId))).toHaveLength(
      0,
    );
    const actions = (await db.select().from(auditLog).where(eq(auditLog.projectId, projectId))).map(
      (r) => r.action,
    );
    expect(actions).toContain("cloud.clearCredentials");
    expect((await errorOf(u.caller.cloud.clear({ projectId })))?.code).toBe("PRECONDITION_FAILED");
  });
});
