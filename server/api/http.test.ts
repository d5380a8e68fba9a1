import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import { KUBECONFIG_VALIDITIES } from "@/server/contracts/kubeconfig";
import { sanitizeHeaders } from "@/server/runtime/forwarded-headers";
import { createAsNewUser, smallSpec } from "@/server/testing/specs";
import { withTestDb } from "@/server/testing/suite";
import { downloadKubeconfig } from "./kubeconfig";
import { appRouter } from "./root";
import type { Context } from "./trpc";

let db: Db;
withTestDb((d) => (db = d));

const context = (userId: string | null): Context => ({
  db,
  session: userId ? { userId } : null,
  requestId: "req-http-test",
  clientIp: "192.0.2.1",
  encryptionKey: TEST_ENCRYPTION_KEY,
});

/** The tRPC endpoint as the route handler serves it. */
async function trpc(path: string, init: RequestInit) {
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://console.test/api/trpc/${path}`, init),
    router: appRouter,
    allowMethodOverride: true,
    createContext: () => context(null),
  });
  return { status: res.status, text: await res.text() };
}

describe("tRPC over HTTP: a request that cannot be read", () => {
  it("answers 400 without the parser's own text", async () => {
    const post = (body: string) =>
      trpc("auth.signUp", { method: "POST", body, headers: { "content-type": "application/json" } });
    const answers = [
      await post("{not json"),
      await post(JSON.stringify({ json: {}, meta: { values: { a: ["weird"] } } })),
      await post(JSON.stringify({ json: { name: 1 }, meta: { values: { name: [["custom", "x"]] } } })),
      await trpc("auth.me?input=%7Bbad", { method: "GET" }),
    ];
    for (const a of answers) {
      expect(a.status).toBe(400);
      expect(JSON.parse(a.text).error.json.message).toBe("The request could not be read");
      expect(a.text).not.toMatch(/JSON at position|transformation|deserialize/);
    }
    // Field errors keep their messages.
    const fields = await post(JSON.stringify({ json: { name: "", email: "x", password: "y" } }));
    expect(JSON.parse(fields.text).error.json.message).toBe("Some fields need attention");
  });
});

describe("kubeconfig download: origin checks", () => {
  const download = (
    userId: string,
    ref: { projectId: string; clusterId: string },
    headers: Record<string, string>,
  ) =>
    downloadKubeconfig(
      context(userId),
      new Request("http://console.test/kubeconfig", {
        method: "POST",
        headers: { host: "console.test", "content-type": "application/json", ...headers },
        body: JSON.stringify({ validity: Object.keys(KUBECONFIG_VALIDITIES)[0], kind: "certificate" }),
      }),
      ref.projectId,
      ref.clusterId,
    );

  it("refuses Origin: null and other unparsable origins with 403, not 500", async () => {
    const { u, ref } = await createAsNewUser(db, smallSpec("origin"));
    for (const origin of ["null", "not a url", "http://"]) {
      const res = await download(u.userId, ref, { origin });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: "Cross-site request refused" });
    }
    const foreign = await download(u.userId, ref, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    // The console's own origin gets past the check.
    const own = await download(u.userId, ref, { origin: "http://console.test" });
    expect(own.status).not.toBe(403);
    expect(own.status).not.toBe(500);
  });

  it("a member of another project is refused as before", async () => {
    const { ref } = await createAsNewUser(db, smallSpec("other"));
    const stranger = await makeUser(db);
    const res = await download(stranger.userId, ref, { origin: "http://console.test" });
    expect(res.status).toBe(404);
  });
});

describe("forwarding headers without TRUST_PROXY", () => {
  it("drops the client's X-Forwarded-Host/-Proto/-Port and replaces its X-Forwarded-For", () => {
    const req = {
      headers: {
        "x-forwarded-host": "evil.example",
        "x-forwarded-proto": "https",
        "x-forwarded-port": "443",
        "x-forwarded-for": "203.0.113.9",
        host: "console.test",
      } as Record<string, string | undefined>,
      socket: { remoteAddress: "127.0.0.1" },
    };
    sanitizeHeaders(req, false);
    expect(req.headers).toMatchObject({ "x-forwarded-for": "127.0.0.1", host: "console.test" });
    expect(req.headers["x-forwarded-host"]).toBeUndefined();
    expect(req.headers["x-forwarded-proto"]).toBeUndefined();
    expect(req.headers["x-forwarded-port"]).toBeUndefined();
  });

  it("keeps them behind a trusted proxy", () => {
    const req = {
      headers: { "x-forwarded-host": "console.example", "x-forwarded-for": "203.0.113.9" } as Record<
        string,
        string | undefined
      >,
      socket: { remoteAddress: "10.1.1.1" },
    };
    sanitizeHeaders(req, true);
    expect(req.headers).toMatchObject({
      "x-forwarded-host": "console.example",
      "x-forwarded-for": "203.0.113.9",
    });
  });
});
