import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { projectMembers, projects } from "@/db/schema";
import { roleAtLeast, type ProjectRole, type ProjectView } from "@/server/contracts/project";
import type { ServiceContext } from "../context";

/**
 * The caller's projects: the personal one first, then by name. `scope` is a
 * personal API token's reach: only its projects, each with at most its role.
 */
export async function listProjects({
  ctx,
  scope = null,
}: {
  ctx: ServiceContext;
  scope?: { projectIds: string[] | null; maxRole: ProjectRole | null } | null;
}): Promise<ProjectView[]> {
  const rows = await ctx.db
    .select({
      id: projects.id,
      name: projects.name,
      personal: projects.personal,
      role: projectMembers.role,
      createdAt: projects.createdAt,
    })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(
      and(
        eq(projectMembers.userId, ctx.actor.userId),
        scope?.projectIds ? inArray(projectMembers.projectId, scope.projectIds) : undefined,
      ),
    )
    .orderBy(desc(projects.personal), asc(projects.name), asc(projects.createdAt));
  const cap = scope?.maxRole;
  return cap ? rows.map((r) => (roleAtLeast(cap, r.role) ? r : { ...r, role: cap })) : rows;
}
