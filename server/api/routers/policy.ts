import {
  AddTemplateInput,
  ConstraintRefInput,
  DeleteTemplateInput,
  SaveConstraintInput,
  SetConstraintEnabledInput,
  SetEnforcementInput,
  SetGatekeeperInput,
} from "@/server/contracts/policy";
import {
  addTemplate,
  deleteConstraint,
  deleteTemplate,
  saveConstraint,
  setConstraintEnabled,
  setEnforcement,
  setGatekeeper,
} from "@/server/services/cluster/policies";
import { projectProcedure, router } from "../trpc";

export const policyRouter = router({
  setGatekeeper: projectProcedure("member")
    .input(SetGatekeeperInput)
    .mutation(({ ctx, input }) => setGatekeeper({ ctx: ctx.svc, project: ctx.project, input })),
  saveConstraint: projectProcedure("member")
    .input(SaveConstraintInput)
    .mutation(({ ctx, input }) => saveConstraint({ ctx: ctx.svc, project: ctx.project, input })),
  setEnforcement: projectProcedure("member")
    .input(SetEnforcementInput)
    .mutation(({ ctx, input }) => setEnforcement({ ctx: ctx.svc, project: ctx.project, input })),
  setEnabled: projectProcedure("member")
    .input(SetConstraintEnabledInput)
    .mutation(({ ctx, input }) => setConstraintEnabled({ ctx: ctx.svc, project: ctx.project, input })),
  deleteConstraint: projectProcedure("member")
    .input(ConstraintRefInput)
    .mutation(({ ctx, input }) => deleteConstraint({ ctx: ctx.svc, project: ctx.project, input })),
  addTemplate: projectProcedure("member")
    .input(AddTemplateInput)
    .mutation(({ ctx, input }) => addTemplate({ ctx: ctx.svc, project: ctx.project, input })),
  deleteTemplate: projectProcedure("member")
    .input(DeleteTemplateInput)
    .mutation(({ ctx, input }) => deleteTemplate({ ctx: ctx.svc, project: ctx.project, input })),
});
