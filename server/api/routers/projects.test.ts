import { TRPCError } from "@trpc/server";
import { and, desc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { auditLog } from "@/db/schema";
import { makeUser, tokenCallerFor } from "@/db/testing";
import type { ProjectRole } from "@/server/contracts/project";
import { ADDONS, defaultValuesYaml } from "@/server/domain/addons";
import { seedTestCatalog } from "@/server/testing/emulator-catalog";
import { CUSTOM_TEMPLATE } from "@/server/testing/policies";
import { appRouter } from "../root";
import { withTestDb } from "@/server/testing/suite";

let db: Db;
withTestDb((d) => (db = d));

type Caller = Awaited<ReturnType<typeof makeUser>>["caller"];
type Fixture = {
  projectId: string;
  otherUserId: string;
  clusterId: string;
  /** A service account of the fixture project and one of its tokens (for serviceAccount.*). */
  serviceAccountId?: string;
  tokenId?: string;
};

/**
 * Every project-scoped procedure, with a valid call and the lowest role
 * allowed to make it. The test below checks that the list is complete.
 */
const clusterSpec = {
  name: "matrix",
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

/** When the role may call it but the fixture makes it fail for another reason. */
const ALLOWED_BUT: Record<string, string> = {
  // The fixture cluster is still provisioning: no API endpoint yet.
  "cluster.kubeconfig": "PRECONDITION_FAILED",
  "member.cancelInvitation": "NOT_FOUND",
  "cluster.retry": "PRECONDITION_FAILED",
  // The fixture cluster is still provisioning: its nodes cannot be acted on yet.
  "nodeGroup.nodeAction": "PRECONDITION_FAILED",
  // No such operation of the fixture cluster.
  "cluster.cancelOperation": "NOT_FOUND",
  // The fixture cluster is still provisioning, on the newest version.
  "cluster.stop": "PRECONDITION_FAILED",
  "cluster.start": "PRECONDITION_FAILED",
  "cluster.upgrade": "PRECONDITION_FAILED",
  "cluster.rotateCa": "PRECONDITION_FAILED",
  "cluster.upgradeReadiness": "BAD_REQUEST",
  // The fixture has only the system addon, and no uploaded template.
  "addon.uninstall": "BAD_REQUEST",
  "policy.deleteTemplate": "NOT_FOUND",
  // Tests run without the built-in emulator's admin endpoint in the console's environment.
  "workload.setLoad": "PRECONDITION_FAILED",
  "workload.failNode": "PRECONDITION_FAILED",
  "workload.recoverNode": "PRECONDITION_FAILED",
  "workload.failAmphora": "PRECONDITION_FAILED",
  // The fixture's cluster lives on the project's current cloud: the binding cannot move under it.
  "cloud.set": "PRECONDITION_FAILED",
  "cloud.clear": "PRECONDITION_FAILED",
};
const certManager = ADDONS.find((a) => a.id === "cert-manager")!;
const g1 = (f: Fixture) => ({ ...ref(f), generation: 1 });

/** The fixture cluster, as procedures address it. */
const ref = (f: Fixture) => ({ projectId: f.projectId, clusterId: f.clusterId });

const PROCEDURES: Record<string, { min: ProjectRole; call: (c: Caller, f: Fixture) => Promise<unknown> }> = {
  "cluster.list": { min: "viewer", call: (c, f) => c.cluster.list({ projectId: f.projectId }) },
  "cluster.listDetailed": {
    min: "viewer",
    call: (c, f) => c.cluster.listDetailed({ projectId: f.projectId }),
  },
  "cluster.get": {
    min: "viewer",
    call: (c, f) => c.cluster.get(ref(f)),
  },
  "cluster.estimate": {
    min: "viewer",
    call: (c, f) => c.cluster.estimate({ projectId: f.projectId, spec: clusterSpec }),
  },
  "cluster.events": {
    min: "viewer",
    call: (c, f) => c.cluster.events(ref(f)),
  },
  "cluster.eventKinds": {
    min: "viewer",
    call: (c, f) => c.cluster.eventKinds(ref(f)),
  },
  "operation.list": {
    min: "viewer",
    call: (c, f) => c.operation.list(ref(f)),
  },
  "operation.get": {
    min: "viewer",
    call: async (c, f) => {
      const [op] = await c.operation.list(ref(f));
      return c.operation.get({ ...ref(f), operationId: op?.id ?? "11111111-1111-4111-8111-111111111111" });
    },
  },
  "live.project": {
    min: "viewer",
    // Authorized when the stream opens; reading its first message proves it opened.
    call: async (c, f) => {
      const stream = await c.live.project({ projectId: ref(f).projectId });
      const it = stream[Symbol.asyncIterator]();
      try {
        return await it.next();
      } finally {
        await it.return?.(undefined);
      }
    },
  },
  "cluster.kubeconfig": {
    min: "member",
    call: (c, f) => c.cluster.kubeconfig({ ...ref(f), validity: "8h" }),
  },
  "cluster.create": {
    min: "member",
    call: (c, f) => c.cluster.create({ projectId: f.projectId, spec: { ...clusterSpec, name: "second" } }),
  },
  "cluster.update": {
    min: "member",
    call: (c, f) =>
      c.cluster.update({
        ...ref(f),
        generation: 1,
        spec: { ...clusterSpec, apiAccess: { public: false, allowedCidrs: [] } },
      }),
  },
  "cluster.delete": {
    min: "member",
    call: (c, f) => c.cluster.delete({ ...ref(f), confirmName: "matrix" }),
  },
  "cluster.retry": {
    min: "member",
    call: (c, f) => c.cluster.retry(ref(f)),
  },
  "cluster.cancelOperation": {
    min: "member",
    call: (c, f) =>
      c.cluster.cancelOperation({ ...ref(f), operationId: "00000000-0000-4000-8000-000000000000" }),
  },
  "cluster.stop": {
    min: "member",
    call: (c, f) => c.cluster.stop(ref(f)),
  },
  "cluster.start": {
    min: "member",
    call: (c, f) => c.cluster.start(ref(f)),
  },
  "cluster.rotateCa": {
    min: "admin",
    call: (c, f) => c.cluster.rotateCa(ref(f)),
  },
  "cluster.setStopSchedule": {
    min: "member",
    call: (c, f) =>
      c.cluster.setStopSchedule({
        ...ref(f),
        schedule: {
          enabled: true,
          timezone: "Europe/Moscow",
          events: [
            { action: "stop", days: ["Mon", "Tue", "Wed", "Thu", "Fri"], at: "20:00" },
            { action: "start", days: ["Mon", "Tue", "Wed", "Thu", "Fri"], at: "08:00" },
          ],
        },
      }),
  },
  "cluster.setMaintenanceWindow": {
    min: "member",
    call: (c, f) =>
      c.cluster.setMaintenanceWindow({
        ...ref(f),
        window: { day: "Tue", start: "03:00", durationHours: 4, timezone: "Europe/Moscow" },
      }),
  },
  "cluster.upgradeOptions": {
    min: "viewer",
    call: (c, f) => c.cluster.upgradeOptions(ref(f)),
  },
  "cluster.upgradeReadiness": {
    min: "viewer",
    call: (c, f) => c.cluster.upgradeReadiness({ ...ref(f), target: "1.36.1" }),
  },
  "cluster.upgrade": {
    min: "member",
    call: (c, f) => c.cluster.upgrade({ ...ref(f), generation: 1, target: "1.36.1" }),
  },
  "addon.install": {
    min: "member",
    call: (c, f) =>
      c.addon.install({
        ...g1(f),
        addon: { id: "cert-manager", version: "1.19.1", values: defaultValuesYaml(certManager) },
      }),
  },
  "addon.uninstall": { min: "member", call: (c, f) => c.addon.uninstall({ ...g1(f), id: "metrics-server" }) },
  "policy.setGatekeeper": {
    min: "member",
    call: (c, f) => c.policy.setGatekeeper({ ...g1(f), enabled: false }),
  },
  "policy.saveConstraint": {
    min: "member",
    call: (c, f) =>
      c.policy.saveConstraint({
        ...g1(f),
        constraint: {
          name: "team-label",
          kind: "K8sRequiredLabels",
          enforcementAction: "dryrun",
          enabled: true,
          parameters: { labels: [{ key: "team" }] },
          match: {
            kinds: [{ apiGroups: [""], kinds: ["Pod"] }],
            namespaces: [],
            excludedNamespaces: [],
            labelSelector: { matchLabels: {} },
          },
        },
      }),
  },
  "policy.setEnforcement": {
    min: "member",
    call: (c, f) =>
      c.policy.setEnforcement({ ...g1(f), name: "psp-host-filesystem", enforcementAction: "deny" }),
  },
  "policy.setEnabled": {
    min: "member",
    call: (c, f) => c.policy.setEnabled({ ...g1(f), name: "psp-seccomp", enabled: false }),
  },
  "policy.deleteConstraint": {
    min: "member",
    call: (c, f) => c.policy.deleteConstraint({ ...g1(f), name: "block-nodeport-services" }),
  },
  "policy.addTemplate": {
    min: "member",
    call: (c, f) => c.policy.addTemplate({ ...g1(f), yaml: CUSTOM_TEMPLATE }),
  },
  "policy.deleteTemplate": {
    min: "member",
    call: (c, f) => c.policy.deleteTemplate({ ...g1(f), kind: "K8sNothing" }),
  },
  "metrics.dashboard": {
    min: "viewer",
    call: (c, f) =>
      c.metrics.dashboard({ ...ref(f), from: new Date(Date.now() - 3_600_000), to: new Date() }),
  },
  "workload.get": {
    min: "viewer",
    call: (c, f) => c.workload.get(ref(f)),
  },
  "workload.setLoad": {
    min: "member",
    call: (c, f) =>
      c.workload.setLoad({ ...ref(f), load: { profile: "ramp", base: 1, peak: 4, periodMinutes: 10 } }),
  },
  "workload.failNode": {
    min: "member",
    call: (c, f) => c.workload.failNode({ ...ref(f), node: "w-0" }),
  },
  "workload.recoverNode": {
    min: "member",
    call: (c, f) => c.workload.recoverNode({ ...ref(f), node: "w-0" }),
  },
  "workload.failAmphora": {
    min: "member",
    call: (c, f) => c.workload.failAmphora({ ...ref(f), loadBalancer: "x-api" }),
  },
  "metrics.overview": {
    min: "viewer",
    call: (c, f) =>
      c.metrics.overview({ projectId: f.projectId, from: new Date(Date.now() - 3_600_000), to: new Date() }),
  },
  "nodeGroup.nodeAction": {
    min: "member",
    call: (c, f) => c.nodeGroup.nodeAction({ ...ref(f), node: "matrix-workers-0", action: "cordon" }),
  },
  "nodeGroup.add": {
    min: "member",
    call: (c, f) =>
      c.nodeGroup.add({
        ...ref(f),
        generation: 1,
        nodeGroup: {
          name: "more",
          flavor: "STD2-2-4",
          zone: "ru-msk-b",
          scaling: { mode: "fixed", size: 1 },
        },
      }),
  },
  "nodeGroup.update": {
    min: "member",
    call: (c, f) =>
      c.nodeGroup.update({ ...ref(f), generation: 1, name: "workers", scaling: { mode: "fixed", size: 2 } }),
  },
  "nodeGroup.remove": {
    min: "member",
    call: (c, f) => c.nodeGroup.remove({ ...ref(f), generation: 1, name: "workers" }),
  },
  "project.get": { min: "viewer", call: (c, f) => c.project.get({ projectId: f.projectId }) },
  "project.rename": {
    min: "admin",
    call: (c, f) => c.project.rename({ projectId: f.projectId, name: "Renamed project" }),
  },
  "member.list": { min: "viewer", call: (c, f) => c.member.list({ projectId: f.projectId }) },
  "member.add": {
    min: "admin",
    call: (c, f) =>
      c.member.add({ projectId: f.projectId, email: `new-${Math.random()}@example.com`, role: "viewer" }),
  },
  "member.cancelInvitation": {
    min: "admin",
    call: (c, f) =>
      c.member.cancelInvitation({
        projectId: f.projectId,
        invitationId: "00000000-0000-4000-8000-000000000001",
      }),
  },
  "member.updateRole": {
    min: "owner",
    call: (c, f) => c.member.updateRole({ projectId: f.projectId, userId: f.otherUserId, role: "viewer" }),
  },
  "member.remove": {
    min: "owner",
    call: (c, f) => c.member.remove({ projectId: f.projectId, userId: f.otherUserId }),
  },
  "cloud.get": { min: "viewer", call: (c, f) => c.cloud.get({ projectId: f.projectId }) },
  "cloud.quotas": { min: "viewer", call: (c, f) => c.cloud.quotas({ projectId: f.projectId }) },
  "cloud.refreshQuotas": { min: "viewer", call: (c, f) => c.cloud.refreshQuotas({ projectId: f.projectId }) },
  "cloud.refreshCatalog": {
    min: "viewer",
    call: (c, f) => c.cloud.refreshCatalog({ projectId: f.projectId }),
  },
  "cloud.quotaCheck": {
    min: "viewer",
    call: (c, f) => c.cloud.quotaCheck({ projectId: f.projectId, spec: clusterSpec }),
  },
  "catalog.get": { min: "viewer", call: (c, f) => c.catalog.get({ projectId: f.projectId }) },
  "catalog.templates": {
    min: "viewer",
    call: (c, f) => c.catalog.templates({ projectId: f.projectId, custom: [CUSTOM_TEMPLATE] }),
  },
  "catalog.allocatable": {
    min: "viewer",
    call: (c, f) => c.catalog.allocatable({ projectId: f.projectId, flavor: "STD2-2-4", diskGb: 50 }),
  },
  "catalog.checkAddonValues": {
    min: "viewer",
    call: (c, f) =>
      c.catalog.checkAddonValues({
        projectId: f.projectId,
        id: certManager.id,
        values: defaultValuesYaml(certManager),
      }),
  },
  "catalog.checkParameters": {
    min: "viewer",
    call: (c, f) =>
      c.catalog.checkParameters({
        projectId: f.projectId,
        kind: "K8sAllowedRepos",
        parameters: "repos: [ghcr.io/acme/]",
      }),
  },
  "catalog.checkSpec": {
    min: "viewer",
    call: (c, f) => c.catalog.checkSpec({ projectId: f.projectId, spec: clusterSpec }),
  },
  "catalog.checkTemplate": {
    min: "viewer",
    call: (c, f) => c.catalog.checkTemplate({ projectId: f.projectId, yaml: CUSTOM_TEMPLATE }),
  },
  "catalog.constraintYaml": {
    min: "viewer",
    call: (c, f) =>
      c.catalog.constraintYaml({
        projectId: f.projectId,
        constraint: {
          name: "team-label",
          kind: "K8sRequiredLabels",
          enforcementAction: "dryrun",
          enabled: true,
          parameters: { labels: [{ key: "team" }] },
          match: { kinds: [{ apiGroups: [""], kinds: ["Pod"] }] },
        },
      }),
  },
  "cloud.set": {
    min: "admin",
    call: (c, f) =>
      c.cloud.set({
        projectId: f.projectId,
        authUrl: "https://keystone.example.com:5000/v3",
        region: "RegionOne",
        auth: { type: "application_credential", applicationCredentialId: "ac-1", secret: "s3cret-value" },
      }),
  },
  "cloud.clear": { min: "admin", call: (c, f) => c.cloud.clear({ projectId: f.projectId }) },
  "audit.list": { min: "admin", call: (c, f) => c.audit.list({ projectId: f.projectId }) },
  "serviceAccount.list": { min: "admin", call: (c, f) => c.serviceAccount.list({ projectId: f.projectId }) },
  "serviceAccount.create": {
    min: "admin",
    call: (c, f) => c.serviceAccount.create({ projectId: f.projectId, name: "deployer", role: "member" }),
  },
  "serviceAccount.updateRole": {
    min: "admin",
    call: (c, f) =>
      c.serviceAccount.updateRole({
        projectId: f.projectId,
        serviceAccountId: f.serviceAccountId!,
        role: "viewer",
      }),
  },
  "serviceAccount.delete": {
    min: "admin",
    call: (c, f) =>
      c.serviceAccount.delete({ projectId: f.projectId, serviceAccountId: f.serviceAccountId! }),
  },
  "serviceAccount.createToken": {
    min: "admin",
    call: (c, f) =>
      c.serviceAccount.createToken({
        projectId: f.projectId,
        serviceAccountId: f.serviceAccountId!,
        name: "ci",
      }),
  },
  "serviceAccount.revokeToken": {
    min: "admin",
    call: (c, f) =>
      c.serviceAccount.revokeToken({
        projectId: f.projectId,
        serviceAccountId: f.serviceAccountId!,
        tokenId: f.tokenId!,
      }),
  },
};

/** Procedures that hand out credentials: a signed-in person only, never an API token. */
const NO_TOKENS = new Set(Object.keys(PROCEDURES).filter((p) => p.startsWith("serviceAccount.")));

function projectScopedPaths(): string[] {
  const defs = appRouter._def.procedures as unknown as Record<string, { _def: { inputs: unknown[] } }>;
  return Object.entries(defs)
    .filter(([, p]) =>
      p._def.inputs.some(
        (i) =>
          typeof i === "object" &&
          i !== null &&
          "shape" in i &&
          "projectId" in (i as { shape: object }).shape,
      ),
    )
    .map(([path]) => path)
    .sort();
}

const ROLES: ProjectRole[] = ["viewer", "member", "admin", "owner"];
const rank = (r: ProjectRole) => ROLES.indexOf(r);

async function errorOf(p: Promise<unknown>): Promise<TRPCError | null> {
  return p.then(
    () => null,
    (e: unknown) => {
      if (!(e instanceof TRPCError)) throw e;
      return e;
    },
  );
}

describe("projects", () => {
  it("creates a project owned by the creator, listed after the personal one", async () => {
    const u = await makeUser(db, { name: "Pat Doe" });
    const p = await u.caller.project.create({ name: "Payments staging" });
    expect(p).toMatchObject({ name: "Payments staging", role: "owner", personal: false });
    const list = await u.caller.project.list();
    expect(list.map((x) => x.name)).toEqual(["Pat's project", "Payments staging"]);
    const [row] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.projectId, p.id), eq(auditLog.action, "project.create")));
    expect(row).toMatchObject({ actorUserId: u.userId, outcome: "success", targetLabel: "Payments staging" });
  });

  it("rejects a bad project name with a field error", async () => {
    const u = await makeUser(db);
    const err = await errorOf(u.caller.project.create({ name: "  x " }));
    expect(err?.code).toBe("BAD_REQUEST");
  });
});

describe("authorization", () => {
  it("the table covers every project-scoped procedure", () => {
    expect(projectScopedPaths()).toEqual(Object.keys(PROCEDURES).sort());
  });

  for (const via of ["session", "service-account token"] as const) {
    for (const role of ROLES) {
      for (const [path, proc] of Object.entries(PROCEDURES)) {
        const tokenRefused = via !== "session" && NO_TOKENS.has(path);
        const allowed = rank(role) >= rank(proc.min) && !tokenRefused;
        it(`${role} (${via}) ${allowed ? "may" : "may not"} call ${path}`, async () => {
          const owner = await makeUser(db);
          const project = await owner.caller.project.create({ name: "Matrix" });
          await seedTestCatalog(db, project.id);
          const person = await makeUser(db);
          const other = await makeUser(db);
          let actorCaller: Caller = person.caller;
          if (via === "session")
            await owner.caller.member.add({ projectId: project.id, email: person.email, role });
          else {
            // The same role, held by a service account and used through its API token.
            const sa = await owner.caller.serviceAccount.create({
              projectId: project.id,
              name: `as-${role}`,
              role,
            });
            const { secret } = await owner.caller.serviceAccount.createToken({
              projectId: project.id,
              serviceAccountId: sa.id,
              name: "matrix",
            });
            actorCaller = (await tokenCallerFor(db, secret)) as Caller;
          }
          await owner.caller.member.add({ projectId: project.id, email: other.email, role: "member" });
          if (path === "cloud.clear") {
            await PROCEDURES["cloud.set"]!.call(owner.caller, {
              projectId: project.id,
              otherUserId: "",
              clusterId: "",
            });
            await seedTestCatalog(db, project.id);
          }
          const cluster = await owner.caller.cluster.create({ projectId: project.id, spec: clusterSpec });
          const fixture: Fixture = {
            projectId: project.id,
            otherUserId: other.userId,
            clusterId: cluster.id,
          };
          if (path.startsWith("serviceAccount.")) {
            const sa = await owner.caller.serviceAccount.create({
              projectId: project.id,
              name: "target",
              role: "viewer",
            });
            const t = await owner.caller.serviceAccount.createToken({
              projectId: project.id,
              serviceAccountId: sa.id,
              name: "target",
            });
            Object.assign(fixture, { serviceAccountId: sa.id, tokenId: t.token.id });
          }

          const err = await errorOf(proc.call(actorCaller, fixture));
          if (allowed) {
            const expected = ALLOWED_BUT[path];
            if (expected) expect(err?.code).toBe(expected);
            else expect(err).toBeNull();
          } else {
            expect(err?.code).toBe("FORBIDDEN");
            // member.remove is open to every member for leaving; removing someone else is owner-only.
            const expected = tokenRefused
              ? /API tokens cannot do this/
              : path === "member.remove"
                ? /Only an owner can remove other members/
                : new RegExp(`needs the ${proc.min} role`);
            expect(err?.message).toMatch(expected);
          }
        });
      }
    }
  }

  it("a non-member gets NOT_FOUND from every project-scoped procedure, exactly as for a missing project", async () => {
    const owner = await makeUser(db);
    const project = await owner.caller.project.create({ name: "Secret project" });
    await seedTestCatalog(db, project.id);
    const outsider = await makeUser(db);
    const missing = "11111111-1111-4111-8111-111111111111";
    const cluster = await owner.caller.cluster.create({ projectId: project.id, spec: clusterSpec });
    for (const [path, proc] of Object.entries(PROCEDURES)) {
      const real = await errorOf(
        proc.call(outsider.caller, {
          projectId: project.id,
          otherUserId: owner.userId,
          clusterId: cluster.id,
        }),
      );
      const none = await errorOf(
        proc.call(outsider.caller, { projectId: missing, otherUserId: owner.userId, clusterId: cluster.id }),
      );
      expect({ path, code: real?.code, message: real?.message }).toEqual({
        path,
        code: "NOT_FOUND",
        message: "Project not found",
      });
      expect({ path, code: none?.code, message: none?.message }).toEqual({
        path,
        code: "NOT_FOUND",
        message: "Project not found",
      });
    }
    // The project is untouched.
    expect((await owner.caller.project.get({ projectId: project.id })).name).toBe("Secret project");
    expect(await outsider.caller.project.list()).toHaveLength(1);
  });

  it("refused mutations leave a 'denied' audit row with the error code", async () => {
    const owner = await makeUser(db);
    const project = await owner.caller.project.create({ name: "Audited" });
    await seedTestCatalog(db, project.id);
    const viewer = await makeUser(db);
    await owner.caller.member.add({ projectId: project.id, email: viewer.email, role: "viewer" });
    await errorOf(viewer.caller.project.rename({ projectId: project.id, name: "Hijacked" }));
    const [row] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.projectId, project.id), eq(auditLog.actorUserId, viewer.userId)))
      .orderBy(desc(auditLog.id));
    expect(row).toMatchObject({
      action: "project.rename",
      outcome: "denied",
      errorCode: "FORBIDDEN",
      actorEmail: viewer.email,
    });
  });
});

describe("members", () => {
  async function setup() {
    const owner = await makeUser(db);
    const project = await owner.caller.project.create({ name: "Team" });
    await seedTestCatalog(db, project.id);
    return { owner, projectId: project.id };
  }

  it("adds an existing account, refuses a duplicate, and audits", async () => {
    const { owner, projectId } = await setup();
    const bob = await makeUser(db);
    expect(
      await owner.caller.member.add({ projectId, email: bob.email.toUpperCase(), role: "member" }),
    ).toEqual({ status: "added", email: bob.email });
    const dup = await errorOf(owner.caller.member.add({ projectId, email: bob.email, role: "admin" }));
    expect(dup?.code).toBe("CONFLICT");
    const list = await owner.caller.member.list({ projectId });
    expect(list.members.find((m) => m.userId === bob.userId)?.role).toBe("member");
    const rows = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.projectId, projectId), eq(auditLog.action, "member.add")));
    expect(rows.map((r) => r.outcome).sort()).toEqual(["failure", "success"]);
    expect(rows.find((r) => r.outcome === "success")).toMatchObject({
      targetLabel: bob.email,
      details: { role: "member" },
    });
  });

  it("invites an email without an account", async () => {
    const { owner, projectId } = await setup();
    expect(await owner.caller.member.add({ projectId, email: "later@example.com", role: "viewer" })).toEqual({
      status: "invited",
      email: "later@example.com",
    });
    const list = await owner.caller.member.list({ projectId });
    expect(list.invitations).toMatchObject([{ email: "later@example.com", role: "viewer" }]);
    await owner.caller.member.cancelInvitation({ projectId, invitationId: list.invitations[0]!.id });
    expect((await owner.caller.member.list({ projectId })).invitations).toHaveLength(0);
  });

  it("only an owner grants the owner role", async () => {
    const { owner, projectId } = await setup();
    const admin = await makeUser(db);
    const target = await makeUser(db);
    await owner.caller.member.add({ projectId, email: admin.email, role: "admin" });
    const err = await errorOf(admin.caller.member.add({ projectId, email: target.email, role: "owner" }));
    expect(err).toMatchObject({ code: "FORBIDDEN", message: "Only an owner can make someone an owner" });
  });

  it("never loses the last owner: no demotion, removal or leaving", async () => {
    const { owner, projectId } = await setup();
    const demote = await errorOf(
      owner.caller.member.updateRole({ projectId, userId: owner.userId, role: "admin" }),
    );
    expect(demote?.code).toBe("PRECONDITION_FAILED");
    expect(demote?.message).toMatch(/at least one owner/);
    const leave = await errorOf(owner.caller.member.remove({ projectId, userId: owner.userId }));
    expect(leave?.code).toBe("PRECONDITION_FAILED");
    expect((await owner.caller.member.list({ projectId })).members).toMatchObject([
      { userId: owner.userId, role: "owner" },
    ]);

    // With a second owner, the first may step down and then leave.
    const second = await makeUser(db);
    await owner.caller.member.add({ projectId, email: second.email, role: "owner" });
    await owner.caller.member.updateRole({ projectId, userId: owner.userId, role: "admin" });
    const removeLast = await errorOf(second.caller.member.remove({ projectId, userId: second.userId }));
    expect(removeLast?.code).toBe("PRECONDITION_FAILED");
    await second.caller.member.remove({ projectId, userId: owner.userId });
    const left = await errorOf(owner.caller.project.get({ projectId }));
    expect(left?.code).toBe("NOT_FOUND");
  });

  it("two owners demoting each other at once keep one owner", async () => {
    const { owner, projectId } = await setup();
    const second = await makeUser(db);
    await owner.caller.member.add({ projectId, email: second.email, role: "owner" });
    const results = await Promise.allSettled([
      owner.caller.member.updateRole({ projectId, userId: second.userId, role: "member" }),
      second.caller.member.updateRole({ projectId, userId: owner.userId, role: "member" }),
    ]);
    const owners = (
      await owner.caller.member.list({ projectId }).catch(() => second.caller.member.list({ projectId }))
    ).members.filter((m) => m.role === "owner");
    expect(owners.length).toBeGreaterThanOrEqual(1);
    expect(results.filter((r) => r.status === "fulfilled").length).toBeGreaterThanOrEqual(1);
  });

  it("any member may leave; others are removed only by owners", async () => {
    const { owner, projectId } = await setup();
    const a = await makeUser(db);
    const b = await makeUser(db);
    await owner.caller.member.add({ projectId, email: a.email, role: "admin" });
    await owner.caller.member.add({ projectId, email: b.email, role: "viewer" });
    expect((await errorOf(a.caller.member.remove({ projectId, userId: b.userId })))?.code).toBe("FORBIDDEN");
    await b.caller.member.remove({ projectId, userId: b.userId });
    const [row] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.projectId, projectId), eq(auditLog.action, "member.leave")));
    expect(row).toMatchObject({ actorUserId: b.userId, outcome: "success" });
  });
});

describe("audit log", () => {
  it("lists newest first with filters and keyset pagination", async () => {
    const owner = await makeUser(db);
    const project = await owner.caller.project.create({ name: "Busy" });
    await seedTestCatalog(db, project.id);
    for (let i = 0; i < 7; i++)
      await owner.caller.member.add({ projectId: project.id, email: `inv${i}@example.com`, role: "viewer" });
    await owner.caller.project.rename({ projectId: project.id, name: "Busy project" });

    const page1 = await owner.caller.audit.list({ projectId: project.id, limit: 4 });
    expect(page1.items).toHaveLength(4);
    expect(page1.items[0]!.action).toBe("project.rename");
    const page2 = await owner.caller.audit.list({
      projectId: project.id,
      limit: 4,
      cursor: page1.nextCursor!,
    });
    const page3 = await owner.caller.audit.list({
      projectId: project.id,
      limit: 4,
      cursor: page2.nextCursor!,
    });
    const all = [...page1.items, ...page2.items, ...page3.items];
    expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort((x, y) => y - x));
    expect(new Set(all.map((r) => r.id)).size).toBe(9);
    // project.create + 7 invitations + rename
    expect(page3.items).toHaveLength(1);
    expect(page3.nextCursor).toBeNull();
    expect(page3.items[0]!.action).toBe("project.create");

    const invites = await owner.caller.audit.list({ projectId: project.id, action: "member" });
    expect(invites.items.every((r) => r.action.startsWith("member."))).toBe(true);
    expect(invites.items).toHaveLength(7);
    const byActor = await owner.caller.audit.list({ projectId: project.id, actor: "nobody-like-this" });
    expect(byActor.items).toHaveLength(0);
    const future = await owner.caller.audit.list({
      projectId: project.id,
      from: new Date(Date.now() + 60_000),
    });
    expect(future.items).toHaveLength(0);
    const bad = await errorOf(
      owner.caller.audit.list({ projectId: project.id, from: new Date(), to: new Date(Date.now() - 1000) }),
    );
    expect(bad?.code).toBe("BAD_REQUEST");
  });

  it("is append-only in the database itself", async () => {
    await makeUser(db);
    const causeOf = (p: Promise<unknown>) =>
      p.then(
        () => "no error",
        (e: unknown) => String((e as { cause?: Error }).cause?.message),
      );
    expect(await causeOf(db.update(auditLog).set({ action: "tampered" }))).toMatch(
      /audit_log is append-only \(UPDATE rejected\)/,
    );
    expect(await causeOf(db.delete(auditLog))).toMatch(/audit_log is append-only \(DELETE rejected\)/);
    expect(await causeOf(db.execute(sql`TRUNCATE audit_log`))).toMatch(/append-only \(TRUNCATE rejected\)/);
  });
});
