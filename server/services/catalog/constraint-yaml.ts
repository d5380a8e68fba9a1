import { constraintManifest, manifestYaml } from "@/server/domain/policies";
import type { ConstraintYamlInput } from "@/server/contracts/catalog";
import type { ServiceContext } from "../context";
import type { ProjectAccess } from "../project/access";

/** A constraint as `kubectl apply -f` takes it. */
export function constraintYaml({
  input,
}: {
  ctx: ServiceContext;
  project: ProjectAccess;
  input: ConstraintYamlInput;
}) {
  return manifestYaml(constraintManifest(input.constraint));
}
