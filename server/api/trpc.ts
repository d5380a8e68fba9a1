import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ProjectScoped, type ProjectRole } from "@/server/contracts/project";
import { hostileInputIssues } from "@/server/contracts/text";
import { log } from "@/server/log";
import { failureAuditEntry } from "@/server/services/audit/failure";
import { recordAudit } from "@/server/services/audit/record";
import { sessionUser } from "@/server/services/auth/session-user";
import type { ServiceContext } from "@/server/services/context";
import { ServiceError } from "@/server/services/errors";
import { requireProjectRole } from "@/server/services/project/access";
import { liveSseOptions } from "@/server/services/live/stream";
import type { TokenAuth, TokenPrincipal } from "@/server/services/tokens/authenticate";
import { roleAtLeast, ROLE_LABELS } from "@/server/contracts/roles";
import { errorCodeOf, publicError, toTRPCError } from "./errors";

export interface Context {
  db: ServiceContext["db"];
  /** From the verified session cookie; re-checked against the database by protectedProcedure. */
  session: { userId: string } | null;
  /**
   * From an `Authorization: Bearer` API token (the REST API, server/rest), already
   * authenticated: who it acts as, or why it was refused. Null without a token.
   */
  token?: TokenAuth | null;
  requestId: string;
  clientIp: string | null;
  encryptionKey: string;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // Subscriptions (live.project) are server-sent events.
  sse: liveSseOptions(),
  errorFormatter({ shape, error, ctx }) {
    const pub = publicError(error, ctx?.requestId ?? null);
    return {
      ...shape,
      message: pub.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        requestId: ctx?.requestId ?? null,
        fieldErrors: pub.fieldErrors,
        retryAfterSeconds: pub.retryAfterSeconds,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Service errors become tRPC errors; unknown errors are logged with the request id and hidden. */
const mapErrors = t.middleware(async ({ next, path, ctx }) => {
  const result = await next();
  if (!result.ok) {
    const mapped = toTRPCError(result.error);
    if (mapped.code === "INTERNAL_SERVER_ERROR") {
      const cause = result.error.cause ?? result.error;
      log.error("procedure failed", {
        path,
        requestId: ctx.requestId,
        error: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause),
        stack: cause instanceof Error ? cause.stack : undefined,
      });
    }
    if (mapped !== result.error) return { ...result, error: mapped };
  }
  return result;
});

/**
 * NUL and other control characters anywhere in the input (free-form fields
 * included), and inputs nested deeper than any form sends, are refused before
 * the procedure's own schema runs: a field error, never a database error.
 */
const refuseHostileInput = t.middleware(async ({ next, getRawInput }) => {
  const issues = hostileInputIssues(await getRawInput());
  if (issues.length > 0) {
    const fieldErrors: Record<string, string[]> = {};
    for (const i of issues) (fieldErrors[i.path || "_form"] ??= []).push(i.message);
    throw new ServiceError("VALIDATION", "Some fields need attention", { fieldErrors });
  }
  return next();
});

export const publicProcedure = t.procedure.use(mapErrors).use(refuseHostileInput);

function serviceContext(ctx: Context, actor: ServiceContext["actor"]): ServiceContext {
  return {
    db: ctx.db,
    actor,
    requestId: ctx.requestId,
    clientIp: ctx.clientIp,
    encryptionKey: ctx.encryptionKey,
  };
}

/** A token that failed authentication: 401, or 429 with the seconds to wait. */
function refuseToken(auth: Extract<TokenAuth, { ok: false }>): never {
  if (auth.status === 429)
    throw new ServiceError("RATE_LIMITED", auth.message, { retryAfterSeconds: auth.retryAfterSeconds });
  throw new TRPCError({ code: "UNAUTHORIZED", message: auth.message });
}

/** The signed-in person behind the session cookie, re-checked against the database. */
async function sessionPrincipal(ctx: Context) {
  if (!ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  const user = await sessionUser(ctx.db, ctx.session.userId);
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Your session has ended; sign in again" });
  const svc = serviceContext(ctx, { userId: user.id, email: user.email });
  return { user, svc, principal: null as TokenPrincipal | null };
}

/** Who an API token acts as, as audit rows record it. */
const tokenActor = (p: TokenPrincipal): ServiceContext["actor"] => ({
  userId: p.userId,
  email: p.email,
  token: { id: p.tokenId, prefix: p.prefix },
});

/**
 * Signed in, and the account still exists. `ctx.actor` is non-null from here on.
 * API tokens are refused here: account-level procedures (the caller's own
 * projects, tokens, profile) need a signed-in person.
 */
const authed = t.middleware(async ({ ctx, next }) => {
  if (ctx.token) {
    if (!ctx.token.ok) refuseToken(ctx.token);
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "API tokens cannot do this; sign in to the console to manage accounts, projects and tokens",
    });
  }
  return next({ ctx: { ...ctx, ...(await sessionPrincipal(ctx)) } });
});

/** A signed-in person, or an API token (authenticated when the context was made). */
const authedOrToken = t.middleware(async ({ ctx, next }) => {
  if (!ctx.token) return next({ ctx: { ...ctx, ...(await sessionPrincipal(ctx)) } });
  if (!ctx.token.ok) refuseToken(ctx.token);
  const p = ctx.token.principal;
  // A token has no name of its own person to show: the principal's address stands for it.
  const user = { id: p.userId, email: p.email, name: p.email };
  return next({
    ctx: { ...ctx, user, svc: serviceContext(ctx, tokenActor(p)), principal: p as TokenPrincipal | null },
  });
});

/**
 * Every mutation that fails (bad input, refused, conflict, crash) still
 * leaves one audit row; successful ones write theirs in their own
 * transaction.
 */
const auditFailures = t.middleware(async ({ ctx, next, type, path, getRawInput }) => {
  const result = await next();
  const tokenPrincipal = ctx.token?.ok ? ctx.token.principal : null;
  const session = ctx.session;
  if (type !== "mutation" || result.ok || (!tokenPrincipal && !session)) return result;
  try {
    const mapped = toTRPCError(result.error);
    const code = errorCodeOf(mapped);
    // What the caller was told, so the audit log says why it failed, not only a code.
    const shown = publicError(mapped, ctx.requestId);
    const entry = failureAuditEntry({
      path,
      code,
      denied: code === "FORBIDDEN" || code === "NOT_FOUND" || code === "UNAUTHORIZED",
      message: shown.message,
      fieldErrors: shown.fieldErrors,
      rawInput: await getRawInput().catch(() => undefined),
    });
    let actor: ServiceContext["actor"] | null = null;
    if (tokenPrincipal) actor = tokenActor(tokenPrincipal);
    else if (session) {
      const user = await sessionUser(ctx.db, session.userId);
      actor = user ? { userId: session.userId, email: user.email } : null;
    }
    await recordAudit(ctx.db, { ...ctx, actor }, entry);
  } catch (err) {
    log.error("could not write failure audit row", { path, requestId: ctx.requestId, error: String(err) });
  }
  return result;
});

export const protectedProcedure = t.procedure
  .use(mapErrors)
  .use(auditFailures)
  .use(refuseHostileInput)
  .use(authed);

/**
 * Signed in or an API token. Only project procedures (below) and the project
 * list (which narrows itself to `ctx.principal`'s scope) build on it.
 */
export const principalProcedure = t.procedure
  .use(mapErrors)
  .use(auditFailures)
  .use(refuseHostileInput)
  .use(authedOrToken);

/**
 * Project-scoped procedures: input carries `projectId`; the caller must be a
 * member with at least `minRole`. Non-members get NOT_FOUND, exactly as for a
 * project that does not exist. `ctx.project` carries the membership.
 */
export function projectProcedure(minRole: ProjectRole, opts: { apiTokens?: boolean } = {}) {
  // Procedures that hand out credentials (service accounts, their tokens) take a signed-in person only.
  const base = opts.apiTokens === false ? protectedProcedure : principalProcedure;
  return base.input(ProjectScoped).use(async ({ ctx, input, next }) => {
    const p = ctx.principal;
    // A personal token reaches only the projects it was made for: others look absent, as for non-members.
    if (p?.projectIds && !p.projectIds.includes(input.projectId))
      throw new ServiceError("NOT_FOUND", "Project not found");
    const membership = await requireProjectRole(ctx.db, input.projectId, ctx.user.id, minRole);
    // ...and never with more than the role it was given (the owner's role may also have dropped since).
    if (p?.maxRole && !roleAtLeast(p.maxRole, minRole))
      throw new ServiceError(
        "FORBIDDEN",
        `This needs the ${minRole} role or higher; this API token is limited to ${ROLE_LABELS[p.maxRole].toLowerCase()}`,
      );
    const role = p?.maxRole && !roleAtLeast(p.maxRole, membership.role) ? p.maxRole : membership.role;
    return next({ ctx: { ...ctx, project: { ...membership, role } } });
  });
}
