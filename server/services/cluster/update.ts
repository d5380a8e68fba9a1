import type { UpdateClusterInput } from "@/server/contracts/cluster";
import type { ProjectCall } from "../context";
import { writeIntent } from "./intent";

import { checkRequestedSpec } from "./spec-checks";

export function updateCluster({ ctx, project, input }: ProjectCall<UpdateClusterInput>) {
  const spec = checkRequestedSpec(input.spec);
  return writeIntent({
    ctx,
    project,
    clusterId: input.clusterId,
    expectedGeneration: input.generation,
    kind: "update",
    action: "cluster.update",
    change: () => spec,
  });
}
