import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The recorded real-OpenStack samples (../shared/openstack-samples, see its
 * README): the field-for-field reference for the adapter and the emulator.
 */
export const SAMPLES_DIR = path.resolve(process.cwd(), "..", "shared", "openstack-samples");
export const haveSamples = existsSync(SAMPLES_DIR);

/**
 * Whether a sample-based test runs: always in CI (where a missing folder is
 * a failure, see requireSamples), and locally only when the folder is there.
 */
export const runSampleTests = haveSamples || Boolean(process.env.CI);

/** Call first in a sample-based test: in CI, a missing folder fails with what to do. */
export function requireSamples(): void {
  if (!haveSamples)
    throw new Error(
      `The recorded OpenStack samples are missing: expected ${SAMPLES_DIR} (../shared/openstack-samples next to the ` +
        `repository). The fidelity tests never skip in CI; check the folder out or copy it there.`,
    );
}

export function sampleText(file: string): string {
  return readFileSync(path.join(SAMPLES_DIR, file), "utf8");
}

export function sampleJson(file: string): unknown {
  return JSON.parse(sampleText(file));
}

/** A sample's recorded status and headers (`NAME.headers.txt`). */
export function sampleHeaders(name: string): { status: number; headers: Record<string, string> } {
  const [statusLine = "", ...lines] = sampleText(`${name}.headers.txt`).split(/\r?\n/);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(":");
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine)?.[1] ?? 0), headers };
}

/** The recorded calls: one `NAME.json` (and `NAME.headers.txt`) each; request bodies left out. */
export function sampleNames(): string[] {
  return readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith(".json") && !f.endsWith(".request.json"))
    .map((f) => f.replace(/\.json$/, ""));
}
