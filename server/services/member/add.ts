import { and, eq } from "drizzle-orm";
import { projectInvitations, projectMembers, users } from "@/db/schema";
import type { AddMemberInput, CancelInvitationInput } from "@/server/contracts/project";
import { recordAudit } from "../audit/record";
import { keys, LIMITS, reserveAttempt } from "../auth/rate-limit";
import type { ProjectCall } from "../context";
import { ServiceError } from "../errors";
import { assertCanGrant, MAX_MEMBERS_PER_PROJECT, memberCount } from "./rules";

/**
 * Adds the account with this email, or, when there is none yet, records an
 * invitation that becomes a membership when that email signs up.
 */
export async function addMember({
  ctx,
  project,
  input,
}: ProjectCall<AddMemberInput>): Promise<{ status: "added" | "invited"; email: string }> {
  assertCanGrant(project, input.role);
  // Every try counts, whatever its outcome: the answers tell whether an email has an account.
  await reserveAttempt(
    ctx.db,
    [[keys.memberAdd(ctx.actor.userId), LIMITS.memberAdd]],
    "members added or invited",
  );
  return ctx.db.transaction(async (tx) => {
    if ((await memberCount(tx, project.id)) >= MAX_MEMBERS_PER_PROJECT) {
      throw new ServiceError(
        "LIMIT_EXCEEDED",
        `A project can have at most ${MAX_MEMBERS_PER_PROJECT} members`,
      );
    }
    const [user] = await tx.select().from(users).where(eq(users.email, input.email)).limit(1);
    if (user?.kind === "service_account") {
      const msg = "That address belongs to a service account; service accounts live in one project only";
      throw new ServiceError("VALIDATION", msg, { fieldErrors: { email: [msg] } });
    }
    if (user) {
      const inserted = await tx
        .insert(projectMembers)
        .values({ projectId: project.id, userId: user.id, role: input.role, addedBy: ctx.actor.userId })
        .onConflictDoNothing()
        .returning();
      if (inserted.length === 0) {
        throw new ServiceError("CONFLICT", `${input.email} is already a member of this project`, {
          fieldErrors: { email: [`${input.email} is already a member of this project`] },
        });
      }
      await recordAudit(tx, ctx, {
        action: "member.add",
        outcome: "success",
        projectId: project.id,
        targetType: "user",
        targetId: user.id,
        targetLabel: user.email,
        details: { role: input.role },
      });
      return { status: "added", email: user.email };
    }

    const invited = await tx
      .insert(projectInvitations)
      .values({ projectId: project.id, email: input.email, role: input.role, invitedBy: ctx.actor.userId })
      .onConflictDoNothing()
      .returning();
    if (invited.length === 0) {
      const message = `${input.email} has already been invited to this project`;
      throw new ServiceError("CONFLICT", message, { fieldErrors: { email: [message] } });
    }
    await recordAudit(tx, ctx, {
      action: "member.invite",
      outcome: "success",
      projectId: project.id,
      targetType: "invitation",
      targetId: invited[0]?.id,
      targetLabel: input.email,
      details: { role: input.role },
    });
    return { status: "invited", email: input.email };
  });
}

export async function cancelInvitation({ ctx, project, input }: ProjectCall<CancelInvitationInput>) {
  return ctx.db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(projectInvitations)
      .where(and(eq(projectInvitations.id, input.invitationId), eq(projectInvitations.projectId, project.id)))
      .returning();
    if (!removed) throw new ServiceError("NOT_FOUND", "Invitation not found");
    await recordAudit(tx, ctx, {
      action: "member.cancelInvitation",
      outcome: "success",
      projectId: project.id,
      targetType: "invitation",
      targetId: removed.id,
      targetLabel: removed.email,
    });
    return { id: removed.id };
  });
}
