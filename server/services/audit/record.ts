import type { Executor } from "@/db/client";
import { auditLog } from "@/db/schema";
import type { Actor, RequestMeta } from "../context";

export interface AuditEntry {
  action: string;
  outcome: "success" | "failure" | "denied";
  projectId?: string | null;
  targetType?: string;
  targetId?: string;
  targetLabel?: string;
  errorCode?: string;
  details?: Record<string, string | number | boolean | null>;
}

/**
 * Appends one audit row. Call it inside the same transaction as the change
 * it records, so there is never a change without its row (or the reverse).
 */
export async function recordAudit(
  exec: Executor,
  meta: RequestMeta & { actor: Actor | null },
  entry: AuditEntry,
): Promise<void> {
  await exec.insert(auditLog).values({
    actorUserId: meta.actor?.userId ?? null,
    actorEmail: meta.actor?.email ?? null,
    projectId: entry.projectId ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    targetLabel: entry.targetLabel ?? null,
    outcome: entry.outcome,
    errorCode: entry.errorCode ?? null,
    requestId: meta.requestId,
    clientIp: meta.clientIp,
    details: meta.actor?.token
      ? { ...entry.details, viaToken: meta.actor.token.prefix, tokenId: meta.actor.token.id }
      : (entry.details ?? null),
  });
}
