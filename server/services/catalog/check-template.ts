import { parseTemplateYaml } from "@/server/domain/policies";
import type { CheckTemplateInput } from "@/server/contracts/catalog";
import type { ProjectCall } from "../context";

/** A ConstraintTemplate a user is about to upload, checked (the kind it defines, or the issues with lines). */
export function checkTemplate({ input }: ProjectCall<CheckTemplateInput>) {
  const r = parseTemplateYaml(input.yaml);
  return { kind: r.template?.kind ?? null, issues: r.issues };
}
