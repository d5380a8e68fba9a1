import { and, eq } from "drizzle-orm";
import { projectMembers, users } from "@/db/schema";
import type { RemoveMemberInput, UpdateMemberRoleInput } from "@/server/contracts/project";
import { recordAudit } from "../audit/record";
import type { ServiceContext, ProjectCall } from "../context";
import { ServiceError } from "../errors";
import { assertCanGrant, assertNotLastOwner } from "./rules";

async function loadMember(ctx: ServiceContext, projectId: string, userId: string) {
  const [row] = await ctx.db
    .select({ role: projectMembers.role, email: users.email })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(
      and(
        eq(projectMembers.projectId, projectId),
        eq(projectMembers.userId, userId),
        eq(users.kind, "person"),
      ),
    )
    .limit(1);
  if (!row) throw new ServiceError("NOT_FOUND", "Member not found");
  return row;
}

/** Owners change roles; the last owner cannot be demoted. */
export async function updateMemberRole({ ctx, project, input }: ProjectCall<UpdateMemberRoleInput>) {
  assertCanGrant(project, input.role);
  const target = await loadMember(ctx, project.id, input.userId);
  if (target.role === input.role) return { userId: input.userId, role: input.role };
  return ctx.db.transaction(async (tx) => {
    if (target.role === "owner")
      await assertNotLastOwner(tx, project.id, input.userId, "change the last owner's role");
    await tx
      .update(projectMembers)
      .set({ role: input.role })
      .where(and(eq(projectMembers.projectId, project.id), eq(projectMembers.userId, input.userId)));
    await recordAudit(tx, ctx, {
      action: "member.updateRole",
      outcome: "success",
      projectId: project.id,
      targetType: "user",
      targetId: input.userId,
      targetLabel: target.email,
      details: { from: target.role, to: input.role },
    });
    return { userId: input.userId, role: input.role };
  });
}

/**
 * Owners remove anyone; every member may leave (remove themselves). Never
 * the last owner.
 */
export async function removeMember({ ctx, project, input }: ProjectCall<RemoveMemberInput>) {
  const leaving = input.userId === ctx.actor.userId;
  if (!leaving && project.role !== "owner") {
    throw new ServiceError("FORBIDDEN", "Only an owner can remove other members");
  }
  const target = await loadMember(ctx, project.id, input.userId);
  return ctx.db.transaction(async (tx) => {
    await assertNotLastOwner(
      tx,
      project.id,
      input.userId,
      leaving ? "leave the project" : "remove the last owner",
    );
    await tx
      .delete(projectMembers)
      .where(and(eq(projectMembers.projectId, project.id), eq(projectMembers.userId, input.userId)));
    await recordAudit(tx, ctx, {
      action: leaving ? "member.leave" : "member.remove",
      outcome: "success",
      projectId: project.id,
      targetType: "user",
      targetId: input.userId,
      targetLabel: target.email,
      details: { role: target.role },
    });
    return { userId: input.userId };
  });
}
