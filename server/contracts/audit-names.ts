/**
 * The audit log's outcome and action names, without zod: the browser's audit
 * page imports them, and importing ./audit would bundle zod into it.
 */
export const AUDIT_OUTCOMES = ["success", "failure", "denied"] as const;

/** Actions the console records, for the audit log's filter. Filtering matches prefixes (`member` → all member actions). */
export const AUDIT_ACTIONS = [
  "project.create",
  "project.rename",
  "member.add",
  "member.invite",
  "member.cancelInvitation",
  "member.updateRole",
  "member.remove",
  "member.leave",
  "cloud.setCredentials",
  "cloud.clearCredentials",
  "cluster.create",
  "cluster.update",
  "cluster.delete",
  "cluster.retry",
  "nodeGroup.add",
  "nodeGroup.update",
  "nodeGroup.remove",
] as const;
