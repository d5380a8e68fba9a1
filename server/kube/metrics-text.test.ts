import { describe, expect, it } from "vitest";
import { deprecatedApisFromMetrics } from "./metrics-text";

const HEAD = [
  "# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.",
  "# TYPE apiserver_requested_deprecated_apis gauge",
];

describe("deprecated APIs from the API server's /metrics", () => {
  it.each<[string, string[], Array<Record<string, string>>]>([
    ["no such metric", ["# TYPE up gauge", "up 1"], []],
    [
      "one sample among other families",
      [
        "# HELP apiserver_request_total Counter of apiserver requests.",
        "# TYPE apiserver_request_total counter",
        'apiserver_request_total{code="200",verb="GET"} 42',
        ...HEAD,
        'apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="flowschemas",subresource="",version="v1beta3"} 1',
        "# TYPE apiserver_request_duration_seconds histogram",
        'apiserver_request_duration_seconds_bucket{le="0.05"} 3',
        'apiserver_request_duration_seconds_bucket{le="+Inf"} 4',
        "apiserver_request_duration_seconds_sum 0.3",
        "apiserver_request_duration_seconds_count 4",
      ],
      [
        {
          group: "flowcontrol.apiserver.k8s.io",
          version: "v1beta3",
          resource: "flowschemas",
          removedRelease: "1.32",
        },
      ],
    ],
    [
      "labels in any order, the core group, escapes and a timestamp",
      [
        ...HEAD,
        'apiserver_requested_deprecated_apis{version="v1beta1",resource="podsecuritypolicies",group="policy",removed_release="1.25",subresource=""} 1 1395066363000',
        'apiserver_requested_deprecated_apis{group="",removed_release="1.40",resource="x\\"y,z",subresource="status",version="v1"} 1',
      ],
      [
        { group: "policy", version: "v1beta1", resource: "podsecuritypolicies", removedRelease: "1.25" },
        { group: "", version: "v1", resource: 'x"y,z', removedRelease: "1.40" },
      ],
    ],
  ])("%s", (_name, lines, expected) => {
    expect(deprecatedApisFromMetrics(lines.join("\n") + "\n")).toEqual(expected);
  });

  it("refuses text that is not in the Prometheus format", () => {
    expect(() => deprecatedApisFromMetrics('apiserver_requested_deprecated_apis{group="x" 1\n')).toThrow(
      /invalid line/i,
    );
  });
});
