import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { apiTokens, projectMembers, projects, serviceAccounts, users } from "@/db/schema";
import { roleAtLeast, ROLE_LABELS, type ProjectRole } from "@/server/contracts/project";
import type {
  CreatedToken,
  CreatePersonalTokenInput,
  CreateServiceAccountInput,
  CreateServiceAccountTokenInput,
  RevokeServiceAccountTokenInput,
  ServiceAccountRef,
  ServiceAccountView,
  TokenView,
  UpdateServiceAccountRoleInput,
} from "@/server/contracts/tokens";
import { generateToken } from "@/server/domain/api-token";
import { recordAudit } from "../audit/record";
import type { ProjectCall, ServiceContext } from "../context";
import { ServiceError } from "../errors";
import { assertCanGrant } from "../member/rules";

/** Tokens per person and per service account: enough for every pipeline, few enough to review. */
export const MAX_TOKENS = 50;
export const MAX_SERVICE_ACCOUNTS_PER_PROJECT = 50;

type TokenRow = typeof apiTokens.$inferSelect;

function toView(r: TokenRow): TokenView {
  const state = r.revokedAt ? "revoked" : r.expiresAt.getTime() <= Date.now() ? "expired" : "active";
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    prefix: r.prefix,
    projectIds: r.projectIds,
    maxRole: r.maxRole,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    lastUsedAt: r.lastUsedAt,
    lastUsedIp: r.lastUsedIp,
    revokedAt: r.revokedAt,
    state,
  };
}

const expiry = (days: number) => new Date(Date.now() + days * 86_400_000);

async function assertTokenRoom(tx: Executor, userId: string): Promise<void> {
  const live = await tx
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)));
  if (live.length >= MAX_TOKENS)
    throw new ServiceError("LIMIT_EXCEEDED", `At most ${MAX_TOKENS} tokens; revoke the ones no longer used`);
}

// ── Personal access tokens ────────────────────────────────────────────────────

/**
 * A token that acts as the caller in the chosen projects, with at most
 * `maxRole` — never more than the caller has in each of them.
 */
export async function createPersonalToken(
  ctx: ServiceContext,
  input: CreatePersonalTokenInput,
): Promise<CreatedToken> {
  const memberships = await ctx.db
    .select({ projectId: projectMembers.projectId, role: projectMembers.role, name: projects.name })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(
      and(eq(projectMembers.userId, ctx.actor.userId), inArray(projectMembers.projectId, input.projectIds)),
    );
  const byId = new Map(memberships.map((m) => [m.projectId, m]));
  const errors: string[] = [];
  for (const id of input.projectIds) {
    const m = byId.get(id);
    if (!m) errors.push("You are not a member of one of the chosen projects (or it no longer exists)");
    else if (!roleAtLeast(m.role, input.maxRole))
      errors.push(
        `You are a ${ROLE_LABELS[m.role].toLowerCase()} in ${m.name}: a token cannot have the ${ROLE_LABELS[input.maxRole].toLowerCase()} role there`,
      );
  }
  if (errors.length > 0) {
    throw new ServiceError("VALIDATION", errors[0]!, {
      fieldErrors: { [byId.size < input.projectIds.length ? "projectIds" : "maxRole"]: errors },
    });
  }
  const t = generateToken("personal");
  return ctx.db.transaction(async (tx) => {
    await assertTokenRoom(tx, ctx.actor.userId);
    const [row] = await tx
      .insert(apiTokens)
      .values({
        kind: "personal",
        userId: ctx.actor.userId,
        name: input.name,
        prefix: t.prefix,
        secretHash: t.hash,
        projectIds: input.projectIds,
        maxRole: input.maxRole,
        expiresAt: expiry(input.expiresInDays),
        createdBy: ctx.actor.userId,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "token.create",
      outcome: "success",
      targetType: "api_token",
      targetId: row!.id,
      targetLabel: input.name,
      details: {
        prefix: t.prefix,
        maxRole: input.maxRole,
        projects: input.projectIds.join(","),
        expiresAt: row!.expiresAt.toISOString(),
      },
    });
    return { token: toView(row!), secret: t.secret };
  });
}

export async function listPersonalTokens(ctx: ServiceContext): Promise<TokenView[]> {
  const rows = await ctx.db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, ctx.actor.userId), eq(apiTokens.kind, "personal")))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map(toView);
}

async function revoke(
  tx: Executor,
  ctx: ServiceContext,
  row: TokenRow,
  projectId: string | null,
): Promise<TokenView> {
  if (row.revokedAt) return toView(row);
  const [updated] = await tx
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(eq(apiTokens.id, row.id))
    .returning();
  await recordAudit(tx, ctx, {
    action: "token.revoke",
    outcome: "success",
    projectId,
    targetType: "api_token",
    targetId: row.id,
    targetLabel: row.name,
    details: { prefix: row.prefix },
  });
  return toView(updated!);
}

/** Immediate: the next request with it gets 401. Revoking a revoked token changes nothing. */
export async function revokePersonalToken(ctx: ServiceContext, tokenId: string): Promise<TokenView> {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(apiTokens)
      .where(
        and(
          eq(apiTokens.id, tokenId),
          eq(apiTokens.userId, ctx.actor.userId),
          eq(apiTokens.kind, "personal"),
        ),
      )
      .for("update");
    if (!row) throw new ServiceError("NOT_FOUND", "Token not found");
    return revoke(tx, ctx, row, null);
  });
}

// ── Service accounts ──────────────────────────────────────────────────────────

/** Service accounts with their role (the membership that is their authorization). */
function accounts(exec: Executor) {
  return exec
    .select({
      id: serviceAccounts.id,
      userId: serviceAccounts.userId,
      name: serviceAccounts.name,
      description: serviceAccounts.description,
      createdAt: serviceAccounts.createdAt,
      role: projectMembers.role,
    })
    .from(serviceAccounts)
    .innerJoin(
      projectMembers,
      and(
        eq(projectMembers.userId, serviceAccounts.userId),
        eq(projectMembers.projectId, serviceAccounts.projectId),
      ),
    );
}

async function loadAccount(tx: Executor, projectId: string, id: string) {
  const [row] = await accounts(tx)
    .where(and(eq(serviceAccounts.id, id), eq(serviceAccounts.projectId, projectId)))
    .limit(1);
  if (!row) throw new ServiceError("NOT_FOUND", "Service account not found");
  return row;
}

export async function listServiceAccounts({
  ctx,
  project,
}: ProjectCall<unknown>): Promise<ServiceAccountView[]> {
  const rows = await accounts(ctx.db)
    .where(eq(serviceAccounts.projectId, project.id))
    .orderBy(asc(serviceAccounts.name));
  const tokens =
    rows.length === 0
      ? []
      : await ctx.db
          .select()
          .from(apiTokens)
          .where(
            inArray(
              apiTokens.serviceAccountId,
              rows.map((a) => a.id),
            ),
          )
          .orderBy(desc(apiTokens.createdAt));
  return rows.map((a) => ({
    id: a.id,
    name: a.name,
    description: a.description,
    role: a.role,
    createdAt: a.createdAt,
    tokens: tokens.filter((t) => t.serviceAccountId === a.id).map(toView),
  }));
}

/**
 * A service account: a principal of its own (a `users` row that cannot sign
 * in) with one membership in this project. Admins create them, owners only
 * may give the owner role.
 */
export async function createServiceAccount({
  ctx,
  project,
  input,
}: ProjectCall<CreateServiceAccountInput>): Promise<ServiceAccountView> {
  assertCanGrant(project, input.role);
  return ctx.db.transaction(async (tx) => {
    const existing = await tx
      .select({ id: serviceAccounts.id, name: serviceAccounts.name })
      .from(serviceAccounts)
      .where(eq(serviceAccounts.projectId, project.id));
    if (existing.some((a) => a.name === input.name)) {
      const msg = `A service account named ${input.name} already exists in this project`;
      throw new ServiceError("CONFLICT", msg, { fieldErrors: { name: [msg] } });
    }
    if (existing.length >= MAX_SERVICE_ACCOUNTS_PER_PROJECT)
      throw new ServiceError(
        "LIMIT_EXCEEDED",
        `A project can have at most ${MAX_SERVICE_ACCOUNTS_PER_PROJECT} service accounts`,
      );
    const id = randomUUID();
    const [user] = await tx
      .insert(users)
      .values({
        // Unroutable by design (RFC 2606 .invalid): nobody can receive mail there or sign up with it.
        email: `sa-${id}@service-accounts.invalid`,
        name: input.name,
        passwordHash: null,
        kind: "service_account",
      })
      .returning({ id: users.id });
    const [sa] = await tx
      .insert(serviceAccounts)
      .values({
        id,
        projectId: project.id,
        userId: user!.id,
        name: input.name,
        description: input.description,
        createdBy: ctx.actor.userId,
      })
      .returning();
    await tx
      .insert(projectMembers)
      .values({ projectId: project.id, userId: user!.id, role: input.role, addedBy: ctx.actor.userId });
    await recordAudit(tx, ctx, {
      action: "serviceAccount.create",
      outcome: "success",
      projectId: project.id,
      targetType: "service_account",
      targetId: id,
      targetLabel: input.name,
      details: { role: input.role },
    });
    return {
      id,
      name: sa!.name,
      description: sa!.description,
      role: input.role,
      createdAt: sa!.createdAt,
      tokens: [],
    };
  });
}

export async function updateServiceAccountRole({
  ctx,
  project,
  input,
}: ProjectCall<UpdateServiceAccountRoleInput>): Promise<{ role: ProjectRole }> {
  assertCanGrant(project, input.role);
  return ctx.db.transaction(async (tx) => {
    const sa = await loadAccount(tx, project.id, input.serviceAccountId);
    if (sa.role === "owner" && project.role !== "owner")
      throw new ServiceError("FORBIDDEN", "Only an owner can change an owner service account");
    if (sa.role === input.role) return { role: sa.role };
    await tx
      .update(projectMembers)
      .set({ role: input.role })
      .where(and(eq(projectMembers.projectId, project.id), eq(projectMembers.userId, sa.userId)));
    await recordAudit(tx, ctx, {
      action: "serviceAccount.updateRole",
      outcome: "success",
      projectId: project.id,
      targetType: "service_account",
      targetId: sa.id,
      targetLabel: sa.name,
      details: { from: sa.role, to: input.role },
    });
    return { role: input.role };
  });
}

/** Deletes the account, its membership and every token (they stop working at once). */
export async function deleteServiceAccount({
  ctx,
  project,
  input,
}: ProjectCall<ServiceAccountRef>): Promise<{ deleted: true }> {
  return ctx.db.transaction(async (tx) => {
    const sa = await loadAccount(tx, project.id, input.serviceAccountId);
    if (sa.role === "owner" && project.role !== "owner")
      throw new ServiceError("FORBIDDEN", "Only an owner can delete an owner service account");
    // Cascades: service_accounts, project_members, api_tokens (and their addresses and rate windows).
    await tx.delete(users).where(and(eq(users.id, sa.userId), eq(users.kind, "service_account")));
    await recordAudit(tx, ctx, {
      action: "serviceAccount.delete",
      outcome: "success",
      projectId: project.id,
      targetType: "service_account",
      targetId: sa.id,
      targetLabel: sa.name,
    });
    return { deleted: true as const };
  });
}

export async function createServiceAccountToken({
  ctx,
  project,
  input,
}: ProjectCall<CreateServiceAccountTokenInput>): Promise<CreatedToken> {
  const t = generateToken("service_account");
  return ctx.db.transaction(async (tx) => {
    const sa = await loadAccount(tx, project.id, input.serviceAccountId);
    if (sa.role === "owner" && project.role !== "owner")
      throw new ServiceError("FORBIDDEN", "Only an owner can make tokens for an owner service account");
    await assertTokenRoom(tx, sa.userId);
    const [row] = await tx
      .insert(apiTokens)
      .values({
        kind: "service_account",
        userId: sa.userId,
        serviceAccountId: sa.id,
        name: input.name,
        prefix: t.prefix,
        secretHash: t.hash,
        expiresAt: expiry(input.expiresInDays),
        createdBy: ctx.actor.userId,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "token.create",
      outcome: "success",
      projectId: project.id,
      targetType: "api_token",
      targetId: row!.id,
      targetLabel: `${sa.name}/${input.name}`,
      details: { prefix: t.prefix, serviceAccount: sa.name, expiresAt: row!.expiresAt.toISOString() },
    });
    return { token: toView(row!), secret: t.secret };
  });
}

export async function revokeServiceAccountToken({
  ctx,
  project,
  input,
}: ProjectCall<RevokeServiceAccountTokenInput>): Promise<TokenView> {
  return ctx.db.transaction(async (tx) => {
    const sa = await loadAccount(tx, project.id, input.serviceAccountId);
    const [row] = await tx
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.id, input.tokenId), eq(apiTokens.serviceAccountId, sa.id)))
      .for("update");
    if (!row) throw new ServiceError("NOT_FOUND", "Token not found");
    return revoke(tx, ctx, row, project.id);
  });
}
