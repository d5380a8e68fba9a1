import { eq } from "drizzle-orm";
import { projects } from "@/db/schema";
import { recordAudit } from "../audit/record";
import type { RenameProjectInput } from "@/server/contracts/project";
import type { ProjectCall } from "../context";

export async function renameProject({ ctx, project, input }: ProjectCall<RenameProjectInput>) {
  return ctx.db.transaction(async (tx) => {
    await tx.update(projects).set({ name: input.name }).where(eq(projects.id, project.id));
    await recordAudit(tx, ctx, {
      action: "project.rename",
      outcome: "success",
      projectId: project.id,
      targetType: "project",
      targetId: project.id,
      targetLabel: input.name,
      details: { from: project.name, to: input.name },
    });
    return { id: project.id, name: input.name };
  });
}
