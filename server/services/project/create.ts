import { enqueueQuotaRefresh } from "@/db/jobs";
import { count, eq } from "drizzle-orm";
import { projectMembers, projects } from "@/db/schema";
import type { CreateProjectInput, ProjectView } from "@/server/contracts/project";
import { recordAudit } from "../audit/record";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";

/** How many projects one user may own, like a provider's account limit. */
export const MAX_OWNED_PROJECTS = 20;

export async function createProject({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: CreateProjectInput;
}): Promise<ProjectView> {
  return ctx.db.transaction(async (tx) => {
    const [owned] = await tx
      .select({ n: count() })
      .from(projectMembers)
      .where(eq(projectMembers.userId, ctx.actor.userId));
    if ((owned?.n ?? 0) >= MAX_OWNED_PROJECTS) {
      throw new ServiceError(
        "LIMIT_EXCEEDED",
        `You are a member of ${MAX_OWNED_PROJECTS} projects, the most allowed. Leave or delete one first.`,
      );
    }
    const [project] = await tx
      .insert(projects)
      .values({ name: input.name, createdBy: ctx.actor.userId })
      .returning();
    if (!project) throw new Error("project insert returned no row");
    await tx.insert(projectMembers).values({
      projectId: project.id,
      userId: ctx.actor.userId,
      role: "owner",
      addedBy: ctx.actor.userId,
    });
    await enqueueQuotaRefresh(tx, project.id);
    await recordAudit(tx, ctx, {
      action: "project.create",
      outcome: "success",
      projectId: project.id,
      targetType: "project",
      targetId: project.id,
      targetLabel: project.name,
    });
    return {
      id: project.id,
      name: project.name,
      personal: false,
      role: "owner",
      createdAt: project.createdAt,
    };
  });
}
