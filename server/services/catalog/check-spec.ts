import type { ClusterSpec } from "@/server/contracts/cluster";
import { fieldErrorsFromIssues } from "@/server/contracts/field-errors";
import { CheckedClusterSpec } from "@/server/domain/cluster-spec-check";
import type { CheckSpecInput } from "@/server/contracts/catalog";
import type { ProjectCall } from "../context";

/**
 * A draft cluster spec checked with the same schema `cluster.create` uses
 * (addon values, policies, CIDRs, versions): the field errors by dotted
 * path, or the spec with its defaults.
 */
export function checkSpec({ input }: ProjectCall<CheckSpecInput>): {
  errors: Record<string, string[]>;
  spec: ClusterSpec | null;
} {
  const parsed = CheckedClusterSpec.safeParse(input.spec);
  return parsed.success
    ? { errors: {}, spec: parsed.data }
    : { errors: fieldErrorsFromIssues(parsed.error.issues), spec: null };
}
