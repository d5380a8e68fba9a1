import { randomBytes } from "node:crypto";
import type { Engine } from "../engine";
import { fault, iso, type Req, type Router } from "../http";
import { DOMAIN_ID, DOMAIN_NAME, REGION, type Project, type Token, type User } from "../state";

const SERVICES: Array<{ type: string; name: string; path: (projectId: string) => string }> = [
  { type: "identity", name: "keystone", path: () => "/identity" },
  { type: "compute", name: "nova", path: () => "/compute/v2.1" },
  { type: "network", name: "neutron", path: () => "/network" },
  { type: "load-balancer", name: "octavia", path: () => "/load-balancer" },
  { type: "block-storage", name: "cinder", path: (p) => `/volume/v3/${p}` },
  { type: "volumev3", name: "cinderv3", path: (p) => `/volume/v3/${p}` },
  { type: "image", name: "glance", path: () => "/image" },
];

export function catalog(baseUrl: string, projectId: string) {
  return SERVICES.map((s, i) => ({
    id: `${(i + 1).toString(16).padStart(2, "0")}${"c".repeat(30)}`,
    type: s.type,
    name: s.name,
    endpoints: (["public", "internal", "admin"] as const).map((iface, j) => ({
      id: `${(i + 1).toString(16).padStart(2, "0")}${j}${"e".repeat(29)}`,
      interface: iface,
      region_id: REGION,
      url: `${baseUrl}${s.path(projectId)}`,
      region: REGION,
    })),
  }));
}

export interface KeystoneOptions {
  /** Token lifetime; tests shorten it to exercise refresh. */
  tokenTtlMs: () => number;
}

function tokenBody(engine: Engine, req: Req, token: Token, user: User, project: Project) {
  return {
    token: {
      methods: token.methods,
      user: {
        domain: { id: DOMAIN_ID, name: DOMAIN_NAME },
        id: user.id,
        name: user.name,
        password_expires_at: null,
      },
      audit_ids: [randomBytes(16).toString("base64url").slice(0, 22)],
      expires_at: iso.keystone(token.expiresAt),
      issued_at: iso.keystone(token.issuedAt),
      project: { domain: { id: DOMAIN_ID, name: DOMAIN_NAME }, id: project.id, name: project.name },
      is_domain: false,
      roles: [
        { id: "1".repeat(32), name: "member" },
        { id: "2".repeat(32), name: "reader" },
        { id: "3".repeat(32), name: "load-balancer_member" },
      ],
      catalog: catalog(req.baseUrl, project.id),
    },
  };
}

function domainOk(d: unknown): boolean {
  if (d === undefined) return true;
  if (typeof d !== "object" || d === null) return false;
  const dom = d as { id?: unknown; name?: unknown };
  return dom.id === DOMAIN_ID || dom.name === DOMAIN_NAME;
}

export function keystoneRoutes(router: Router, engine: Engine, opts: KeystoneOptions): void {
  const s = () => engine.state;
  const unauthorized = (m = "The request you have made requires authentication.") =>
    fault("identity", 401, m);

  const versionDoc = (req: Req) => ({
    id: "v3.14",
    status: "stable",
    updated: "2020-04-07T00:00:00Z",
    links: [{ rel: "self", href: `${req.baseUrl}/identity/v3/` }],
    "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
  });
  router.on("GET", "/identity", (req) => ({
    status: 300,
    body: { versions: { values: [versionDoc(req)] } },
  }));
  router.on("GET", "/identity/v3", (req) => ({ status: 200, body: { version: versionDoc(req) } }));

  router.on("POST", "/identity/v3/auth/tokens", (req) => {
    const auth = (
      req.body as { auth?: { identity?: Record<string, unknown>; scope?: Record<string, unknown> } } | null
    )?.auth;
    const identity = auth?.identity;
    const methods = Array.isArray(identity?.methods) ? (identity.methods as string[]) : [];
    let user: User | undefined;
    let project: Project | undefined;

    if (methods.includes("application_credential")) {
      const ac = identity?.application_credential as { id?: string; secret?: string } | undefined;
      const cred = ac?.id ? s().appCredentials[ac.id] : undefined;
      if (!cred || cred.secret !== ac?.secret)
        throw unauthorized("The request you have made requires authentication.");
      user = s().users[cred.userId];
      project = s().projects[cred.projectId];
    } else if (methods.includes("password")) {
      const pu = (
        identity?.password as
          { user?: { id?: string; name?: string; password?: string; domain?: unknown } } | undefined
      )?.user;
      user = pu?.id
        ? s().users[pu.id]
        : Object.values(s().users).find((u) => u.name === pu?.name && domainOk(pu?.domain));
      if (!user || user.password !== pu?.password)
        throw unauthorized("The request you have made requires authentication.");
      const sp = (auth?.scope as { project?: { id?: string; name?: string; domain?: unknown } } | undefined)
        ?.project;
      if (!sp)
        throw fault(
          "identity",
          400,
          "This emulator only issues project-scoped tokens; add auth.scope.project.",
        );
      project = sp.id
        ? s().projects[sp.id]
        : Object.values(s().projects).find((p) => p.name === sp.name && domainOk(sp.domain));
      if (!project || !user.projectIds.includes(project.id))
        throw unauthorized(`User ${user.id} has no access to project ${sp.id ?? sp.name}`);
    } else {
      throw fault(
        "identity",
        400,
        "Expecting to find identity.methods with password or application_credential.",
      );
    }
    if (!user || !project) throw unauthorized();

    const now = engine.now();
    const id = "gAAAAA" + randomBytes(96).toString("base64url");
    const token: Token = {
      userId: user.id,
      projectId: project.id,
      methods,
      issuedAt: now,
      expiresAt: now + opts.tokenTtlMs(),
    };
    // Drop expired tokens so the state does not grow without bound.
    for (const [k, t] of Object.entries(s().tokens)) if (t.expiresAt < now) delete s().tokens[k];
    s().tokens[id] = token;
    engine.markDirty();
    return {
      status: 201,
      headers: { "X-Subject-Token": id, Vary: "X-Auth-Token" },
      body: tokenBody(engine, req, token, user, project),
    };
  });

  const subject = (req: Req) => {
    const id = req.headers["x-subject-token"];
    const t = typeof id === "string" ? s().tokens[id] : undefined;
    if (!t || t.expiresAt <= engine.now())
      throw fault("identity", 404, `Could not find token: ${String(id).slice(0, 12)}…`);
    return { id: id as string, t };
  };

  router.on("GET", "/identity/v3/auth/tokens", (req) => {
    if (!req.auth) throw unauthorized();
    const { id, t } = subject(req);
    const user = s().users[t.userId]!;
    const project = s().projects[t.projectId]!;
    return {
      status: 200,
      headers: { "X-Subject-Token": id },
      body: tokenBody(engine, req, t, user, project),
    };
  });

  router.on("DELETE", "/identity/v3/auth/tokens", (req) => {
    if (!req.auth) throw unauthorized();
    const { id } = subject(req);
    delete s().tokens[id];
    engine.markDirty();
    return { status: 204 };
  });

  router.on("GET", "/identity/v3/auth/catalog", (req) => {
    if (!req.auth) throw unauthorized();
    return {
      status: 200,
      body: {
        catalog: catalog(req.baseUrl, req.auth.projectId),
        links: { self: `${req.baseUrl}/identity/v3/auth/catalog` },
      },
    };
  });

  router.on("GET", "/identity/v3/auth/projects", (req) => {
    if (!req.auth) throw unauthorized();
    const user = s().users[req.auth.userId]!;
    return {
      status: 200,
      body: {
        projects: user.projectIds.map((id) => ({
          id,
          name: s().projects[id]?.name,
          domain_id: DOMAIN_ID,
          enabled: true,
          is_domain: false,
        })),
      },
    };
  });
}
