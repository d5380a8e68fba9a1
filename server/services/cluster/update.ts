import type { RequestedClusterSpec } from "@/server/contracts/cluster";
import type { ServiceContext } from "../context";
import type { ProjectAccess } from "../project/access";
import { writeIntent } from "./intent";

import { checkRequestedSpec } from "./spec-checks";

type Args = { ctx: ServiceContext; project: ProjectAccess; clusterId: string; generation: number };

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
