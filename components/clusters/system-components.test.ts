import { describe, expect, it } from "vitest";
import { formatRelative } from "@/components/ui/format";
import type { ComponentStatus } from "@/server/contracts/cluster-status";
import { orderedComponents, splitJobLog } from "./system-components";

const component = (title: string): ComponentStatus => ({
  title,
  version: "1.0.0",
  phase: "Installed",
  message: null,
  since: "2026-01-01T00:00:00Z",
});

describe("orderedComponents", () => {
  it("is null until the worker has read the cluster", () => {
    expect(orderedComponents(undefined)).toBeNull();
  });

  it.each([
    [
      [
        "gatekeeper",
        "openstack-cinder-csi",
        "calico",
        "openstack-cloud-controller-manager",
        "helm-controller",
      ],
      [
        "helm-controller",
        "calico",
        "openstack-cloud-controller-manager",
        "openstack-cinder-csi",
        "gatekeeper",
      ],
    ],
    [
      ["zeta", "cilium", "alpha", "helm-controller"],
      ["helm-controller", "cilium", "alpha", "zeta"],
    ],
    [["gatekeeper"], ["gatekeeper"]],
  ])("orders %j as %j", (keys, expected) => {
    const input = Object.fromEntries(keys.map((k) => [k, component(k)]));
    expect(orderedComponents(input)!.map(([k]) => k)).toEqual(expected);
  });
});

describe("splitJobLog", () => {
  it.each([
    [
      `Install job kube-system/helm-install-velero failed: Error: INSTALLATION FAILED: chart "velero" matching 99.0.0 not found in velero index. (try 'helm repo update'): no chart version found for velero-99.0.0`,
      "Install job kube-system/helm-install-velero failed",
      [
        `Error: INSTALLATION FAILED: chart "velero" matching 99.0.0 not found in velero index. (try 'helm repo update'): no chart version found for velero-99.0.0`,
      ],
    ],
    [
      "Install job kube-system/helm-install-x failed: helm repo add failed · Error: boom",
      "Install job kube-system/helm-install-x failed",
      ["helm repo add failed", "Error: boom"],
    ],
    [
      "Helm is retrying ingress-nginx 4.13.3 (job kube-system/helm-install-ingress-nginx); last attempt: Error: timed out",
      "Helm is retrying ingress-nginx 4.13.3 (job kube-system/helm-install-ingress-nginx); last attempt",
      ["Error: timed out"],
    ],
    [
      "Helm is installing ingress-nginx 4.13.3 (job kube-system/helm-install-ingress-nginx)",
      "Helm is installing ingress-nginx 4.13.3 (job kube-system/helm-install-ingress-nginx)",
      null,
    ],
    [
      "Install job kube-system/helm-install-x failed (no log left)",
      "Install job kube-system/helm-install-x failed (no log left)",
      null,
    ],
    [
      "Reading the cluster's charts: connect ECONNREFUSED",
      "Reading the cluster's charts: connect ECONNREFUSED",
      null,
    ],
  ])("%s", (message, summary, log) => {
    expect(splitJobLog(message)).toEqual({ summary, log });
  });
});

describe("formatRelative", () => {
  const now = new Date("2026-03-01T12:00:00Z");
  const ago = (s: number) => new Date(now.getTime() - s * 1000);
  // In the runtime's locale, as the browser's.
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  it.each([
    [ago(3), "just now"],
    [ago(-60), "just now"],
    [ago(45), rtf.format(-45, "second")],
    [ago(5 * 60 + 30), rtf.format(-5, "minute")],
    [ago(3 * 3600 + 59), rtf.format(-3, "hour")],
    [ago(26 * 3600), rtf.format(-1, "day")],
    [ago(400 * 86400), rtf.format(-1, "year")],
  ])("%s", (d, expected) => {
    expect(formatRelative(d, now)).toBe(expected);
  });
});
