import type { CloudCatalog } from "@/server/contracts/cloud-catalog";
import type { ClusterSpec, RequestedClusterSpec, RequestedNodeGroup } from "@/server/contracts/cluster";
import { fieldErrorsFromIssues, type FieldErrors } from "@/server/contracts/field-errors";
import { CheckedClusterSpec } from "@/server/domain/cluster-spec-check";
import { catalogFieldErrors, withCatalogDefaults } from "../cloud/catalog";
import { ServiceError } from "../errors";

function refuse(fieldErrors: FieldErrors, message?: string): never {
  throw new ServiceError("VALIDATION", message ?? Object.values(fieldErrors)[0]?.[0] ?? "Invalid cluster", {
    fieldErrors,
  });
}

/**
 * Re-validate the whole spec after a change, so cross-field rules
 * (anti-affinity, limits) hold; with a catalog, the zones, flavors and
 * volume types must exist in the project's cloud (the version is checked
 * where it changes: create and upgrade).
 */
export function revalidate(spec: ClusterSpec, catalog?: CloudCatalog): ClusterSpec {
  const r = CheckedClusterSpec.safeParse(spec);
  if (!r.success) refuse(fieldErrorsFromIssues(r.error.issues), r.error.issues[0]?.message);
  if (catalog) {
    const errors = catalogFieldErrors({ ...r.data, version: null }, catalog);
    if (Object.keys(errors).length) refuse(errors);
  }
  return r.data;
}

/**
 * A spec as a caller sent it, with the cloud's defaults (newest version
 * it has an image for, its first zone, its etcd and node disk types) and
 * every rule across fields, checked against the project's catalog; the
 * field errors are keyed under `spec.`, as the procedure's input names them.
 */
export function checkRequestedSpec(
  spec: RequestedClusterSpec,
  catalog: CloudCatalog,
  opts: { version?: boolean } = {},
): ClusterSpec {
  const filled = withCatalogDefaults(spec, catalog);
  const r = CheckedClusterSpec.safeParse(filled);
  const fieldErrors = r.success
    ? {}
    : fieldErrorsFromIssues(r.error.issues.map((i) => ({ ...i, path: ["spec", ...i.path] })));
  const inCatalog = catalogFieldErrors(
    {
      ...filled,
      version: opts.version === false ? null : r.success ? r.data.version : filled.version,
    },
    catalog,
    ["spec"],
  );
  for (const [k, v] of Object.entries(inCatalog)) (fieldErrors[k] ??= []).push(...v);
  if (!r.success || Object.keys(fieldErrors).length) refuse(fieldErrors, "Some fields need attention");
  return r.data;
}

/** A node group as a caller sent it, with the cloud's node disk type when it names none. */
export function withGroupDefaults(g: RequestedNodeGroup, catalog: CloudCatalog) {
  return { ...g, diskType: g.diskType ?? catalog.nodeDiskType ?? "" };
}
