import type { CreateClusterInput } from "@/server/contracts/cluster";
import { estimateCost } from "@/server/domain/cost";
import { checkRequestedSpec } from "./spec-checks";

/** Hourly and monthly cost of a spec before it is created (the wizard's review step). */
export function estimateCluster({ input }: { input: CreateClusterInput }) {
  return estimateCost(checkRequestedSpec(input.spec));
}
