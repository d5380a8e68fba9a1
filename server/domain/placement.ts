import type { ClusterSpec } from "@/server/contracts/cluster";

/**
 * The zone of each master: single and standard clusters keep them all in
 * the chosen zone; regional ones spread them evenly across every zone
 * (3 → one per zone, 5 → 2 + 2 + 1).
 */
export function masterZones(
  spec: Pick<ClusterSpec, "topology" | "masterCount" | "masterZone" | "regionZones">,
  /** The cloud's zones, for a regional spec that has not fixed its own. */
  zones: readonly string[],
): string[] {
  if (spec.topology !== "regional") return Array.from({ length: spec.masterCount }, () => spec.masterZone);
  const over = spec.regionZones?.length ? spec.regionZones : zones;
  if (over.length === 0) return Array.from({ length: spec.masterCount }, () => spec.masterZone);
  return Array.from({ length: spec.masterCount }, (_, i) => over[i % over.length]!);
}

/** Workers a group should have now: its fixed size, or for autoscaling its minimum (the autoscaler moves it). */
export function desiredGroupSize(g: ClusterSpec["nodeGroups"][number], current: number): number {
  if (g.scaling.mode === "fixed") return g.scaling.size;
  return Math.min(g.scaling.max, Math.max(g.scaling.min, current));
}
