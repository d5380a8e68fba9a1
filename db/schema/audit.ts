import { bigserial, index, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const auditOutcome = pgEnum("audit_outcome", ["success", "failure", "denied"]);

/**
 * Append-only: a trigger (migration 0001) rejects UPDATE and DELETE. No
 * foreign keys, so rows outlive the users and projects they mention; the
 * actor's email is copied in for that reason.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid("actor_user_id"),
    actorEmail: text("actor_email"),
    projectId: uuid("project_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    targetLabel: text("target_label"),
    outcome: auditOutcome("outcome").notNull(),
    errorCode: text("error_code"),
    requestId: text("request_id"),
    clientIp: text("client_ip"),
    details: jsonb("details").$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [
    index("audit_log_project_at_idx").on(t.projectId, t.at.desc()),
    index("audit_log_actor_idx").on(t.actorUserId, t.at.desc()),
    index("audit_log_action_idx").on(t.action),
  ],
);
