import { afterEach, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "@/server/testing/cloud";
import { createCloud, CredentialsRejected, Timeout, Unauthorized, Unavailable } from "./index";

let t: TestCloud;
afterEach(async () => {
  await t?.stop();
});

const authCalls = (tc: TestCloud) =>
  tc.log.filter((e) => e.service === "identity" && e.method === "POST").length;

describe("Keystone session", () => {
  it("authenticates with a password and discovers every service from the catalog", async () => {
    t = await startTestCloud();
    const base = t.emu.url;
    expect(await t.cloud.session.endpoint("compute")).toBe(`${base}/compute/v2.1`);
    expect(await t.cloud.session.endpoint("network")).toBe(`${base}/network`);
    expect(await t.cloud.session.endpoint("load-balancer")).toBe(`${base}/load-balancer`);
    expect(await t.cloud.session.endpoint("block-storage")).toBe(`${base}/volume/v3/${t.emu.demo.projectId}`);
    expect((await t.cloud.session.auth()).projectId).toBe(t.emu.demo.projectId);
    expect(authCalls(t)).toBe(1);
  });

  it("authenticates with an application credential", async () => {
    t = await startTestCloud({ auth: "application_credential" });
    expect((await t.cloud.compute.listAvailabilityZones()).map((z) => z.name)).toEqual([
      "ru-msk-a",
      "ru-msk-b",
      "ru-msk-c",
    ]);
  });

  it("maps bad credentials to CredentialsRejected (an Unauthorized) with Keystone's message, asked once", async () => {
    t = await startTestCloud();
    const attempts: string[] = [];
    const bad = createCloud(
      {
        ...t.cloud.config,
        auth: { type: "application_credential", id: t.emu.demo.appCredentialId, secret: "wrong" },
      },
      { log: (e) => attempts.push(`${e.method} ${e.path} ${e.status}`), sleep: async () => undefined },
    );
    const err = await bad.compute.listFlavors().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialsRejected);
    expect(err).toBeInstanceOf(Unauthorized);
    expect((err as Error).message).toMatch(/^The project's cloud credentials are rejected by Keystone: ./);
    // One token request: no retry that could lock the account, and no service call.
    expect(attempts).toEqual(["POST /identity/v3/auth/tokens 401"]);
    bad.close();
  });

  it("a 401 from a service (expired token) re-authenticates instead of failing as CredentialsRejected", async () => {
    t = await startTestCloud({ tokenTtlSeconds: 3600 });
    await t.cloud.compute.listFlavors();
    t.emu.engine.state.tokens = {}; // every issued token revoked
    expect((await t.cloud.compute.listFlavors()).length).toBeGreaterThan(0);
    expect(authCalls(t)).toBe(2);
  });

  it("reuses the token, and re-issues it shortly before it expires", async () => {
    t = await startTestCloud({ tokenTtlSeconds: 60 });
    await t.cloud.compute.listFlavors();
    await t.cloud.compute.listFlavors();
    expect(authCalls(t)).toBe(1);
    t.advance(40_000); // 20 s left: more than a quarter of the lifetime
    await t.cloud.compute.listFlavors();
    expect(authCalls(t)).toBe(1);
    t.advance(10_000); // 10 s left: refresh before it lapses
    await t.cloud.compute.listFlavors();
    expect(authCalls(t)).toBe(2);
  });

  it("shares one authentication among concurrent first calls", async () => {
    t = await startTestCloud();
    await Promise.all(Array.from({ length: 8 }, () => t.cloud.compute.listFlavors()));
    expect(authCalls(t)).toBe(1);
  });

  it("re-authenticates once on a 401 (token revoked) and retries the call", async () => {
    t = await startTestCloud();
    await t.cloud.compute.listFlavors();
    t.emu.engine.state.tokens = {};
    const flavors = await t.cloud.compute.listFlavors();
    expect(flavors.length).toBeGreaterThan(5);
    expect(authCalls(t)).toBe(2);
    expect(t.log.filter((e) => e.status === 401)).toHaveLength(1);
  });

  it("never logs tokens or secrets", async () => {
    t = await startTestCloud();
    await t.cloud.compute.listFlavors();
    const token = (await t.cloud.session.auth()).token;
    const logged = JSON.stringify(t.log);
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(t.emu.demo.password);
    expect(t.log[0]).toMatchObject({
      service: "identity",
      method: "POST",
      path: "/identity/v3/auth/tokens",
      status: 201,
    });
    expect(t.log.at(-1)?.requestId).toMatch(/^req-/);
  });
});

describe("retries and errors", () => {
  it("retries idempotent calls through injected 503s with backoff", async () => {
    t = await startTestCloud();
    await t.cloud.session.auth();
    await t.injectFault({ service: "compute", method: "GET", status: 503, count: 3 });
    await t.cloud.compute.listFlavors();
    const attempts = t.log.filter((e) => e.service === "compute");
    expect(attempts.map((e) => e.status)).toEqual([503, 503, 503, 200]);
    // exponential: 250·2^(n-1), jittered into [half, full] (random = 0.5 → 3/4)
    expect(t.sleeps).toEqual([188, 375, 750]);
  });

  it("gives up after the attempt limit with Unavailable", async () => {
    t = await startTestCloud();
    await t.injectFault({ service: "network", status: 502 });
    await expect(t.cloud.network.listNetworks()).rejects.toBeInstanceOf(Unavailable);
    expect(t.log.filter((e) => e.service === "network")).toHaveLength(5);
  });

  it("does not retry a POST (a repeat could create twice)", async () => {
    t = await startTestCloud();
    await t.injectFault({ service: "network", method: "POST", status: 503, count: 1 });
    await expect(t.cloud.network.createNetwork({ name: "once" })).rejects.toBeInstanceOf(Unavailable);
    expect(t.log.filter((e) => e.service === "network")).toHaveLength(1);
    expect(await t.cloud.network.listNetworks({ name: "once" })).toHaveLength(0);
  });

  it("honours 429 Retry-After, and refuses to wait longer than its cap", async () => {
    t = await startTestCloud();
    await t.cloud.session.auth();
    await t.injectFault({ service: "compute", status: 429, retryAfterSeconds: 7, count: 1 });
    await t.cloud.compute.listAvailabilityZones();
    expect(t.sleeps).toEqual([7000]);

    await t.injectFault({ service: "compute", status: 429, retryAfterSeconds: 3600, count: 1 });
    await expect(t.cloud.compute.listAvailabilityZones()).rejects.toBeInstanceOf(Unavailable);
  });

  it("times out a request that never answers, retries it, and reports Timeout when all attempts hang", async () => {
    t = await startTestCloud({ cloud: { timeoutMs: 150, maxAttempts: 2 } });
    await t.cloud.session.auth();
    await t.injectFault({ service: "volume", kind: "timeout", count: 1 });
    expect((await t.cloud.blockStorage.listVolumeTypes()).length).toBe(3);
    await t.injectFault({ service: "volume", kind: "timeout" });
    await expect(t.cloud.blockStorage.listVolumeTypes()).rejects.toBeInstanceOf(Timeout);
    expect(t.log.filter((e) => e.status === "timeout")).toHaveLength(3);
  });

  it("converges through a 20% rate of 503s", async () => {
    t = await startTestCloud();
    await t.injectFault({ service: "network", status: 503, rate: 0.2 });
    for (let i = 0; i < 20; i++) await t.cloud.network.listNetworks();
    const failed = t.log.filter((e) => e.service === "network" && e.status === 503).length;
    expect(failed).toBeGreaterThanOrEqual(4);
  });

  it("caps requests in flight per cloud", async () => {
    t = await startTestCloud({ cloud: { maxConcurrent: 2 } });
    await t.cloud.session.auth();
    await t.injectFault({ service: "compute", kind: "delay", delayMs: 60 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => t.cloud.compute.listAvailabilityZones()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(170); // 3 waves of 60 ms, not 1
  });
});
