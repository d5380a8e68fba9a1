import type {
  ClusterSpec,
  NodeGroupInput,
  RemoveNodeGroupInput,
  ScaleNodeGroupInput,
} from "@/server/contracts/cluster";
import type { ProjectCall } from "../context";
import { ServiceError } from "../errors";
import { writeIntent } from "./intent";
import { requireCatalog } from "../cloud/catalog";
import { revalidate, withGroupDefaults } from "./spec-checks";

/** A node-group change as new intent (kind `scale`), on the generation the caller saw. */
function groupChange(
  a: ProjectCall<{ clusterId: string; generation: number }>,
  action: string,
  details: Record<string, string | number | boolean | null>,
  change: (spec: ClusterSpec) => ClusterSpec,
) {
  return writeIntent({
    ctx: a.ctx,
    project: a.project,
    clusterId: a.input.clusterId,
    expectedGeneration: a.input.generation,
    kind: "scale",
    action,
    details,
    change,
  });
}

/** The spec's group of that name, or NOT_FOUND. */
function mustHave(spec: ClusterSpec, name: string) {
  if (!spec.nodeGroups.some((g) => g.name === name))
    throw new ServiceError("NOT_FOUND", `Node group ${name} not found`);
}

export async function addNodeGroup(a: ProjectCall<NodeGroupInput>) {
  const catalog = await requireCatalog(a.ctx.db, a.project.id);
  const group = withGroupDefaults(a.input.nodeGroup, catalog);
  return groupChange(a, "nodeGroup.add", { nodeGroup: group.name }, (spec) =>
    revalidate({ ...spec, nodeGroups: [...spec.nodeGroups, group] }, catalog),
  );
}

export function scaleNodeGroup(a: ProjectCall<ScaleNodeGroupInput>) {
  const { name, scaling } = a.input;
  const details = {
    nodeGroup: name,
    mode: scaling.mode,
    size: scaling.mode === "fixed" ? scaling.size : null,
    min: scaling.mode === "autoscale" ? scaling.min : null,
    max: scaling.mode === "autoscale" ? scaling.max : null,
  };
  return groupChange(a, "nodeGroup.update", details, (spec) => {
    mustHave(spec, name);
    return revalidate({
      ...spec,
      nodeGroups: spec.nodeGroups.map((g) => (g.name === name ? { ...g, scaling } : g)),
    });
  });
}

export function removeNodeGroup(a: ProjectCall<RemoveNodeGroupInput>) {
  const { name } = a.input;
  return groupChange(a, "nodeGroup.remove", { nodeGroup: name }, (spec) => {
    mustHave(spec, name);
    return { ...spec, nodeGroups: spec.nodeGroups.filter((g) => g.name !== name) };
  });
}
