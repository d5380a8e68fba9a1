import { parseTemplateYaml } from "@/server/domain/policies";
import type { CheckTemplateInput } from "@/server/contracts/catalog";
import type { ServiceContext } from "../context";
import type { ProjectAccess } from "../project/access";

/** A ConstraintTemplate a user is about to upload, checked (the kind it defines, or the issues with lines). */
export function checkTemplate({
  input,
}: {
  ctx: ServiceContext;
  project: ProjectAccess;
  input: CheckTemplateInput;
}) {
  const r = parseTemplateYaml(input.yaml);
  return { kind: r.template?.kind ?? null, issues: r.issues };
}
