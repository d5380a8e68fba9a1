import type { UpdateClusterInput } from "@/server/contracts/cluster";
import { requireCatalog } from "../cloud/catalog";
import type { ProjectCall } from "../context";
import { writeIntent } from "./intent";

import { checkRequestedSpec } from "./spec-checks";

export async function updateCluster({ ctx, project, input }: ProjectCall<UpdateClusterInput>) {
  // The version is not checked here: Upgrade changes it, and an image removed later must not block other edits.
  const spec = checkRequestedSpec(input.spec, await requireCatalog(ctx.db, project.id), { version: false });
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
