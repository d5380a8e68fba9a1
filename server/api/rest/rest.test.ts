import { randomBytes } from "node:crypto";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { Db } from "@/db/client";
import { apiIdempotency, apiRateWindows, clusters } from "@/db/schema";
import { makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import type { ProjectRole } from "@/server/contracts/project";
import { authenticateToken, bearerOf } from "@/server/services/tokens/authenticate";
import { ADDONS, defaultValuesYaml } from "@/server/domain/addons";
import { seedTestCatalog } from "@/server/testing/emulator-catalog";
import { withTestDb } from "@/server/testing/suite";
import { currentMinute } from "@/db/sql";
import { handleRest } from "./handler";
import { openApiDocument } from "./openapi";
import { ROUTES } from "./routes";
import * as S from "./schemas";

let db: Db;
withTestDb((d) => (db = d));

const spec = {
  name: "rest",
  topology: "single" as const,
  masterCount: 1 as const,
  masterFlavor: "STD2-2-4",
  nodeGroups: [
    { name: "workers", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed" as const, size: 1 } },
  ],
};

interface Call {
  status: number;
  headers: Headers;
  body: unknown;
}

/** One HTTP request through the REST handler, with the context the route would make (on the test database). */
async function api(
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown; headers?: Record<string, string>; ip?: string } = {},
): Promise<Call> {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
  if (opts.body !== undefined) headers.set("content-type", "application/json");
  const req = new Request(`http://127.0.0.1/api/v1${path}`, {
    method,
    headers,
    body:
      opts.body === undefined
        ? undefined
        : typeof opts.body === "string"
          ? opts.body
          : JSON.stringify(opts.body),
  });
  const res = await handleRest(req, async () => {
    const meta = { requestId: `req-${randomBytes(4).toString("hex")}`, clientIp: opts.ip ?? "192.0.2.30" };
    const bearer = bearerOf(req.headers);
    return {
      db,
      session: null,
      token: bearer === null ? null : await authenticateToken(db, bearer, meta),
      ...meta,
      encryptionKey: TEST_ENCRYPTION_KEY,
    };
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : null };
}

/** The response matches the schema the OpenAPI document gives for it. */
function conforms<T extends z.ZodType>(schema: T, call: Call): z.output<T> {
  const r = schema.safeParse(call.body);
  if (!r.success)
    throw new Error(`response does not match its schema: ${JSON.stringify(r.error.issues.slice(0, 3))}`);
  return r.data;
}
const errorCode = (c: Call) => conforms(S.ErrorBody, c).error.code;

async function projectWithToken(role: ProjectRole = "member") {
  const owner = await makeUser(db);
  const project = await owner.caller.project.create({ name: `REST ${role}` });
  await seedTestCatalog(db, project.id);
  const sa = await owner.caller.serviceAccount.create({ projectId: project.id, name: `ci-${role}`, role });
  const { secret } = await owner.caller.serviceAccount.createToken({
    projectId: project.id,
    serviceAccountId: sa.id,
    name: "ci",
  });
  return { owner, projectId: project.id, token: secret };
}

describe("OpenAPI document", () => {
  it("is valid OpenAPI 3.1 (Redocly's recommended rules) and documents every route", async () => {
    const doc = openApiDocument();
    const config = await createConfig({ extends: ["recommended"], rules: { "info-license": "off" } });
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: "/openapi.json",
      config,
    });
    expect(problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([]);
    const paths = (doc as { paths: Record<string, Record<string, { operationId: string }>> }).paths;
    for (const r of ROUTES) expect(paths[r.path]?.[r.method.toLowerCase()]?.operationId).toBe(r.operationId);
    expect(new Set(ROUTES.map((r) => r.operationId)).size).toBe(ROUTES.length);
  });

  it("is served without a token at /api/v1/openapi.json", async () => {
    const r = await api("GET", "/openapi.json");
    expect(r.status).toBe(200);
    expect((r.body as { openapi: string }).openapi).toBe("3.1.0");
  });
});

describe("REST API", () => {
  it("a cluster's life through the API: every answer matches its schema, ETag/If-Match guard changes", async () => {
    const { projectId, token } = await projectWithToken("admin");
    const P = `/projects/${projectId}`;

    const projects = conforms(S.ProjectList, await api("GET", "/projects", { token }));
    expect(projects.items.map((p) => [p.id, p.role])).toEqual([[projectId, "admin"]]);
    conforms(S.Project, await api("GET", P, { token }));
    conforms(S.Report("Members", ""), await api("GET", `${P}/members`, { token }));
    expect((await api("POST", `${P}/estimate`, { token, body: { spec } })).status).toBe(200);

    const created = await api("POST", `${P}/clusters`, { token, body: { spec } });
    expect(created.status).toBe(202);
    const acc = conforms(S.Accepted, created);
    expect(acc.operation).toMatchObject({ kind: "create", status: "pending" });
    expect(created.headers.get("etag")).toBe('"1"');
    const C = `${P}/clusters/${acc.cluster.id}`;

    const got = await api("GET", C, { token });
    expect(conforms(S.Cluster, got).name).toBe("rest");
    expect(got.headers.get("etag")).toBe('"1"');
    const list = conforms(S.ClusterList, await api("GET", `${P}/clusters?limit=1&search=res`, { token }));
    expect(list.items.map((c) => c.id)).toEqual([acc.cluster.id]);
    expect(errorCode(await api("GET", `${P}/clusters?limit=abc`, { token }))).toBe("BAD_REQUEST");

    // Changes need the ETag: none → 428, stale → 412 (nothing changes), current → 202.
    const changed = { spec: { ...spec, apiAccess: { public: false, allowedCidrs: [] } } };
    expect(errorCode(await api("PUT", C, { token, body: changed }))).toBe("PRECONDITION_REQUIRED");
    const stale = await api("PUT", C, { token, body: changed, headers: { "If-Match": '"7"' } });
    expect(stale.status).toBe(412);
    expect(conforms(S.ErrorBody, stale).error.message).toMatch(/its ETag is now "1"/);
    const [before] = await db.select().from(clusters).where(eq(clusters.id, acc.cluster.id));
    expect(before?.generation).toBe(1);
    const put = await api("PUT", C, { token, body: changed, headers: { "If-Match": '"1"' } });
    expect(put.status).toBe(202);
    expect(conforms(S.Accepted, put).cluster.generation).toBe(2);
    expect(put.headers.get("etag")).toBe('"2"');

    const scaled = await api("PUT", `${C}/node-groups/workers/scaling`, {
      token,
      body: { scaling: { mode: "fixed", size: 2 } },
      headers: { "If-Match": '"2"' },
    });
    expect(scaled.status).toBe(202);
    expect(conforms(S.Accepted, scaled).cluster.spec.nodeGroups[0]?.scaling).toEqual({
      mode: "fixed",
      size: 2,
    });
    const added = await api("POST", `${C}/node-groups`, {
      token,
      body: {
        generation: 3,
        nodeGroup: {
          name: "batch",
          flavor: "STD2-2-4",
          zone: "ru-msk-a",
          scaling: { mode: "fixed", size: 1 },
        },
      },
    });
    expect(added.status).toBe(202);
    expect(
      (await api("DELETE", `${C}/node-groups/batch`, { token, headers: { "If-Match": '"4"' } })).status,
    ).toBe(202);

    // Cancelling the group's removal brings it back: new intent, a new revision.
    const [removal] = conforms(S.OperationList, await api("GET", `${C}/operations?limit=1`, { token })).items;
    const cancelled = await api("POST", `${C}/operations/${removal!.id}/cancel`, { token });
    expect(cancelled.status).toBe(202);
    expect(conforms(S.Accepted, cancelled).cluster.spec.nodeGroups.map((g) => g.name)).toEqual([
      "workers",
      "batch",
    ]);
    expect(cancelled.headers.get("etag")).toBe('"6"');
    const again = await api("POST", `${C}/operations/${removal!.id}/cancel`, { token });
    expect([again.status, conforms(S.ErrorBody, again).error.message]).toEqual([
      412,
      expect.stringMatching(/already cancelled; there is nothing to cancel/),
    ]);

    const ops = conforms(S.OperationList, await api("GET", `${C}/operations`, { token }));
    expect(ops.items.length).toBeGreaterThan(0);
    const op = conforms(
      S.Operation,
      await api("GET", `${C}/operations/${ops.items[0]!.id}?wait=1`, { token }),
    );
    expect(op.id).toBe(ops.items[0]!.id);
    expect(errorCode(await api("GET", `${C}/operations/${acc.cluster.id}`, { token }))).toBe("NOT_FOUND");
    conforms(S.EventList, await api("GET", `${C}/events?limit=5`, { token }));
    expect((await api("GET", `${C}/upgrade-options`, { token })).status).toBe(200);

    const sched = await api("PUT", `${C}/maintenance-window`, {
      token,
      body: { window: { day: "Tue", start: "03:00", durationHours: 4, timezone: "Europe/Moscow" } },
    });
    expect(conforms(S.Cluster, sched).schedules.maintenance).not.toBeNull();

    // Still provisioning: no API address for a kubeconfig, and nothing to stop — clear refusals.
    const kc = await api("POST", `${C}/kubeconfig`, { token, body: { validity: "8h" } });
    expect([kc.status, errorCode(kc)]).toEqual([412, "PRECONDITION_FAILED"]);
    expect(errorCode(await api("POST", `${C}/kubeconfig`, { token, body: { validity: "2h" } }))).toBe(
      "BAD_REQUEST",
    );

    const wrong = await api("DELETE", `${C}?confirmName=nope`, { token });
    expect(wrong.status).toBe(400);
    const del = await api("DELETE", `${C}?confirmName=rest&keepVolumes=true`, { token });
    expect(del.status).toBe(202);
    expect(conforms(S.Deleted, del).cluster?.deletionRequestedAt).not.toBeNull();
  });

  it("roles through REST: a viewer token reads and is refused changes, a member creates, only an admin rotates the CA", async () => {
    for (const [role, create, rotate] of [
      ["viewer", 403, null],
      ["member", 202, 403],
      ["admin", 202, 412],
    ] as const) {
      const { projectId, token, owner } = await projectWithToken(role);
      expect((await api("GET", `/projects/${projectId}/clusters`, { token })).status).toBe(200);
      const c = await api("POST", `/projects/${projectId}/clusters`, { token, body: { spec } });
      expect([role, c.status]).toEqual([role, create]);
      if (rotate === null) {
        expect(errorCode(c)).toBe("FORBIDDEN");
        continue;
      }
      const id = conforms(S.Accepted, c).cluster.id;
      // The fixture is still provisioning: an admin is allowed and gets the state's refusal instead.
      expect([
        role,
        (await api("POST", `/projects/${projectId}/clusters/${id}/rotate-ca`, { token })).status,
      ]).toEqual([role, rotate]);
      // Another project — the owner's personal one — is invisible.
      expect((await api("GET", `/projects/${owner.personalProjectId}/clusters`, { token })).status).toBe(404);
    }
  });

  it("Idempotency-Key: a retried create returns the first answer and makes one cluster; the same key with another body is refused", async () => {
    const { projectId, token } = await projectWithToken();
    const headers = { "Idempotency-Key": "create-rest-1" };
    const first = await api("POST", `/projects/${projectId}/clusters`, { token, body: { spec }, headers });
    const again = await api("POST", `/projects/${projectId}/clusters`, { token, body: { spec }, headers });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(conforms(S.Accepted, again).cluster.id).toBe(conforms(S.Accepted, first).cluster.id);
    const rows = await db.select().from(clusters).where(eq(clusters.projectId, projectId));
    expect(rows).toHaveLength(1);
    const other = await api("POST", `/projects/${projectId}/clusters`, {
      token,
      body: { spec: { ...spec, name: "other" } },
      headers,
    });
    expect([other.status, errorCode(other)]).toEqual([422, "IDEMPOTENCY_KEY_REUSED"]);
    // A refused request is an answer too: replayed, not run again.
    const bad = { "Idempotency-Key": "bad-1" };
    const r1 = await api("POST", `/projects/${projectId}/clusters`, {
      token,
      body: { spec: { ...spec, name: "rest" } },
      headers: bad,
    });
    const r2 = await api("POST", `/projects/${projectId}/clusters`, {
      token,
      body: { spec: { ...spec, name: "rest" } },
      headers: bad,
    });
    expect(r1.status).toBe(409);
    expect([r2.status, r2.headers.get("idempotent-replayed")]).toEqual([409, "true"]);
    // A kubeconfig holds a private key: its answer is never kept for replays.
    const [cluster] = await db.select().from(clusters).where(eq(clusters.projectId, projectId));
    const before = await db.select().from(apiIdempotency);
    await api("POST", `/projects/${projectId}/clusters/${cluster!.id}/kubeconfig`, {
      token,
      body: { validity: "8h" },
      headers: { "Idempotency-Key": "kubeconfig-1" },
    });
    expect((await db.select().from(apiIdempotency)).length).toBe(before.length);
    expect(JSON.stringify(openApiDocument())).not.toMatch(/"getKubeconfig"[^}]*Idempotency-Key/);
  });

  it("refuses clearly: no token, a bad token, a revoked one, too many requests, an unknown path or method", async () => {
    const { owner, projectId, token } = await projectWithToken();
    const path = `/projects/${projectId}/clusters`;
    const none = await api("GET", path);
    expect([none.status, errorCode(none), none.headers.get("www-authenticate")]).toEqual([
      401,
      "UNAUTHORIZED",
      'Bearer realm="api"',
    ]);
    expect((await api("GET", path, { token: "kcs_notatoken" })).status).toBe(401);
    expect((await api("GET", path, { headers: { authorization: "Basic Zm9vOmJhcg==" } })).status).toBe(401);
    expect(errorCode(await api("GET", "/nothing/here", { token }))).toBe("NOT_FOUND");
    const method = await api("PATCH", path, { token });
    expect([method.status, method.headers.get("allow")]).toEqual([405, "GET, POST"]);
    expect(errorCode(await api("POST", path, { token, body: "{not json" }))).toBe("BAD_REQUEST");

    const [sa] = await owner.caller.serviceAccount.list({ projectId });
    // This minute and the next are full (so a minute boundary between here and the request changes nothing).
    for (const windowStart of [currentMinute(), sql`date_trunc('minute', now()) + interval '1 minute'`])
      await db
        .insert(apiRateWindows)
        .values({ tokenId: sa!.tokens[0]!.id, windowStart, count: 600 })
        .onConflictDoUpdate({
          target: [apiRateWindows.tokenId, apiRateWindows.windowStart],
          set: { count: 600 },
        });
    const limited = await api("GET", path, { token });
    expect([limited.status, errorCode(limited)]).toEqual([429, "TOO_MANY_REQUESTS"]);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);

    await owner.caller.serviceAccount.revokeToken({
      projectId,
      serviceAccountId: sa!.id,
      tokenId: sa!.tokens[0]!.id,
    });
    expect((await api("GET", path, { token })).status).toBe(401);
  });

  it("never writes a token to the log, whatever happens to the request", async () => {
    const { owner, projectId, token } = await projectWithToken("viewer");
    const seen: string[] = [];
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = "debug";
    const capture = (chunk: string | Uint8Array) => {
      seen.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    try {
      await api("GET", `/projects/${projectId}/clusters`, { token });
      await api("POST", `/projects/${projectId}/clusters`, { token, body: { spec } });
      await api("GET", `/projects/${projectId}/clusters`, { token: token.slice(0, -1) + "x" });
      const [sa] = await owner.caller.serviceAccount.list({ projectId });
      await owner.caller.serviceAccount.revokeToken({
        projectId,
        serviceAccountId: sa!.id,
        tokenId: sa!.tokens[0]!.id,
      });
      await api("GET", `/projects/${projectId}/clusters`, { token });
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
      if (level === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = level;
    }
    const text = seen.join("");
    expect(text).not.toContain(token.slice(4));
  });

  it("the role matrix through REST: below a route's documented role is 403, at it the role is never the refusal", async () => {
    const certManager = ADDONS.find((a) => a.id === "cert-manager")!;
    const bodies: Record<string, unknown> = {
      estimateCluster: { spec },
      createCluster: { spec: { ...spec, name: "second" } },
      updateCluster: { spec: { ...spec, apiAccess: { public: false, allowedCidrs: [] } } },
      upgradeCluster: { target: "1.36.1" },
      setStopSchedule: { schedule: null },
      setMaintenanceWindow: { window: null },
      getKubeconfig: { validity: "8h" },
      addNodeGroup: {
        nodeGroup: {
          name: "batch",
          flavor: "STD2-2-4",
          zone: "ru-msk-a",
          scaling: { mode: "fixed", size: 1 },
        },
      },
      scaleNodeGroup: { scaling: { mode: "fixed", size: 2 } },
      requestNodeAction: { action: "cordon" },
      installAddon: {
        addon: { id: "cert-manager", version: "1.19.1", values: defaultValuesYaml(certManager) },
      },
    };
    const queries: Record<string, string> = {
      deleteCluster: "?confirmName=rest",
      getUpgradeReadiness: "?target=1.36.1",
    };
    const ROLES: ProjectRole[] = ["viewer", "member", "admin", "owner"];
    const rank = (r: ProjectRole) => ROLES.indexOf(r);
    for (const role of ROLES) {
      const { owner, projectId, token } = await projectWithToken(role);
      for (const r of ROUTES) {
        if (r.path === "/projects") continue;
        const cluster = await owner.caller.cluster.create({
          projectId,
          spec: { ...spec, name: `m-${r.operationId.toLowerCase()}`.slice(0, 30) },
        });
        const [op] = await owner.caller.operation.list({ projectId, clusterId: cluster.id });
        const path =
          r.path
            .replace("{projectId}", projectId)
            .replace("{clusterId}", cluster.id)
            .replace("{name}", "workers")
            .replace("{addonId}", "metrics-server")
            .replace("{node}", "workers-0")
            .replace("{operationId}", op!.id) + (queries[r.operationId] ?? "").replace("rest", cluster.name);
        const res = await api(r.method, path, {
          token,
          body: bodies[r.operationId],
          headers: r.precondition ? { "If-Match": '"1"' } : {},
        });
        const allowed = rank(role) >= rank(r.minRole);
        const label = `${role} ${r.method} ${r.path}`;
        if (allowed)
          expect({ label, status: res.status }).not.toMatchObject({
            status: expect.toSatisfy((s: number) => s === 401 || s === 403),
          });
        else
          expect({ label, status: res.status, code: errorCode(res) }).toEqual({
            label,
            status: 403,
            code: "FORBIDDEN",
          });
        if (res.status >= 500) throw new Error(`${label}: ${JSON.stringify(res.body)}`);
        // Out of the way, so the project stays under its cluster limit (test-only: the row goes outright).
        await db.delete(clusters).where(eq(clusters.projectId, projectId));
      }
    }
  });
});
