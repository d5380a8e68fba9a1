import type { ClusterSpec } from "@/server/contracts/cluster";
import { fieldErrorsFromIssues } from "@/server/contracts/field-errors";
import { CheckedClusterSpec } from "@/server/domain/cluster-spec-check";
import type { CheckSpecInput } from "@/server/contracts/catalog";
import type { ServiceContext } from "../context";
import type { ProjectAccess } from "../project/access";

/**
 * A draft cluster spec checked with the same schema `cluster.create` uses
 * (addon values, policies, CIDRs, versions): the field errors by dotted
 * path, or the spec with its defaults.
 */
export function checkSpec({
  input,
}: {
  ctx: ServiceContext;
  project: ProjectAccess;
  input: CheckSpecInput;
}): { errors: Record<string, string[]>; spec: ClusterSpec | null } {
  const parsed = CheckedClusterSpec.safeParse(input.spec);
  return parsed.success
    ? { errors: {}, spec: parsed.data }
    : { errors: fieldErrorsFromIssues(parsed.error.issues), spec: null };
}
