import { describe, expect, it } from "vitest";
import { FAILURE_MESSAGE_MAX, failureAuditEntry } from "./failure";

const projectId = "00000000-0000-4000-8000-000000000001";
const clusterId = "00000000-0000-4000-8000-0000000000c1";

describe("the audit row of a failed call", () => {
  it("keeps what the caller was told: a refused input's own messages, else the general one", () => {
    expect(
      failureAuditEntry({
        path: "cloud.set",
        code: "BAD_REQUEST",
        denied: false,
        message: "Some fields need attention",
        fieldErrors: { "auth.applicationCredentialId": ["Enter the application credential ID"] },
        rawInput: { projectId, auth: { applicationCredentialId: "" } },
      }),
    ).toEqual({
      action: "cloud.set",
      outcome: "failure",
      projectId,
      errorCode: "BAD_REQUEST",
      details: { message: "Enter the application credential ID" },
    });
  });

  it("keeps the general message when the input was not the problem", () => {
    const e = failureAuditEntry({
      path: "cluster.retry",
      code: "CONFLICT",
      denied: false,
      message: "The cluster changed meanwhile; reload and try again",
      fieldErrors: null,
      rawInput: { projectId },
    });
    expect(e.details).toEqual({ message: "The cluster changed meanwhile; reload and try again" });
  });

  it("names the cluster its input named (by id) and the part of it, or what it would have created", () => {
    const scale = failureAuditEntry({
      path: "nodeGroup.update",
      code: "CONFLICT",
      denied: false,
      message: "The cluster changed meanwhile",
      fieldErrors: null,
      rawInput: { projectId, clusterId, name: "web", scaling: { mode: "fixed", size: 2 } },
    });
    expect(scale).toMatchObject({ targetType: "cluster", targetId: clusterId, details: { name: "web" } });
    expect(scale.targetLabel).toBeUndefined();
    const create = failureAuditEntry({
      path: "cluster.create",
      code: "FORBIDDEN",
      denied: true,
      message: "Your role cannot create clusters",
      fieldErrors: null,
      rawInput: { projectId, spec: { name: "shop" } },
    });
    expect(create).toMatchObject({ outcome: "denied", targetLabel: "shop" });
    expect(create.targetType).toBeUndefined();
  });

  it("reads a malformed input leniently and keeps long messages short", () => {
    const e = failureAuditEntry({
      path: "x.y",
      code: "BAD_REQUEST",
      denied: false,
      message: "m".repeat(2000),
      fieldErrors: null,
      rawInput: { projectId: "nope", clusterId: 7, name: { deep: true } },
    });
    expect(e.projectId).toBeNull();
    expect(e.targetType).toBeUndefined();
    expect(String(e.details?.message)).toHaveLength(FAILURE_MESSAGE_MAX);
    // A name the database could not store (NUL) is left out; the cluster it named is kept.
    const nul = failureAuditEntry({
      path: "nodeGroup.update",
      code: "BAD_REQUEST",
      denied: false,
      message: "Some fields need attention",
      fieldErrors: null,
      rawInput: { projectId, clusterId, name: "web\u0000" },
    });
    expect(nul).toMatchObject({ targetType: "cluster", targetId: clusterId });
    expect(nul.details).toEqual({ message: "Some fields need attention" });
  });
});
