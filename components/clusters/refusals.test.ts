import { describe, expect, it } from "vitest";
import type { AdmissionRefusal, PolicyStatus } from "@/server/contracts/cluster-status";
import { explainRefusal, refusalCounts, refusalsOfDeployment, refusalsView } from "./refusals";
import { parseTabHash, tabHref } from "./use-tab-hash";

const DENIED = `Error creating: admission webhook "validation.gatekeeper.sh" denied the request:`;
const REPOS = `container <web> has an invalid image repo <docker.io/library/nginx:1.27>, allowed repos are ["registry.k8s.io/", "ghcr.io/acme/"]`;
const DOWN = `Error creating: Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": dial tcp 10.96.0.12:443: connect: connection refused`;

const refusal = (over: Partial<AdmissionRefusal> = {}): AdmissionRefusal => ({
  namespace: "default",
  kind: "ReplicaSet",
  name: "web-rs",
  constraints: ["allowed-repos"],
  message: `${DENIED} [allowed-repos] ${REPOS}`,
  at: "2026-03-01T12:00:00Z",
  ...over,
});

const policies = (over: Partial<PolicyStatus> = {}): PolicyStatus => ({
  at: "2026-03-01T12:01:00Z",
  gatekeeper: "Ready",
  constraints: {},
  ...over,
});

describe("explainRefusal", () => {
  it.each<[string, Pick<AdmissionRefusal, "constraints" | "message">, ReturnType<typeof explainRefusal>]>([
    [
      "one constraint: its words, without the API server's preamble",
      { constraints: ["allowed-repos"], message: `${DENIED} [allowed-repos] ${REPOS}` },
      { kind: "denied", reasons: [{ constraint: "allowed-repos", text: REPOS }] },
    ],
    [
      "two constraints, one per line",
      {
        constraints: ["allowed-repos", "psp-privileged-containers"],
        message: `${DENIED} [allowed-repos] ${REPOS}\n[psp-privileged-containers] Privileged container is not allowed: web, securityContext: {"privileged": true}`,
      },
      {
        kind: "denied",
        reasons: [
          { constraint: "allowed-repos", text: REPOS },
          {
            constraint: "psp-privileged-containers",
            text: `Privileged container is not allowed: web, securityContext: {"privileged": true}`,
          },
        ],
      },
    ],
    [
      "the same constraint twice (two containers)",
      {
        constraints: ["allowed-repos"],
        message: `${DENIED} [allowed-repos] container <a> is bad\n[allowed-repos] container <b> is bad`,
      },
      {
        kind: "denied",
        reasons: [
          { constraint: "allowed-repos", text: "container <a> is bad" },
          { constraint: "allowed-repos", text: "container <b> is bad" },
        ],
      },
    ],
    [
      "brackets that name no constraint stay in the text",
      {
        constraints: ["needs-labels"],
        message: `${DENIED} [needs-labels] you must provide labels: [owner] {"team"}`,
      },
      {
        kind: "denied",
        reasons: [{ constraint: "needs-labels", text: `you must provide labels: [owner] {"team"}` }],
      },
    ],
    [
      "a denial that names no constraint is kept whole",
      { constraints: [], message: `${DENIED} something else` },
      { kind: "denied", reasons: [{ constraint: null, text: "something else" }] },
    ],
    [
      "the webhook not answering: the connection error",
      { constraints: [], message: DOWN },
      {
        kind: "unavailable",
        detail: `failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": dial tcp 10.96.0.12:443: connect: connection refused`,
      },
    ],
    [
      "an unknown message with no constraint: all of it",
      { constraints: [], message: "Error creating: something odd" },
      { kind: "unavailable", detail: "Error creating: something odd" },
    ],
    [
      "a message the worker cut (ends with …) is not cut further",
      { constraints: ["allowed-repos"], message: `${DENIED} [allowed-repos] ${"x".repeat(40)}…` },
      { kind: "denied", reasons: [{ constraint: "allowed-repos", text: `${"x".repeat(40)}…` }] },
    ],
  ])("%s", (_, r, expected) => {
    expect(explainRefusal(r)).toEqual(expected);
  });
});

describe("refusalsView", () => {
  it("is off with no status, Gatekeeper off or being removed", () => {
    expect(refusalsView(undefined)).toEqual({ kind: "off" });
    expect(refusalsView(policies({ gatekeeper: "Off", refusals: [refusal()] }))).toEqual({ kind: "off" });
    expect(refusalsView(policies({ gatekeeper: "Removing" }))).toEqual({ kind: "off" });
  });

  it("waits while Gatekeeper starts, and for the first read", () => {
    expect(refusalsView(policies({ gatekeeper: "Installing" }))).toEqual({ kind: "starting" });
    expect(refusalsView(policies())).toEqual({ kind: "unread" });
  });

  it("lists them, marked stale while the cluster's API does not answer", () => {
    const r = [refusal()];
    expect(refusalsView(policies({ refusals: r }))).toEqual({
      kind: "list",
      refusals: r,
      stale: false,
      at: "2026-03-01T12:01:00Z",
    });
    expect(refusalsView(policies({ refusals: [] }))).toMatchObject({ kind: "list", refusals: [] });
    expect(refusalsView(policies({ gatekeeper: "Unreachable", refusals: r }))).toMatchObject({
      kind: "list",
      stale: true,
    });
  });
});

describe("refusalCounts", () => {
  it("counts the objects each constraint refused, once per object", () => {
    const counts = refusalCounts([
      refusal({ name: "web-rs", constraints: ["allowed-repos", "allowed-repos"] }),
      refusal({ name: "shop-rs", constraints: ["allowed-repos", "psp-privileged-containers"] }),
      refusal({ name: "api-rs", constraints: [], message: DOWN }),
    ]);
    expect(Object.fromEntries(counts)).toEqual({ "allowed-repos": 2, "psp-privileged-containers": 1 });
    expect(refusalCounts(undefined).size).toBe(0);
  });
});

describe("refusalsOfDeployment", () => {
  const all = [
    refusal({ name: "web-rs" }),
    refusal({ name: "web-7d9f8c6b5" }),
    refusal({ name: "web-api-rs" }),
    refusal({ name: "web-rs", namespace: "shop" }),
    refusal({ kind: "Deployment", name: "web" }),
    refusal({ kind: "DaemonSet", name: "web-rs" }),
  ];
  it("finds its ReplicaSets (and itself) in its namespace only", () => {
    expect(
      refusalsOfDeployment({ namespace: "default", name: "web" }, all).map((r) => `${r.kind}/${r.name}`),
    ).toEqual(["ReplicaSet/web-rs", "ReplicaSet/web-7d9f8c6b5", "Deployment/web"]);
    expect(refusalsOfDeployment({ namespace: "default", name: "web-api" }, all)).toHaveLength(1);
    expect(refusalsOfDeployment({ namespace: "default", name: "web" }, undefined)).toEqual([]);
  });
});

describe("parseTabHash", () => {
  const tabs = ["overview", "health", "policies"];
  it.each([
    ["", { tab: "overview", target: null }],
    ["#", { tab: "overview", target: null }],
    ["#policies", { tab: "policies", target: null }],
    ["#policies/", { tab: "policies", target: null }],
    ["#policies/allowed-repos", { tab: "policies", target: "policies/allowed-repos" }],
    ["#health%2Frefusals", { tab: "health", target: "health/refusals" }],
    ["#nope", { tab: "overview", target: null }],
    ["#nope/x", { tab: "overview", target: null }],
    ["#%E0%A4%A", { tab: "overview", target: null }],
  ])("%s", (hash, expected) => {
    expect(parseTabHash(hash, tabs, "overview")).toEqual(expected);
  });

  it("reads back what tabHref writes", () => {
    expect(parseTabHash(tabHref("health", "refusals"), tabs, "overview")).toEqual({
      tab: "health",
      target: "health/refusals",
    });
    expect(parseTabHash(tabHref("policies"), tabs, "overview").tab).toBe("policies");
  });
});
