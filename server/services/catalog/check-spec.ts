import { RequestedClusterSpec, type ClusterSpec } from "@/server/contracts/cluster";
import { fieldErrorsFromIssues } from "@/server/contracts/field-errors";
import type { CheckSpecInput } from "@/server/contracts/catalog";
import { placementWarnings } from "@/server/domain/cloud-catalog";
import { requireCatalog } from "../cloud/catalog";
import { checkRequestedSpec } from "../cluster/spec-checks";
import type { ProjectCall } from "../context";
import { ServiceError } from "../errors";

/**
 * A draft cluster spec checked as `cluster.create` checks it (addon values,
 * policies, CIDRs, versions, and the zones, flavors and volume types of the
 * project's cloud): the field errors by dotted path, or the spec with its
 * defaults.
 */
export async function checkSpec({ ctx, project, input }: ProjectCall<CheckSpecInput>): Promise<{
  errors: Record<string, string[]>;
  spec: ClusterSpec | null;
  /** What the cloud makes of a valid spec that does not stop it (e.g. masters sharing a zone). */
  warnings: string[];
}> {
  const shape = RequestedClusterSpec.safeParse(input.spec);
  if (!shape.success) return { errors: fieldErrorsFromIssues(shape.error.issues), spec: null, warnings: [] };
  try {
    const catalog = await requireCatalog(ctx.db, project.id);
    const spec = checkRequestedSpec(shape.data, catalog);
    return { errors: {}, spec, warnings: placementWarnings(spec, catalog) };
  } catch (e) {
    if (!(e instanceof ServiceError) || e.code !== "VALIDATION") throw e;
    // checkRequestedSpec keys errors under `spec.`; the wizard's draft is the spec itself.
    const errors = Object.fromEntries(
      Object.entries(e.extra.fieldErrors ?? {}).map(([k, v]) => [k.replace(/^spec\./, ""), v]),
    );
    return { errors, spec: null, warnings: [] };
  }
}
