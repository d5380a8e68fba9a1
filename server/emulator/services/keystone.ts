import { randomBytes } from "node:crypto";
import type { Engine } from "../engine";
import { fault, iso, type Req, type Router } from "../http";
import {
  DOMAIN_ID,
  DOMAIN_NAME,
  hashSecret,
  hexId,
  PROJECT_ROLE_IDS,
  REGION,
  ROLES,
  secretMatches,
  upgradeAppCredentials,
  type AppCredential,
  type EmuState,
  type Project,
  type Token,
  type User,
} from "../state";

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

/**
 * Names compare as Keystone's MySQL/MariaDB tables compare them (a
 * case-insensitive collation): the lab's Zed refuses "PROBE" next to
 * "probe" as a duplicate, and `?name=PROBE` lists "probe".
 */
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

const BAD_REQUEST_TAIL =
  "The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.";

const nameOk = (v: unknown): v is string =>
  typeof v === "string" && v.length >= 1 && v.length <= 255 && /\S/.test(v);

/**
 * Keystone's JSON schema for `application_credential` (Zed,
 * keystone/application_credential/schema.py), with its messages, except
 * that a value is never echoed back (Keystone's would show a wrong-typed
 * secret).
 */
function validateAppCredential(body: unknown): Record<string, unknown> {
  const raw =
    typeof body === "object" && body !== null
      ? (body as Record<string, unknown>).application_credential
      : undefined;
  const ac = raw === undefined ? {} : raw;
  if (typeof ac !== "object" || ac === null || Array.isArray(ac))
    throw fault("identity", 400, "application_credential is not of type 'object'");
  const o = ac as Record<string, unknown>;
  const bad = (field: string, why: string) =>
    fault("identity", 400, `Invalid input for field '${field}': ${why}`);
  if (!("name" in o)) throw fault("identity", 400, "'name' is a required property");
  if (!nameOk(o.name)) throw bad("name", "must be a string of 1 to 255 characters, not only spaces");
  for (const k of ["description", "secret", "expires_at"])
    if (o[k] !== undefined && o[k] !== null && typeof o[k] !== "string")
      throw bad(k, "is not of type 'string'");
  if (o.unrestricted !== undefined && typeof o.unrestricted !== "boolean")
    throw bad("unrestricted", "is not of type 'boolean'");
  if (o.roles !== undefined) {
    if (!Array.isArray(o.roles)) throw bad("roles", "is not of type 'array'");
    for (const r of o.roles as unknown[]) {
      const keys = typeof r === "object" && r !== null ? Object.keys(r) : [];
      const ref = r as { id?: unknown; name?: unknown };
      const ok =
        keys.length === 1 &&
        ((keys[0] === "id" && typeof ref.id === "string" && /^[a-zA-Z0-9-]{1,64}$/.test(ref.id)) ||
          (keys[0] === "name" && nameOk(ref.name)));
      if (!ok) throw bad("roles", 'each role is {"id": …} or {"name": …}');
    }
  }
  if (o.access_rules !== undefined) {
    if (!Array.isArray(o.access_rules)) throw bad("access_rules", "is not of type 'array'");
    if (o.access_rules.length > 0)
      throw fault(
        "identity",
        400,
        "This emulator does not enforce access rules; create the application credential without access_rules.",
      );
  }
  return o;
}

export interface KeystoneOptions {
  /** Token lifetime; tests shorten it to exercise refresh. */
  tokenTtlMs: () => number;
}

const roleRef = (id: string) => ({ id, name: ROLES.find((r) => r.id === id)?.name ?? id });

/** An application credential's role ids: the ones it was given, or all of its user's (the seeded ones). */
const credRoleIds = (cred: AppCredential) => cred.roleIds ?? [...PROJECT_ROLE_IDS];

/**
 * A token's role ids: the user's roles on the project, or for a token
 * issued for an application credential, those of its roles the user still has.
 */
function tokenRoleIds(state: EmuState, token: Token): string[] {
  const cred = token.appCredentialId ? state.appCredentials[token.appCredentialId] : undefined;
  if (token.appCredentialId && !cred) return [];
  return cred ? credRoleIds(cred).filter((id) => PROJECT_ROLE_IDS.includes(id)) : [...PROJECT_ROLE_IDS];
}

function tokenBody(engine: Engine, req: Req, token: Token, user: User, project: Project) {
  const cred = token.appCredentialId ? engine.state.appCredentials[token.appCredentialId] : undefined;
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
      roles: tokenRoleIds(engine.state, token).map(roleRef),
      ...(cred
        ? { application_credential: { id: cred.id, name: cred.name, restricted: cred.unrestricted !== true } }
        : {}),
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
  // Plain-text secrets of an older saved state become hashes before anything reads them.
  if (upgradeAppCredentials(s())) engine.markDirty();

  /**
   * The application credential an auth request names, as Keystone looks it
   * up before checking the secret: no scope may be asked for (401); by id,
   * an unknown one is a 404 (what Zed answers, also for a deleted one); by
   * name, the user's one of that name, else 401.
   */
  const appCredentialFor = (auth: { identity?: Record<string, unknown>; scope?: unknown } | undefined) => {
    if (auth?.scope !== undefined)
      throw unauthorized(
        "Error authenticating with application credential: Application credentials cannot request a scope.",
      );
    const ac = auth?.identity?.application_credential as
      { id?: unknown; name?: unknown; user?: { id?: unknown; name?: unknown; domain?: unknown } } | undefined;
    if (typeof ac?.id === "string" && ac.id) {
      const cred = s().appCredentials[ac.id];
      if (!cred) throw fault("identity", 404, `Could not find Application Credential: ${ac.id}.`);
      return cred;
    }
    if (typeof ac?.name === "string" && ac.name) {
      if (!ac.user)
        throw fault(
          "identity",
          400,
          "Expecting to find user in application credential. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.",
        );
      const u = ac.user;
      const owner =
        typeof u.id === "string"
          ? s().users[u.id]
          : Object.values(s().users).find(
              (x) => x.name === u.name && u.domain !== undefined && domainOk(u.domain),
            );
      const found = owner
        ? Object.values(s().appCredentials).filter(
            (c) => c.userId === owner.id && sameName(c.name, ac.name as string),
          )
        : [];
      if (found.length !== 1) throw unauthorized();
      return found[0]!;
    }
    throw fault(
      "identity",
      400,
      "Expecting to find id or name in application credential. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.",
    );
  };

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

    let appCredentialId: string | undefined;
    if (methods.includes("application_credential")) {
      const cred = appCredentialFor(auth);
      const secret = (identity?.application_credential as { secret?: unknown } | undefined)?.secret;
      const expired = typeof cred.expiresAt === "number" && cred.expiresAt <= engine.now();
      if (typeof secret !== "string" || !secretMatches(secret, cred.secretHash) || expired)
        throw unauthorized("The request you have made requires authentication.");
      user = s().users[cred.userId];
      project = s().projects[cred.projectId];
      if (!user || !project || !user.projectIds.includes(project.id)) throw unauthorized();
      appCredentialId = cred.id;
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
      ...(appCredentialId ? { appCredentialId } : {}),
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

  // ---- Application credentials (Keystone v3, as Zed answers them in the lab) ----

  const forbiddenAction = (action: string) =>
    fault("identity", 403, `You are not authorized to perform the requested action: ${action}.`);
  /** A token issued for an application credential manages others only if that one is unrestricted. */
  const requireUnrestricted = (t: Token) => {
    const cred = t.appCredentialId ? s().appCredentials[t.appCredentialId] : undefined;
    if (t.appCredentialId && cred?.unrestricted !== true)
      throw forbiddenAction(
        "Using method 'application_credential' is not allowed for managing additional application credentials.",
      );
  };
  const credView = (req: Req, c: AppCredential) => ({
    id: c.id,
    name: c.name,
    description: c.description ?? null,
    user_id: c.userId,
    project_id: c.projectId,
    system: null,
    expires_at: typeof c.expiresAt === "number" ? iso.keystone(c.expiresAt).replace(/Z$/, "") : null,
    unrestricted: c.unrestricted ?? null,
    roles: credRoleIds(c).map((id) => ({ ...roleRef(id), domain_id: null, description: null, options: {} })),
    links: { self: `${req.baseUrl}/identity/v3/application_credentials/${c.id}` },
  });
  /** The policy `rule:owner` of Zed: only the credential's own user (no admin in this emulator). */
  const owned = (req: Req, pathUserId: string, action: string, credId?: string) => {
    if (!req.auth) throw unauthorized();
    const cred = credId ? s().appCredentials[credId] : undefined;
    // Keystone checks the owner of the credential itself, not the user named in the path.
    if ((cred?.userId ?? pathUserId) !== req.auth.userId) throw forbiddenAction(`identity:${action}`);
    return { auth: req.auth, cred };
  };
  const APP_CREDS = "/identity/v3/users/:userId/application_credentials";

  router.on("POST", APP_CREDS, (req, { userId }) => {
    const { auth } = owned(req, userId!, "create_application_credential");
    const o = validateAppCredential(req.body);
    requireUnrestricted(auth);
    const tokenRoles = tokenRoleIds(s(), auth);
    let roleIds = tokenRoles;
    if (Array.isArray(o.roles) && o.roles.length > 0) {
      roleIds = (o.roles as Array<{ id?: string; name?: string }>).map((r) => {
        if (r.id) return r.id;
        const role = ROLES.find((x) => x.name === r.name);
        if (!role) throw fault("identity", 404, `Role ${r.name} is not defined`);
        return role.id;
      });
      if (roleIds.some((id) => !tokenRoles.includes(id)))
        throw fault(
          "identity",
          400,
          "Invalid application credential: Cannot create an application credential with unassigned role",
        );
      roleIds = [...new Set(roleIds)];
    }
    let expiresAt: number | null = null;
    if (typeof o.expires_at === "string" && o.expires_at) {
      const text = /(Z|[+-]\d\d:?\d\d)$/.test(o.expires_at) ? o.expires_at : `${o.expires_at}Z`;
      expiresAt = /^\d{4}-\d\d-\d\dT/.test(text) ? Date.parse(text) : Number.NaN;
      if (Number.isNaN(expiresAt))
        throw fault("identity", 400, `Timestamp not in expected format. ${BAD_REQUEST_TAIL}`);
      if (expiresAt <= engine.now())
        throw fault("identity", 400, `The 'expires_at' must not be before now. ${BAD_REQUEST_TAIL}`);
    }
    const name = o.name as string;
    if (Object.values(s().appCredentials).some((c) => c.userId === auth.userId && sameName(c.name, name)))
      throw fault(
        "identity",
        409,
        `Conflict occurred attempting to store application_credential - Duplicate entry found with name ${name}.`,
      );
    const secret =
      typeof o.secret === "string" && o.secret ? o.secret : randomBytes(64).toString("base64url");
    const cred: AppCredential = {
      id: hexId(),
      name,
      secretHash: hashSecret(secret),
      userId: auth.userId,
      projectId: auth.projectId,
      description: typeof o.description === "string" ? o.description : null,
      roleIds,
      unrestricted: typeof o.unrestricted === "boolean" ? o.unrestricted : null,
      expiresAt,
    };
    s().appCredentials[cred.id] = cred;
    engine.markDirty();
    // The one answer that carries the secret: only its hash is kept.
    return { status: 201, body: { application_credential: { ...credView(req, cred), secret } } };
  });

  router.on("GET", APP_CREDS, (req, { userId }) => {
    const { auth } = owned(req, userId!, "list_application_credentials");
    const name = req.query.get("name");
    const mine = Object.values(s().appCredentials).filter(
      (c) => c.userId === auth.userId && (name === null || sameName(c.name, name)),
    );
    const qs = req.query.toString();
    return {
      status: 200,
      body: {
        application_credentials: mine.map((c) => credView(req, c)),
        links: { next: null, self: `${req.baseUrl}${req.path}${qs ? `?${qs}` : ""}`, previous: null },
      },
    };
  });

  router.on("GET", `${APP_CREDS}/:id`, (req, { userId, id }) => {
    const { cred } = owned(req, userId!, "get_application_credential", id);
    if (!cred) throw fault("identity", 404, `Could not find Application Credential: ${id}.`);
    return { status: 200, body: { application_credential: credView(req, cred) } };
  });

  router.on("DELETE", `${APP_CREDS}/:id`, (req, { userId, id }) => {
    const { auth, cred } = owned(req, userId!, "delete_application_credential", id);
    requireUnrestricted(auth);
    if (!cred) throw fault("identity", 404, `Could not find Application Credential: ${id}.`);
    delete s().appCredentials[cred.id];
    // Tokens issued for it stop working at once (Keystone finds no credential behind them).
    for (const [k, t] of Object.entries(s().tokens)) if (t.appCredentialId === cred.id) delete s().tokens[k];
    engine.markDirty();
    return { status: 204 };
  });
}
