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
