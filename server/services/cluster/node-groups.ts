import type { NodeGroupSpec, Scaling } from "@/server/contracts/cluster";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import { writeIntent } from "./intent";

import { revalidate } from "./spec-checks";

type Args = { ctx: ServiceContext; project: ProjectAccess; clusterId: string; generation: number };

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
