import { z } from "zod";
import {
  AddTemplateInput,
  ConstraintRefInput,
  DeleteTemplateInput,
  SaveConstraintInput,
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

const ref = (input: { clusterId: string; generation: number }) => ({
  clusterId: input.clusterId,
  generation: input.generation,
});

export const policyRouter = router({
  setGatekeeper: projectProcedure("member")
    .input(SetGatekeeperInput)
    .mutation(({ ctx, input }) =>
      setGatekeeper({ ctx: ctx.svc, project: ctx.project, ...ref(input), enabled: input.enabled }),
    ),
  saveConstraint: projectProcedure("member")
    .input(SaveConstraintInput)
    .mutation(({ ctx, input }) =>
      saveConstraint({
        ctx: ctx.svc,
        project: ctx.project,
        ...ref(input),
        constraint: input.constraint,
        originalName: input.originalName,
      }),
    ),
  setEnforcement: projectProcedure("member")
    .input(SetEnforcementInput)
    .mutation(({ ctx, input }) =>
      setEnforcement({
        ctx: ctx.svc,
        project: ctx.project,
        ...ref(input),
        name: input.name,
        enforcementAction: input.enforcementAction,
      }),
    ),
  setEnabled: projectProcedure("member")
    .input(ConstraintRefInput.extend({ enabled: z.boolean() }))
    .mutation(({ ctx, input }) =>
      setConstraintEnabled({
        ctx: ctx.svc,
        project: ctx.project,
        ...ref(input),
        name: input.name,
        enabled: input.enabled,
      }),
    ),
  deleteConstraint: projectProcedure("member")
    .input(ConstraintRefInput)
    .mutation(({ ctx, input }) =>
      deleteConstraint({ ctx: ctx.svc, project: ctx.project, ...ref(input), name: input.name }),
    ),
  addTemplate: projectProcedure("member")
    .input(AddTemplateInput)
    .mutation(({ ctx, input }) =>
      addTemplate({ ctx: ctx.svc, project: ctx.project, ...ref(input), yaml: input.yaml }),
    ),
  deleteTemplate: projectProcedure("member")
    .input(DeleteTemplateInput)
    .mutation(({ ctx, input }) =>
      deleteTemplate({ ctx: ctx.svc, project: ctx.project, ...ref(input), kind: input.kind }),
    ),
});
