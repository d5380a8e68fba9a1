import { asc, desc, eq } from "drizzle-orm";
import { projectMembers, projects } from "@/db/schema";
import type { ProjectView } from "@/server/contracts/project";
import type { ServiceContext } from "../context";

/** The caller's projects: the personal one first, then by name. */
export async function listProjects({ ctx }: { ctx: ServiceContext }): Promise<ProjectView[]> {
  return ctx.db
    .select({
      id: projects.id,
      name: projects.name,
      personal: projects.personal,
      role: projectMembers.role,
      createdAt: projects.createdAt,
    })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(eq(projectMembers.userId, ctx.actor.userId))
    .orderBy(desc(projects.personal), asc(projects.name), asc(projects.createdAt));
}
