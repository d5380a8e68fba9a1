import { z } from "zod";
import { line, multiline } from "./text";
import { RequestedClusterSpec } from "./cluster";
import { ConstraintSpec } from "./policies";
import { ProjectScoped } from "./project";

/**
 * Inputs of the catalog procedures: what a project can build (versions,
 * flavors, addons, policy templates) and the checks of YAML a user types
 * (run on the server, so the browser needs neither the data files nor ajv).
 */

const Yaml = multiline().max(100_000, "At most 100 KB");
/** The cluster's own ConstraintTemplates (YAML), next to the library's. */
const CustomTemplates = z.array(Yaml).max(50).default([]);

export const CatalogInput = ProjectScoped;

export const TemplatesInput = ProjectScoped.extend({ custom: CustomTemplates });

export const AllocatableInput = ProjectScoped.extend({
  flavor: line().max(100),
  diskGb: z.number().finite().min(0).max(100_000),
});

export const CheckAddonValuesInput = ProjectScoped.extend({ id: line().max(100), values: Yaml });

export const CheckParametersInput = ProjectScoped.extend({
  kind: line().max(100),
  custom: CustomTemplates,
  parameters: Yaml,
});

export const CheckTemplateInput = ProjectScoped.extend({ yaml: Yaml });

export const ConstraintYamlInput = ProjectScoped.extend({ constraint: ConstraintSpec });

export const QuotaCheckInput = ProjectScoped.extend({ spec: RequestedClusterSpec });

/** A draft spec as the wizard holds it; the check itself is ClusterSpec's. */
export const CheckSpecInput = ProjectScoped.extend({ spec: z.unknown() });

export type TemplatesInput = z.infer<typeof TemplatesInput>;
export type AllocatableInput = z.infer<typeof AllocatableInput>;
export type CheckAddonValuesInput = z.infer<typeof CheckAddonValuesInput>;
export type CheckParametersInput = z.infer<typeof CheckParametersInput>;
export type CheckTemplateInput = z.infer<typeof CheckTemplateInput>;
export type ConstraintYamlInput = z.infer<typeof ConstraintYamlInput>;
export type QuotaCheckInput = z.infer<typeof QuotaCheckInput>;
export type CheckSpecInput = z.infer<typeof CheckSpecInput>;
