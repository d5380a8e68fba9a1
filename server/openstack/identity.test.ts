import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "@/server/testing/cloud";
import type { HttpClient, HttpRequest, HttpResponse } from "./http";
import { IdentityClient } from "./identity";
import {
  ApplicationCredentialExists,
  BadRequest,
  Conflict,
  createCloud,
  CredentialsRejected,
  Forbidden,
  Unavailable,
} from "./index";

let t: TestCloud;
beforeEach(async () => {
  t = await startTestCloud(); // the demo user with a password: it may manage application credentials
});
afterEach(() => t.stop());

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as Error,
  );

describe("Keystone application credentials", () => {
  it("knows the token's user", async () => {
    const demoUser = Object.values(t.emu.engine.state.users).find((u) => u.name === t.emu.demo.userName);
    expect(await t.cloud.identity.currentUserId()).toBe(demoUser!.id);
  });

  it("creates one, finds it by exact name, authenticates with it, deletes it (twice is fine)", async () => {
    const id = t.cloud.identity;
    const created = await id.createApplicationCredential({
      name: "kc-console",
      description: "console",
      roles: ["member", "load-balancer_member"],
    });
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: "kc-console",
      secret: expect.stringMatching(/^[\w-]{80,}$/),
      projectId: t.emu.demo.projectId,
    });

    expect(await id.findApplicationCredential("kc-console")).toEqual({
      id: created.id,
      name: "kc-console",
      projectId: t.emu.demo.projectId,
    });
    // Keystone's ?name= is case-insensitive under MySQL (the emulator does as the lab does); the match here is exact.
    expect(await id.findApplicationCredential("KC-CONSOLE")).toBeNull();
    expect(await id.findApplicationCredential("kc-console-2")).toBeNull();

    expect(await id.verifyApplicationCredential({ id: created.id, secret: created.secret })).toBe(true);
    expect(await id.verifyApplicationCredential({ id: created.id, secret: "wrong" })).toBe(false); // 401

    // A binding on the new credential works like any other: a project-scoped token.
    const asCred = createCloud({
      ...t.cloud.config,
      auth: { type: "application_credential", id: created.id, secret: created.secret },
    });
    expect((await asCred.session.auth()).projectId).toBe(t.emu.demo.projectId);
    expect((await asCred.compute.listFlavors()).length).toBeGreaterThan(0);

    expect(await id.deleteApplicationCredential(created.id)).toBe(true);
    expect(await id.verifyApplicationCredential({ id: created.id, secret: created.secret })).toBe(false); // 404
    expect(await id.deleteApplicationCredential(created.id)).toBe(false);
    expect(await id.findApplicationCredential("kc-console")).toBeNull();

    // Its token is dead, and signing in again with it is CredentialsRejected, not a NotFound.
    asCred.session.invalidate();
    const err = await errorOf(asCred.compute.listFlavors());
    expect(err).toBeInstanceOf(CredentialsRejected);
    asCred.close();
  });

  it("a duplicate name is ApplicationCredentialExists, a Conflict that says what to do", async () => {
    await t.cloud.identity.createApplicationCredential({ name: "dup" });
    const err = await errorOf(t.cloud.identity.createApplicationCredential({ name: "dup" }));
    expect(err).toBeInstanceOf(ApplicationCredentialExists);
    expect(err).toBeInstanceOf(Conflict);
    expect(err!.message).toMatch(/named "dup" already exists .*delete it and create it anew/);
    // Names compare case-insensitively on Keystone's MySQL.
    expect(await errorOf(t.cloud.identity.createApplicationCredential({ name: "DUP" }))).toBeInstanceOf(
      ApplicationCredentialExists,
    );
  });

  it("refuses a role the user does not have, and one Keystone does not know, as BadRequest", async () => {
    const lacking = await errorOf(
      t.cloud.identity.createApplicationCredential({ name: "a", roles: ["admin"] }),
    );
    expect(lacking).toBeInstanceOf(BadRequest);
    expect(lacking!.message).toMatch(/unassigned role/);
    const unknown = await errorOf(
      t.cloud.identity.createApplicationCredential({ name: "b", roles: ["no-such-role"] }),
    );
    expect(unknown).toBeInstanceOf(BadRequest);
    expect(unknown!.message).toMatch(
      /^Cannot create application credential "b": Role no-such-role is not defined/,
    );
    expect(await t.cloud.identity.findApplicationCredential("a")).toBeNull();
  });

  it("a session signed in with a restricted application credential may list but not create or delete", async () => {
    const mine = await t.cloud.identity.createApplicationCredential({ name: "keep" });
    // A credential made without `unrestricted` is restricted (Keystone's default); sign in with it.
    const made = await t.cloud.identity.createApplicationCredential({ name: "restricted-session" });
    const restricted = createCloud({
      ...t.cloud.config,
      auth: { type: "application_credential", id: made.id, secret: made.secret },
    });
    expect((await restricted.session.auth()).applicationCredential).toEqual({
      id: made.id,
      restricted: true,
    });
    expect((await restricted.identity.findApplicationCredential("keep"))?.id).toBe(mine.id);
    const err = await errorOf(restricted.identity.createApplicationCredential({ name: "more" }));
    expect(err).toBeInstanceOf(Forbidden);
    expect(err!.message).toMatch(/not allowed for managing additional application credentials/);
    expect(await errorOf(restricted.identity.deleteApplicationCredential(mine.id))).toBeInstanceOf(Forbidden);
    restricted.close();
  });

  it("never logs a secret nor puts one in an error", async () => {
    const created = await t.cloud.identity.createApplicationCredential({ name: "quiet" });
    await t.cloud.identity.verifyApplicationCredential({ id: created.id, secret: created.secret });
    await t.cloud.identity.deleteApplicationCredential(created.id);
    expect(JSON.stringify(t.log)).not.toContain(created.secret);
    expect(t.log.map((e) => `${e.method} ${e.path} ${e.status}`)).toContain(
      `POST /identity/v3/users/${await t.cloud.identity.currentUserId()}/application_credentials 201`,
    );

    // A cloud error that quotes the request (Keystone's schema errors do) has the secret masked.
    const secret = "s3cr3t-value";
    const echoing = {
      request: (req: HttpRequest): Promise<HttpResponse> =>
        Promise.reject(
          new Unavailable(`Invalid input for field 'secret': '${secret}' is bad`, {
            service: req.service,
            method: req.method,
            path: "/v3/auth/tokens",
            status: 503,
          }),
        ),
    } as unknown as HttpClient;
    const client = new IdentityClient(t.cloud.session, echoing);
    const err = await errorOf(client.verifyApplicationCredential({ id: "x", secret }));
    expect(err).toBeInstanceOf(Unavailable);
    expect(err!.message).toBe("Invalid input for field 'secret': '[secret]' is bad");
  });
});
