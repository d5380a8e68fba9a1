import { allocatable, FLAVORS } from "@/server/domain/flavors";
import type { AllocatableInput } from "@/server/contracts/catalog";
import type { ProjectCall } from "../context";

/** What a node of this flavor and disk leaves for workloads (null for an unknown flavor). */
export function nodeAllocatable({ input }: ProjectCall<AllocatableInput>) {
  const flavor = FLAVORS.find((f) => f.name === input.flavor);
  return flavor ? allocatable(flavor, input.diskGb) : null;
}
