import { and, eq, isNull } from "drizzle-orm";
import { clusters } from "@/db/schema";
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
  // The name is checked against the project's clusters on the first step, not only at Create.
  const taken = await nameTaken(ctx, project.id, input.spec);
  const withName = (errors: Record<string, string[]>) =>
    taken && !errors.name ? { ...errors, name: [taken] } : errors;
  if (!shape.success)
    return { errors: withName(fieldErrorsFromIssues(shape.error.issues)), spec: null, warnings: [] };
  try {
    const catalog = await requireCatalog(ctx.db, project.id);
    const spec = checkRequestedSpec(shape.data, catalog);
    if (taken) return { errors: withName({}), spec: null, warnings: [] };
    return { errors: {}, spec, warnings: placementWarnings(spec, catalog) };
  } catch (e) {
    if (!(e instanceof ServiceError) || e.code !== "VALIDATION") throw e;
    // checkRequestedSpec keys errors under `spec.`; the wizard's draft is the spec itself.
    const errors = Object.fromEntries(
      Object.entries(e.extra.fieldErrors ?? {}).map(([k, v]) => [k.replace(/^spec\./, ""), v]),
    );
    return { errors: withName(errors), spec: null, warnings: [] };
  }
}

/** "A cluster named … already exists" when a live cluster of the project has the draft's name. */
async function nameTaken(ctx: ProjectCall<CheckSpecInput>["ctx"], projectId: string, raw: unknown) {
  const name = RequestedClusterSpec.shape.name.safeParse(
    raw !== null && typeof raw === "object" ? (raw as { name?: unknown }).name : undefined,
  );
  if (!name.success) return null;
  const [row] = await ctx.db
    .select({ id: clusters.id })
    .from(clusters)
    .where(and(eq(clusters.projectId, projectId), eq(clusters.name, name.data), isNull(clusters.deletedAt)))
    .limit(1);
  return row ? `A cluster named ${name.data} already exists in this project` : null;
}
