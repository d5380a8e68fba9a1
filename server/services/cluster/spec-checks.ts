import type { ClusterSpec, RequestedClusterSpec } from "@/server/contracts/cluster";
import { fieldErrorsFromIssues } from "@/server/contracts/field-errors";
import { CheckedClusterSpec } from "@/server/domain/cluster-spec-check";
import { ServiceError } from "../errors";

/** Re-validate the whole spec after a change, so cross-field rules (anti-affinity, limits) hold. */
export function revalidate(spec: ClusterSpec): ClusterSpec {
  const r = CheckedClusterSpec.safeParse(spec);
  if (!r.success) {
    const fieldErrors = fieldErrorsFromIssues(r.error.issues);
    throw new ServiceError("VALIDATION", r.error.issues[0]?.message ?? "Invalid cluster", { fieldErrors });
  }
  return r.data;
}

/**
 * A spec as a caller sent it, with the catalog defaults and every rule
 * across fields; the field errors are keyed under `spec.`, as the
 * procedure's input names them.
 */
export function checkRequestedSpec(spec: RequestedClusterSpec): ClusterSpec {
  const r = CheckedClusterSpec.safeParse(spec);
  if (!r.success) {
    const fieldErrors = fieldErrorsFromIssues(
      r.error.issues.map((i) => ({ ...i, path: ["spec", ...i.path] })),
    );
    throw new ServiceError("VALIDATION", "Some fields need attention", { fieldErrors });
  }
  return r.data;
}
