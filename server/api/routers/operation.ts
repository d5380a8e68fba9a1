import { ListOperationsInput } from "@/server/contracts/cluster";
import { listOperations } from "@/server/services/cluster/read";
import { projectProcedure, router } from "../trpc";

export const operationRouter = router({
  list: projectProcedure("viewer")
    .input(ListOperationsInput)
    .query(({ ctx, input }) => listOperations({ ctx: ctx.svc, project: ctx.project, input })),
});
