import { z } from "zod";
import { line, multiline } from "./text";
import { ClusterRef } from "./cluster";
import { ConstraintSpec, EnforcementAction } from "./policies";

/** The policy verbs' inputs (the spec's shapes are in ./policies). */
const Generation = { generation: z.number().int().positive() };
export const SetGatekeeperInput = ClusterRef.extend({ ...Generation, enabled: z.boolean() });
export const SaveConstraintInput = ClusterRef.extend({
  ...Generation,
  /** The name it had, when editing (a rename replaces it). */
  originalName: line().max(253).optional(),
  constraint: ConstraintSpec,
});
export const ConstraintRefInput = ClusterRef.extend({ ...Generation, name: line().min(1).max(253) });
export const SetEnforcementInput = ConstraintRefInput.extend({ enforcementAction: EnforcementAction });
export const SetConstraintEnabledInput = ConstraintRefInput.extend({ enabled: z.boolean() });
export const AddTemplateInput = ClusterRef.extend({
  ...Generation,
  yaml: multiline()
    .min(1, "Paste or upload a ConstraintTemplate")
    .max(100_000, "A template is at most 100 KB"),
});
export const DeleteTemplateInput = ClusterRef.extend({ ...Generation, kind: line().min(1).max(253) });

export type SetGatekeeperInput = z.infer<typeof SetGatekeeperInput>;
export type SaveConstraintInput = z.infer<typeof SaveConstraintInput>;
export type ConstraintRefInput = z.infer<typeof ConstraintRefInput>;
export type SetEnforcementInput = z.infer<typeof SetEnforcementInput>;
export type SetConstraintEnabledInput = z.infer<typeof SetConstraintEnabledInput>;
export type AddTemplateInput = z.infer<typeof AddTemplateInput>;
export type DeleteTemplateInput = z.infer<typeof DeleteTemplateInput>;
