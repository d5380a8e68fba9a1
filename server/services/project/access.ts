import { and, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { projectMembers, projects } from "@/db/schema";
import { roleAtLeast, type ProjectRole, ROLE_DESCRIPTIONS } from "@/server/contracts/project";
import { ServiceError } from "../errors";

export interface ProjectAccess {
  id: string;
  name: string;
  personal: boolean;
  role: ProjectRole;
}

/**
 * The caller's membership of a project, or NOT_FOUND when there is none or
 * the project does not exist (the two are indistinguishable on purpose), or
 * FORBIDDEN when the role is below `minRole`. The only authorization check
 * for project data; tRPC's `projectProcedure` calls it.
 */
export async function requireProjectRole(
  db: Executor,
  projectId: string,
  userId: string,
  minRole: ProjectRole,
): Promise<ProjectAccess> {
  const [row] = await db
    .select({ id: projects.id, name: projects.name, personal: projects.personal, role: projectMembers.role })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)))
    .limit(1);
  if (!row) throw new ServiceError("NOT_FOUND", "Project not found");
  if (!roleAtLeast(row.role, minRole)) {
    throw new ServiceError(
      "FORBIDDEN",
      `This needs the ${minRole} role or higher in this project; you are a ${row.role} (${ROLE_DESCRIPTIONS[row.role]})`,
    );
  }
  return row;
}
