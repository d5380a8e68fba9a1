import type { ClusterSpec, NodeGroupSpec, RequestedClusterSpec, Scaling } from "@/server/contracts/cluster";
import { fieldErrorsFromIssues } from "@/server/contracts/field-errors";
import { CheckedClusterSpec } from "@/server/domain/cluster-spec-check";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import { writeIntent } from "./shared";

type Args = { ctx: ServiceContext; project: ProjectAccess; clusterId: string; generation: number };

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

export function updateCluster(a: Args & { spec: RequestedClusterSpec }) {
  const spec = checkRequestedSpec(a.spec);
  return writeIntent({
    ...a,
    expectedGeneration: a.generation,
    kind: "update",
    action: "cluster.update",
    change: () => spec,
  });
}

export function addNodeGroup(a: Args & { nodeGroup: NodeGroupSpec }) {
  return writeIntent({
    ...a,
    expectedGeneration: a.generation,
    kind: "scale",
    action: "nodeGroup.add",
    details: { nodeGroup: a.nodeGroup.name },
    change: (spec) => revalidate({ ...spec, nodeGroups: [...spec.nodeGroups, a.nodeGroup] }),
  });
}

export function scaleNodeGroup(a: Args & { name: string; scaling: Scaling }) {
  return writeIntent({
    ...a,
    expectedGeneration: a.generation,
    kind: "scale",
    action: "nodeGroup.update",
    details: {
      nodeGroup: a.name,
      mode: a.scaling.mode,
      size: a.scaling.mode === "fixed" ? a.scaling.size : null,
      min: a.scaling.mode === "autoscale" ? a.scaling.min : null,
      max: a.scaling.mode === "autoscale" ? a.scaling.max : null,
    },
    change: (spec) => {
      if (!spec.nodeGroups.some((g) => g.name === a.name))
        throw new ServiceError("NOT_FOUND", `Node group ${a.name} not found`);
      return revalidate({
        ...spec,
        nodeGroups: spec.nodeGroups.map((g) => (g.name === a.name ? { ...g, scaling: a.scaling } : g)),
      });
    },
  });
}

export function removeNodeGroup(a: Args & { name: string }) {
  return writeIntent({
    ...a,
    expectedGeneration: a.generation,
    kind: "scale",
    action: "nodeGroup.remove",
    details: { nodeGroup: a.name },
    change: (spec) => {
      if (!spec.nodeGroups.some((g) => g.name === a.name))
        throw new ServiceError("NOT_FOUND", `Node group ${a.name} not found`);
      return { ...spec, nodeGroups: spec.nodeGroups.filter((g) => g.name !== a.name) };
    },
  });
}
