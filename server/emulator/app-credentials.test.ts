import { writeFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, TestClock, type RunningEmulator } from "./index";
import { DEMO, seedState } from "./state";
import { randomLoopbackCidr } from "@/server/testing/cloud";

/**
 * Keystone's application credentials in the emulator, driven over plain
 * HTTP as the lab's Zed answers them (probed 2026-12-07, see the adapter's
 * contract test): 409 for a duplicate name (case-insensitive, MySQL), 404
 * for an unknown one (also when authenticating), 400 for a role the token
 * lacks, 404 for a role name Keystone does not know, 403 for another user
 * and for a restricted application credential's token, the secret shown
 * once and kept only hashed.
 */
let emu: RunningEmulator | undefined;
let clock: TestClock;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
  token: string | null;
}

async function call(method: string, p: string, body?: unknown, token?: string): Promise<Answer> {
  const res = await fetch(`${emu!.url}${p}`, {
    method,
    headers: {
      ...(token ? { "x-auth-token": token } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    token: res.headers.get("x-subject-token"),
  };
}

const passwordAuth = {
  auth: {
    identity: {
      methods: ["password"],
      password: { user: { name: DEMO.userName, domain: { name: "Default" }, password: DEMO.password } },
    },
    scope: { project: { name: DEMO.projectName, domain: { name: "Default" } } },
  },
};
const appCredAuth = (id: string, secret: string, extra: Record<string, unknown> = {}) => ({
  auth: {
    identity: { methods: ["application_credential"], application_credential: { id, secret } },
    ...extra,
  },
});

async function start(opts: { stateFile?: string } = {}) {
  clock = new TestClock();
  emu = await startEmulator({ clock, speed: 1, externalCidr: randomLoopbackCidr(), ...opts });
  const r = await call("POST", "/identity/v3/auth/tokens", passwordAuth);
  const token = (r.body.token as { user: { id: string } }).user;
  return {
    token: r.token!,
    userId: token.id,
    base: `/identity/v3/users/${token.id}/application_credentials`,
  };
}

type Cred = {
  id: string;
  name: string;
  secret?: string;
  roles: Array<{ id: string; name: string }>;
  unrestricted: boolean | null;
  expires_at: string | null;
  project_id: string;
};
const cred = (a: Answer) => a.body.application_credential as Cred;
const message = (a: Answer) => (a.body.error as { message: string }).message;

describe("emulated Keystone application credentials", () => {
  it("creates one whose secret is shown once and stored only hashed; it signs in to a project-scoped token", async () => {
    const { token, userId, base } = await start();
    const created = await call(
      "POST",
      base,
      { application_credential: { name: "ci", description: "d" } },
      token,
    );
    expect(created.status).toBe(201);
    const c = cred(created);
    // The fields the lab's Zed answers with.
    expect(Object.keys(c).sort()).toEqual(
      [
        "description",
        "expires_at",
        "id",
        "links",
        "name",
        "project_id",
        "roles",
        "secret",
        "system",
        "unrestricted",
        "user_id",
      ].sort(),
    );
    expect(c).toMatchObject({
      name: "ci",
      unrestricted: null,
      expires_at: null,
      project_id: emu!.demo.projectId,
    });
    expect(c.roles.map((r) => r.name).sort()).toEqual(["load-balancer_member", "member", "reader"]);
    expect(c.secret).toMatch(/^[\w-]{86}$/); // 64 random bytes, base64url, as Keystone makes them

    const got = await call("GET", `${base}/${c.id}`, undefined, token);
    expect(got.status).toBe(200);
    expect(cred(got)).not.toHaveProperty("secret");
    const listed = await call("GET", base, undefined, token);
    expect(JSON.stringify(listed.body)).not.toContain(c.secret!);
    expect(JSON.stringify(emu!.engine.state)).not.toContain(c.secret!);

    const signIn = await call("POST", "/identity/v3/auth/tokens", appCredAuth(c.id, c.secret!));
    expect(signIn.status).toBe(201);
    const t = signIn.body.token as Record<string, unknown>;
    expect(t).toMatchObject({
      methods: ["application_credential"],
      user: { id: userId },
      project: { id: emu!.demo.projectId },
      application_credential: { id: c.id, name: "ci", restricted: true },
    });
    // The token works on the other services.
    expect((await call("GET", "/compute/v2.1/flavors", undefined, signIn.token!)).status).toBe(200);

    // No scope may be asked for; a wrong secret is a 401.
    const scoped = await call(
      "POST",
      "/identity/v3/auth/tokens",
      appCredAuth(c.id, c.secret!, { scope: { project: { id: emu!.demo.projectId } } }),
    );
    expect([scoped.status, message(scoped)]).toEqual([
      401,
      "Error authenticating with application credential: Application credentials cannot request a scope.",
    ]);
    expect((await call("POST", "/identity/v3/auth/tokens", appCredAuth(c.id, "wrong"))).status).toBe(401);
  });

  it("keeps names unique per user (case-insensitive, as on MySQL) and filters the list by ?name=", async () => {
    const { token, base } = await start();
    expect((await call("POST", base, { application_credential: { name: "probe" } }, token)).status).toBe(201);
    for (const name of ["probe", "PROBE"]) {
      const dup = await call("POST", base, { application_credential: { name } }, token);
      expect([dup.status, message(dup)]).toEqual([
        409,
        `Conflict occurred attempting to store application_credential - Duplicate entry found with name ${name}.`,
      ]);
    }
    await call("POST", base, { application_credential: { name: "other" } }, token);
    const byName = await call("GET", `${base}?name=PROBE`, undefined, token);
    expect((byName.body.application_credentials as Cred[]).map((x) => x.name)).toEqual(["probe"]);
    expect(byName.body.links).toMatchObject({ next: null, previous: null });
    expect(((await call("GET", base, undefined, token)).body.application_credentials as Cred[]).length).toBe(
      3,
    );
  });

  it("validates the request as Keystone's schema does, never echoing a value", async () => {
    const { token, base } = await start();
    const cases: Array<[unknown, RegExp]> = [
      [{ application_credential: {} }, /^'name' is a required property$/],
      [{}, /^'name' is a required property$/],
      [{ application_credential: { name: "   " } }, /field 'name'/],
      [{ application_credential: { name: "x", secret: 12345 } }, /field 'secret'/],
      [{ application_credential: { name: "x", unrestricted: null } }, /field 'unrestricted'/],
      [{ application_credential: { name: "x", roles: [{ id: "a", name: "b" }] } }, /field 'roles'/],
      [{ application_credential: { name: "x", expires_at: "garbage" } }, /^Timestamp not in expected format/],
      [
        { application_credential: { name: "x", expires_at: "2000-01-01T00:00:00" } },
        /^The 'expires_at' must not be before now/,
      ],
    ];
    for (const [body, want] of cases) {
      const r = await call("POST", base, body, token);
      expect([r.status, message(r)], JSON.stringify(body)).toEqual([400, expect.stringMatching(want)]);
      expect(message(r)).not.toContain("12345");
    }
  });

  it("delegates only roles the token has: 400 for an unassigned one, 404 for an unknown name", async () => {
    const { token, base } = await start();
    const admin = await call(
      "POST",
      base,
      { application_credential: { name: "a", roles: [{ name: "admin" }] } },
      token,
    );
    expect([admin.status, message(admin)]).toEqual([
      400,
      "Invalid application credential: Cannot create an application credential with unassigned role",
    ]);
    const byId = await call(
      "POST",
      base,
      { application_credential: { name: "a", roles: [{ id: "f".repeat(32) }] } },
      token,
    );
    expect(byId.status).toBe(400);
    const unknown = await call(
      "POST",
      base,
      { application_credential: { name: "a", roles: [{ name: "nope" }] } },
      token,
    );
    expect([unknown.status, message(unknown)]).toEqual([404, "Role nope is not defined"]);

    const reader = cred(
      await call(
        "POST",
        base,
        {
          application_credential: {
            name: "r",
            roles: [{ name: "reader" }],
            secret: "my-own-secret",
            unrestricted: true,
          },
        },
        token,
      ),
    );
    expect(reader).toMatchObject({
      secret: "my-own-secret",
      unrestricted: true,
      roles: [{ name: "reader" }],
    });
    const signIn = await call("POST", "/identity/v3/auth/tokens", appCredAuth(reader.id, "my-own-secret"));
    const t = signIn.body.token as {
      roles: Array<{ name: string }>;
      application_credential: { restricted: boolean };
    };
    expect(t.roles.map((r) => r.name)).toEqual(["reader"]);
    expect(t.application_credential.restricted).toBe(false);

    // An unrestricted credential's token may create more, but never with a role it does not carry.
    const more = await call(
      "POST",
      base,
      { application_credential: { name: "m", roles: [{ name: "member" }] } },
      signIn.token!,
    );
    expect(more.status).toBe(400);
    const sub = await call("POST", base, { application_credential: { name: "m" } }, signIn.token!);
    expect(sub.status).toBe(201);
    expect(cred(sub).roles.map((r) => r.name)).toEqual(["reader"]);
  });

  it("a restricted credential's token may list but not create or delete (403); other users' are 403", async () => {
    const { token, base } = await start();
    const c = cred(await call("POST", base, { application_credential: { name: "c" } }, token));
    const restricted = (await call("POST", "/identity/v3/auth/tokens", appCredAuth(c.id, c.secret!))).token!;
    expect((await call("GET", base, undefined, restricted)).status).toBe(200);
    const create = await call("POST", base, { application_credential: { name: "d" } }, restricted);
    expect([create.status, message(create)]).toEqual([
      403,
      // Word for word, the doubled full stop included, as the lab's Zed says it.
      "You are not authorized to perform the requested action: Using method 'application_credential' is not allowed for managing additional application credentials..",
    ]);
    expect((await call("DELETE", `${base}/${c.id}`, undefined, restricted)).status).toBe(403);

    const other = `/identity/v3/users/${"0".repeat(32)}/application_credentials`;
    expect(message(await call("POST", other, { application_credential: { name: "x" } }, token))).toBe(
      "You are not authorized to perform the requested action: identity:create_application_credential.",
    );
    expect((await call("GET", other, undefined, token)).status).toBe(403);
    expect((await call("GET", `${other}/${"1".repeat(32)}`, undefined, token)).status).toBe(403);
    // Another user's credential is judged by its owner, whatever user the path names.
    const other2 = await fetch(`${emu!.url}/_emulator/projects`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-emulator-admin-key": emu!.adminKey },
      body: JSON.stringify({ name: "tenant-b" }),
    });
    const theirs = ((await other2.json()) as { application_credential: { id: string } })
      .application_credential;
    expect((await call("GET", `${base}/${theirs.id}`, undefined, token)).status).toBe(403);
    expect((await call("DELETE", `${base}/${theirs.id}`, undefined, token)).status).toBe(403);
    expect(emu!.engine.state.appCredentials[theirs.id]).toBeDefined();
    expect((await call("GET", base)).status).toBe(401); // no token at all
  });

  it("after a delete: 404 to sign in, its tokens refused, 404 to delete again", async () => {
    const { token, base } = await start();
    const c = cred(await call("POST", base, { application_credential: { name: "gone" } }, token));
    const itsToken = (await call("POST", "/identity/v3/auth/tokens", appCredAuth(c.id, c.secret!))).token!;
    expect((await call("DELETE", `${base}/${c.id}`, undefined, token)).status).toBe(204);

    const signIn = await call("POST", "/identity/v3/auth/tokens", appCredAuth(c.id, c.secret!));
    expect([signIn.status, message(signIn)]).toEqual([
      404,
      `Could not find Application Credential: ${c.id}.`,
    ]);
    expect((await call("GET", "/compute/v2.1/flavors", undefined, itsToken)).status).toBe(401);
    const again = await call("DELETE", `${base}/${c.id}`, undefined, token);
    expect([again.status, message(again)]).toEqual([404, `Could not find Application Credential: ${c.id}.`]);
    expect((await call("GET", `${base}/${c.id}`, undefined, token)).status).toBe(404);
  });

  it("an expired credential no longer signs in", async () => {
    const { token, base } = await start();
    const expiresAt = new Date(clock.now() + 3_600_000).toISOString().replace(/Z$/, "");
    const c = cred(
      await call("POST", base, { application_credential: { name: "e", expires_at: expiresAt } }, token),
    );
    expect(c.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect((await call("POST", "/identity/v3/auth/tokens", appCredAuth(c.id, c.secret!))).status).toBe(201);
    clock.advance(3_600_001);
    expect((await call("POST", "/identity/v3/auth/tokens", appCredAuth(c.id, c.secret!))).status).toBe(401);
  });

  it("signs in by name and user, as Keystone allows", async () => {
    const { token, base } = await start();
    const c = cred(await call("POST", base, { application_credential: { name: "named" } }, token));
    const byName = (name: string) =>
      call("POST", "/identity/v3/auth/tokens", {
        auth: {
          identity: {
            methods: ["application_credential"],
            application_credential: {
              name,
              secret: c.secret,
              user: { name: DEMO.userName, domain: { name: "Default" } },
            },
          },
        },
      });
    expect((await byName("named")).status).toBe(201);
    expect((await byName("nope")).status).toBe(401);
  });

  it("hashes the plain-text secrets of a state saved by an older emulator, which keep working", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "emu-appcred-"));
    const stateFile = path.join(dir, "state.json");
    const old = seedState(randomLoopbackCidr()) as unknown as {
      appCredentials: Record<string, Record<string, unknown>>;
    };
    const demo = old.appCredentials[DEMO.appCredentialId]!;
    delete demo.secretHash;
    demo.secret = DEMO.appCredentialSecret;
    writeFileSync(stateFile, JSON.stringify(old));

    await start({ stateFile });
    const signIn = await call(
      "POST",
      "/identity/v3/auth/tokens",
      appCredAuth(DEMO.appCredentialId, DEMO.appCredentialSecret),
    );
    expect(signIn.status).toBe(201);
    await emu!.engine.flush();
    const saved = await fs.readFile(stateFile, "utf8");
    expect(saved).not.toContain(DEMO.appCredentialSecret);
    expect(saved).toContain('"secretHash":"sha256$');
    await fs.rm(dir, { recursive: true, force: true });
  });
});
