import {
  AllocatableInput,
  CatalogInput,
  CheckAddonValuesInput,
  CheckParametersInput,
  CheckSpecInput,
  CheckTemplateInput,
  ConstraintYamlInput,
  TemplatesInput,
} from "@/server/contracts/catalog";
import { nodeAllocatable } from "@/server/services/catalog/allocatable";
import { checkAddonValues } from "@/server/services/catalog/check-addon-values";
import { checkParameters } from "@/server/services/catalog/check-parameters";
import { checkSpec } from "@/server/services/catalog/check-spec";
import { checkTemplate } from "@/server/services/catalog/check-template";
import { constraintYaml } from "@/server/services/catalog/constraint-yaml";
import { getCatalog } from "@/server/services/catalog/get";
import { listTemplates } from "@/server/services/catalog/list-templates";
import { projectProcedure, router } from "../trpc";

/** What a project can build, and the checks of YAML a user types (read-only: every member may ask). */
export const catalogRouter = router({
  get: projectProcedure("viewer")
    .input(CatalogInput)
    .query(({ ctx }) => getCatalog({ ctx: ctx.svc, project: ctx.project })),
  templates: projectProcedure("viewer")
    .input(TemplatesInput)
    .query(({ ctx, input }) => listTemplates({ ctx: ctx.svc, project: ctx.project, input })),
  allocatable: projectProcedure("viewer")
    .input(AllocatableInput)
    .query(({ ctx, input }) => nodeAllocatable({ ctx: ctx.svc, project: ctx.project, input })),
  checkAddonValues: projectProcedure("viewer")
    .input(CheckAddonValuesInput)
    .query(({ ctx, input }) => checkAddonValues({ ctx: ctx.svc, project: ctx.project, input })),
  checkParameters: projectProcedure("viewer")
    .input(CheckParametersInput)
    .query(({ ctx, input }) => checkParameters({ ctx: ctx.svc, project: ctx.project, input })),
  checkTemplate: projectProcedure("viewer")
    .input(CheckTemplateInput)
    .query(({ ctx, input }) => checkTemplate({ ctx: ctx.svc, project: ctx.project, input })),
  checkSpec: projectProcedure("viewer")
    .input(CheckSpecInput)
    .query(({ ctx, input }) => checkSpec({ ctx: ctx.svc, project: ctx.project, input })),
  constraintYaml: projectProcedure("viewer")
    .input(ConstraintYamlInput)
    .query(({ ctx, input }) => constraintYaml({ ctx: ctx.svc, project: ctx.project, input })),
});
