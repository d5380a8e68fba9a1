import { and, asc, eq } from "drizzle-orm";
import { projectInvitations, projectMembers, users } from "@/db/schema";
import type { InvitationView, MemberView } from "@/server/contracts/project";
import type { ServiceContext } from "../context";
import type { ProjectAccess } from "../project/access";

export async function listMembers({
  ctx,
  project,
}: {
  ctx: ServiceContext;
  project: ProjectAccess;
}): Promise<{
  members: MemberView[];
  invitations: InvitationView[];
}> {
  const members = await ctx.db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      role: projectMembers.role,
      addedAt: projectMembers.createdAt,
    })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    // Service accounts have their own page (and API tokens); members are people.
    .where(and(eq(projectMembers.projectId, project.id), eq(users.kind, "person")))
    .orderBy(asc(users.email));
  const invitations = await ctx.db
    .select({
      id: projectInvitations.id,
      email: projectInvitations.email,
      role: projectInvitations.role,
      invitedAt: projectInvitations.createdAt,
    })
    .from(projectInvitations)
    .where(eq(projectInvitations.projectId, project.id))
    .orderBy(asc(projectInvitations.email));
  return { members, invitations };
}
