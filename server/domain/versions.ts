import { z } from "zod";
import catalog from "./data/kubernetes-versions.json";

const Catalog = z.object({
  versions: z.array(
    z.object({
      minor: z.string().regex(/^1\.\d+$/),
      released: z.iso.date(),
      endOfLife: z.iso.date(),
      patches: z.array(z.string().regex(/^1\.\d+\.\d+$/)).min(1),
      image: z.string().includes("{patch}"),
      runtime: z.string(),
      highlights: z.array(z.string()).default([]),
    }),
  ),
});

/** The versions catalog, validated once at load. */
export const VERSIONS = Catalog.parse(catalog).versions;

export interface VersionInfo {
  version: string;
  minor: string;
  image: string;
  runtime: string;
  endOfLife: string;
  endOfLifeReached: boolean;
}

export function versionInfo(version: string, today: Date = new Date()): VersionInfo | null {
  for (const v of VERSIONS) {
    if (v.patches.includes(version)) {
      return {
        version,
        minor: v.minor,
        image: v.image.replace("{patch}", version),
        runtime: v.runtime,
        endOfLife: v.endOfLife,
        endOfLifeReached: new Date(`${v.endOfLife}T00:00:00Z`) <= today,
      };
    }
  }
  return null;
}

export const ALL_VERSIONS = VERSIONS.flatMap((v) => v.patches);
export const NEWEST_VERSION = VERSIONS.at(-1)!.patches.at(-1)!;

const cmp = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });
const minorOf = (v: string) => v.split(".").slice(0, 2).join(".");

export interface UpgradeTarget {
  version: string;
  kind: "patch" | "minor";
  endOfLife: string;
  /** Offered anyway as a step off an older end-of-life minor (minors cannot be skipped). */
  endOfLifeReached: boolean;
  highlights: string[];
}

/**
 * The policy: one step at a time — a newer patch of the same minor, or a
 * patch of the next minor. Skipping a minor is not allowed (Kubernetes'
 * version skew policy), so an end-of-life minor is still offered as the
 * step off an even older one, flagged.
 */
export function upgradeTargets(current: string, today: Date = new Date()): UpgradeTarget[] {
  const cur = versionInfo(current, today);
  if (!cur) return [];
  const i = VERSIONS.findIndex((v) => v.minor === cur.minor);
  const out: UpgradeTarget[] = [];
  const eol = (v: (typeof VERSIONS)[number]) => new Date(`${v.endOfLife}T00:00:00Z`) <= today;
  const same = VERSIONS[i]!;
  for (const p of same.patches)
    if (cmp(p, current) > 0)
      out.push({
        version: p,
        kind: "patch",
        endOfLife: same.endOfLife,
        endOfLifeReached: eol(same),
        highlights: [],
      });
  const next = VERSIONS[i + 1];
  if (next)
    for (const p of next.patches)
      out.push({
        version: p,
        kind: "minor",
        endOfLife: next.endOfLife,
        endOfLifeReached: eol(next),
        highlights: next.highlights,
      });
  return out;
}

export function isAllowedUpgrade(current: string, target: string, today: Date = new Date()): boolean {
  return upgradeTargets(current, today).some((t) => t.version === target);
}

/** `1.36.1` → `1.36`; true when `release` (e.g. "1.36") is at or below the target's minor. */
export function removedBy(release: string, target: string): boolean {
  return cmp(release, minorOf(target)) <= 0;
}
