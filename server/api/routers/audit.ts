import { ListAuditInput } from "@/server/contracts/audit";
import { listAudit } from "@/server/services/audit/list";
import { projectProcedure, router } from "../trpc";

export const auditRouter = router({
  list: projectProcedure("admin")
    .input(ListAuditInput)
    .query(({ ctx, input }) => listAudit({ ctx: ctx.svc, input })),
});
