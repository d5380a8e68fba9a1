import { z } from "zod";
import { StoredClusterSpec } from "@/server/contracts/cluster";
import { PHASES } from "@/server/contracts/phases";
import { PROJECT_ROLES } from "@/server/contracts/roles";

/**
 * What the REST API answers, as zod schemas: the OpenAPI document is
 * generated from them, and the tests parse every response with them.
 * Timestamps are RFC 3339 strings. Nested status detail the console itself
 * evolves is an open object, documented as such.
 */
const When = z.iso.datetime({ offset: true });
const Money = z.object({ perHour: z.number(), perMonth: z.number(), currency: z.string() });

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum([
        "BAD_REQUEST",
        "UNAUTHORIZED",
        "FORBIDDEN",
        "NOT_FOUND",
        "METHOD_NOT_SUPPORTED",
        "CONFLICT",
        "PRECONDITION_FAILED",
        "PRECONDITION_REQUIRED",
        "PAYLOAD_TOO_LARGE",
        "UNPROCESSABLE_CONTENT",
        "TOO_MANY_REQUESTS",
        "INTERNAL_SERVER_ERROR",
        "IDEMPOTENCY_KEY_REUSED",
        "IDEMPOTENCY_KEY_IN_USE",
      ]),
      message: z.string(),
      requestId: z.string().nullable(),
      fieldErrors: z.record(z.string(), z.array(z.string())).nullable(),
    }),
  })
  .meta({
    id: "Error",
    description: "Every error: a stable code, a message for people, and field errors for inputs.",
  });

export const Project = z
  .object({
    id: z.uuid(),
    name: z.string(),
    personal: z.boolean(),
    role: z.enum(PROJECT_ROLES).describe("The role the caller may use here (a token's cap applied)."),
    createdAt: When.optional().describe("In lists."),
  })
  .meta({ id: "Project" });

export const ProjectList = z.object({ items: z.array(Project) }).meta({ id: "ProjectList" });

export const Operation = z
  .object({
    id: z.uuid(),
    clusterId: z.uuid(),
    projectId: z.uuid(),
    kind: z.string(),
    generation: z.number().int(),
    status: z.enum(["pending", "running", "succeeded", "failed", "superseded", "cancelled"]),
    stepsDone: z.number().int(),
    stepsTotal: z.number().int(),
    currentStep: z.string().nullable(),
    error: z.string().nullable(),
    attempts: z.number().int(),
    actorUserId: z.uuid().nullable(),
    actorEmail: z.string().nullable(),
    startedAt: When,
    finishedAt: When.nullable(),
  })
  .meta({ id: "Operation" });

export const OperationList = z.object({ items: z.array(Operation) }).meta({ id: "OperationList" });

const Condition = z.looseObject({ type: z.string(), status: z.string() });

export const Cluster = z
  .object({
    id: z.uuid(),
    name: z.string(),
    spec: StoredClusterSpec,
    generation: z.number().int().describe("Bumped by every accepted change; the ETag and If-Match carry it."),
    observedGeneration: z.number().int(),
    phase: z.enum(PHASES),
    conditions: z.array(Condition),
    status: z.looseObject({}).describe("What the reconciler observed (nodes, addons, endpoints, …)."),
    deletionRequestedAt: When.nullable(),
    createdAt: When,
    updatedAt: When,
    progress: z
      .object({
        operation: z.string(),
        done: z.number().int(),
        total: z.number().int(),
        currentStep: z.string().nullable(),
        attempts: z.number().int(),
        error: z.string().nullable(),
      })
      .nullable(),
    cost: Money.extend({ lines: z.array(z.looseObject({})), unpriced: z.array(z.string()) }),
    power: z.enum(["on", "off"]),
    stopSaving: z.object({ perMonth: z.number(), stoppedPerMonth: z.number(), currency: z.string() }),
    schedules: z.object({ stop: z.looseObject({}).nullable(), maintenance: z.looseObject({}).nullable() }),
  })
  .meta({ id: "Cluster" });

export const ClusterList = z
  .object({ items: z.array(Cluster), nextCursor: z.uuid().nullable() })
  .meta({ id: "ClusterList" });

export const Accepted = z.object({ cluster: Cluster, operation: Operation.nullable() }).meta({
  id: "Accepted",
  description: "The change is accepted; the operation converges it. Poll the operation with `?wait=`.",
});

export const Deleted = z
  .object({ cluster: Cluster.nullable(), operation: Operation.nullable() })
  .meta({ id: "DeleteAccepted" });

export const Kubeconfig = z
  .object({ filename: z.string(), content: z.string(), expiresAt: When.nullable() })
  .meta({ id: "Kubeconfig", description: "A kubeconfig file (YAML) and when its credential expires." });

export const EventList = z
  .object({
    items: z.array(
      z.object({
        id: z.number().int(),
        clusterId: z.uuid(),
        at: When,
        type: z.enum(["Normal", "Warning"]),
        reason: z.string(),
        objectKind: z.string(),
        objectName: z.string(),
        message: z.string(),
      }),
    ),
  })
  .meta({ id: "EventList" });

/** Answers whose shape the console's own views define and extend (reports, quotas, estimates). */
export const Report = (id: string, description: string) => z.looseObject({}).meta({ id, description });
