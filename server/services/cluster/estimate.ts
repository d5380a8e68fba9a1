import type { CreateClusterInput } from "@/server/contracts/cluster";
import { estimateCost } from "@/server/domain/cost";
import { requireCatalog } from "../cloud/catalog";
import type { ProjectCall } from "../context";
import { checkRequestedSpec } from "./spec-checks";
import { catalogPrices } from "@/server/domain/cloud-catalog";

/** Hourly and monthly cost of a spec before it is created (the wizard's review step), at the cloud's prices. */
export async function estimateCluster({ ctx, project, input }: ProjectCall<CreateClusterInput>) {
  const catalog = await requireCatalog(ctx.db, project.id);
  return estimateCost(checkRequestedSpec(input.spec, catalog), catalogPrices(catalog));
}
