import { checkYaml } from "@/server/domain/schema-check";
import type { CheckParametersInput } from "@/server/contracts/catalog";
import type { ProjectCall } from "../context";
import { templatesByKind } from "./list-templates";

/** Constraint parameters (YAML) checked against their template's schema; messages name the field and line. */
export function checkParameters({ input }: ProjectCall<CheckParametersInput>) {
  const template = templatesByKind(input.custom).get(input.kind);
  if (!template)
    return {
      value: null,
      issues: [{ line: null, path: "", message: `No constraint template ${input.kind}` }],
    };
  return checkYaml<Record<string, unknown>>(
    input.parameters.trim() ? input.parameters : "{}",
    template.parameters,
    "parameters",
  );
}
