import type { NodeGroupInput, RemoveNodeGroupInput, ScaleNodeGroupInput } from "@/server/contracts/cluster";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import { writeIntent } from "./intent";

import { revalidate } from "./spec-checks";

type Args<I> = { ctx: ServiceContext; project: ProjectAccess; input: I };

export function addNodeGroup(a: Args<NodeGroupInput>) {
  return writeIntent({
    ctx: a.ctx,
    project: a.project,
    clusterId: a.input.clusterId,
    expectedGeneration: a.input.generation,
    kind: "scale",
    action: "nodeGroup.add",
    details: { nodeGroup: a.input.nodeGroup.name },
    change: (spec) => revalidate({ ...spec, nodeGroups: [...spec.nodeGroups, a.input.nodeGroup] }),
  });
}

export function scaleNodeGroup(a: Args<ScaleNodeGroupInput>) {
  return writeIntent({
    ctx: a.ctx,
    project: a.project,
    clusterId: a.input.clusterId,
    expectedGeneration: a.input.generation,
    kind: "scale",
    action: "nodeGroup.update",
    details: {
      nodeGroup: a.input.name,
      mode: a.input.scaling.mode,
      size: a.input.scaling.mode === "fixed" ? a.input.scaling.size : null,
      min: a.input.scaling.mode === "autoscale" ? a.input.scaling.min : null,
      max: a.input.scaling.mode === "autoscale" ? a.input.scaling.max : null,
    },
    change: (spec) => {
      if (!spec.nodeGroups.some((g) => g.name === a.input.name))
        throw new ServiceError("NOT_FOUND", `Node group ${a.input.name} not found`);
      return revalidate({
        ...spec,
        nodeGroups: spec.nodeGroups.map((g) =>
          g.name === a.input.name ? { ...g, scaling: a.input.scaling } : g,
        ),
      });
    },
  });
}

export function removeNodeGroup(a: Args<RemoveNodeGroupInput>) {
  return writeIntent({
    ctx: a.ctx,
    project: a.project,
    clusterId: a.input.clusterId,
    expectedGeneration: a.input.generation,
    kind: "scale",
    action: "nodeGroup.remove",
    details: { nodeGroup: a.input.name },
    change: (spec) => {
      if (!spec.nodeGroups.some((g) => g.name === a.input.name))
        throw new ServiceError("NOT_FOUND", `Node group ${a.input.name} not found`);
      return { ...spec, nodeGroups: spec.nodeGroups.filter((g) => g.name !== a.input.name) };
    },
  });
}
