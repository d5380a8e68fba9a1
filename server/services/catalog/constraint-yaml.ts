import { constraintManifest, manifestYaml } from "@/server/domain/policies";
import type { ConstraintYamlInput } from "@/server/contracts/catalog";
import type { ProjectCall } from "../context";

/** A constraint as `kubectl apply -f` takes it. */
export function constraintYaml({ input }: ProjectCall<ConstraintYamlInput>) {
  return manifestYaml(constraintManifest(input.constraint));
}
