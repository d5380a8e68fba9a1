import { z } from "zod";
import { ProjectScoped } from "@/server/contracts/project";
import { line } from "@/server/contracts/text";
import type { FieldErrors } from "@/server/contracts/field-errors";
import type { AuditEntry } from "./record";

/** How long a failure's message may be in an audit row (a field error quoting a large input stays short). */
export const FAILURE_MESSAGE_MAX = 500;

/** A name from a failed call's raw input: one line of text (a NUL would cost the whole row), short. */
const Name = line().min(1).max(200);
const Id = z.uuid();

/** What a failed call's raw input names, field by field (one malformed field loses only itself). */
function rawTarget(raw: unknown): { clusterId?: string; label?: string; part?: string } {
  const o = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  const spec = o.spec !== null && typeof o.spec === "object" ? (o.spec as Record<string, unknown>) : {};
  const get = <T>(schema: z.ZodType<T>, v: unknown) => {
    const r = schema.safeParse(v);
    return r.success ? r.data : undefined;
  };
  const clusterId = get(Id, o.clusterId);
  const name = get(Name, o.name);
  return clusterId
    ? { clusterId, part: name }
    : { label: get(Name, spec.name) ?? name ?? get(Name, o.email) };
}

/**
 * The audit row of a mutation that failed: the message its caller was shown
 * (the first field errors' messages, when the input was refused), and the target
 * its input named — a cluster by id (the audit log shows its name), or the
 * name of what was being created. The message is the public one: an internal
 * error is stored as the reference the caller saw, never its cause.
 */
export function failureAuditEntry({
  path,
  code,
  denied,
  message,
  fieldErrors,
  rawInput,
}: {
  path: string;
  code: string;
  denied: boolean;
  message: string;
  fieldErrors: FieldErrors | null;
  rawInput: unknown;
}): AuditEntry {
  const scoped = ProjectScoped.safeParse(rawInput);
  const t = rawTarget(rawInput);
  // A refused input's own messages say what was wrong ("Enter the application credential ID"); the
  // general "Some fields need attention" only when there are none.
  const fields = [...new Set(Object.values(fieldErrors ?? {}).flat())].slice(0, 3);
  const full = fields.length ? fields.join("; ") : message;
  return {
    action: path,
    outcome: denied ? "denied" : "failure",
    projectId: scoped.success ? scoped.data.projectId : null,
    errorCode: code,
    // A cluster by id (the log shows its name); else the name of what the call would have made or changed.
    ...(t.clusterId ? { targetType: "cluster", targetId: t.clusterId } : {}),
    ...(t.label ? { targetLabel: t.label } : {}),
    details: {
      message: full.length > FAILURE_MESSAGE_MAX ? `${full.slice(0, FAILURE_MESSAGE_MAX - 1)}…` : full,
      // A cluster's part (a node group, a constraint) named alongside its cluster.
      ...(t.part ? { name: t.part } : {}),
    },
  };
}
