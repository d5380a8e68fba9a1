import { ListOperationsInput, OperationRef } from "@/server/contracts/cluster";
import { getOperation, listOperations } from "@/server/services/cluster/read";
import { projectProcedure, router } from "../trpc";

export const operationRouter = router({
  list: projectProcedure("viewer")
    .input(ListOperationsInput)
    .query(({ ctx, input }) => listOperations({ ctx: ctx.svc, project: ctx.project, input })),
  get: projectProcedure("viewer")
    .input(OperationRef)
    .query(({ ctx, input }) => getOperation({ ctx: ctx.svc, project: ctx.project, input })),
});
