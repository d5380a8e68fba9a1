import parsePrometheusTextFormat from "parse-prometheus-text-format";
import type { WorkloadSnapshot } from "@/server/domain/upgrade-readiness";

export type DeprecatedApi = WorkloadSnapshot["deprecatedApis"][number];

/**
 * The deprecated API versions clients have requested, from the API server's
 * `/metrics` (Prometheus text format): one entry per
 * `apiserver_requested_deprecated_apis` sample. Throws on text that is not
 * in the format.
 */
export function deprecatedApisFromMetrics(text: string): DeprecatedApi[] {
  const family = parsePrometheusTextFormat(text).find(
    (f) => f.name === "apiserver_requested_deprecated_apis",
  );
  return (family?.metrics ?? []).map(({ labels = {} }) => ({
    group: labels.group ?? "",
    version: labels.version ?? "",
    resource: labels.resource ?? "",
    removedRelease: labels.removed_release ?? "",
  }));
}
