import { allocatable } from "@/server/domain/flavors";
import type { AllocatableInput } from "@/server/contracts/catalog";
import { catalogState } from "../cloud/catalog";
import type { ProjectCall } from "../context";

/** What a node of this flavor (as the project's cloud defines it) and disk leaves for workloads; null if unknown. */
export async function nodeAllocatable({ ctx, project, input }: ProjectCall<AllocatableInput>) {
  const { catalog } = await catalogState(ctx.db, project.id);
  const flavor = catalog?.flavors.find((f) => f.name === input.flavor);
  return flavor ? allocatable({ vcpus: flavor.vcpus, ramGb: flavor.ramMb / 1024 }, input.diskGb) : null;
}
