import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { OperatorCloudConfig } from "@/server/domain/cloud-catalog";

export class OperatorConfigError extends Error {
  override name = "OperatorConfigError";
}

/**
 * The operator's cloud configuration (CONSOLE_CLOUD_CONFIG: a YAML file);
 * none means every choice is guessed from the cloud and nothing is priced.
 * A bad file stops the process with the field named.
 */
export function loadOperatorCloudConfig(file: string | undefined): OperatorCloudConfig {
  if (!file) return OperatorCloudConfig.parse({});
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"), { maxAliasCount: 50 });
  } catch (e) {
    throw new OperatorConfigError(
      `CONSOLE_CLOUD_CONFIG ${file}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const r = OperatorCloudConfig.safeParse(raw ?? {});
  if (!r.success)
    throw new OperatorConfigError(
      `CONSOLE_CLOUD_CONFIG ${file}: ${r.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`).join("; ")}`,
    );
  return r.data;
}
