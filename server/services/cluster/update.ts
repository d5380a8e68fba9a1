import type { UpdateClusterInput } from "@/server/contracts/cluster";
import type { ServiceContext } from "../context";
import type { ProjectAccess } from "../project/access";
import { writeIntent } from "./intent";

import { checkRequestedSpec } from "./spec-checks";

export function updateCluster({
  ctx,
  project,
  input,
}: {
  ctx: ServiceContext;
  project: ProjectAccess;
  input: UpdateClusterInput;
}) {
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
