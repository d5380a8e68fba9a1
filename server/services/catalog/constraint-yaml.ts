import type { ConstraintSpec } from "@/server/contracts/policies";
import { constraintManifest, manifestYaml } from "@/server/domain/policies";
import type { ServiceContext } from "../context";
import type { ProjectAccess } from "../project/access";

/** A constraint as `kubectl apply -f` takes it. */
export function constraintYaml({
  input,
}: {
  ctx: ServiceContext;
  project: ProjectAccess;
  input: { constraint: ConstraintSpec };
}) {
  return manifestYaml(constraintManifest(input.constraint));
}
