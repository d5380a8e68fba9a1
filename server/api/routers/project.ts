import { CreateProjectInput, RenameProjectInput } from "@/server/contracts/project";
import { createProject } from "@/server/services/project/create";
import { listProjects } from "@/server/services/project/list";
import { renameProject } from "@/server/services/project/rename";
import { principalProcedure, projectProcedure, protectedProcedure, router } from "../trpc";

export const projectRouter = router({
  /** With an API token: the projects it reaches, with the role it may use there. */
  list: principalProcedure.query(({ ctx }) => listProjects({ ctx: ctx.svc, scope: ctx.principal })),
  get: projectProcedure("viewer").query(({ ctx }) => ctx.project),
  create: protectedProcedure
    .input(CreateProjectInput)
    .mutation(({ ctx, input }) => createProject({ ctx: ctx.svc, input })),
  rename: projectProcedure("admin")
    .input(RenameProjectInput)
    .mutation(({ ctx, input }) => renameProject({ ctx: ctx.svc, project: ctx.project, input })),
});
