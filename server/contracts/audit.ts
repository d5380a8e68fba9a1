import { z } from "zod";
import { coercedDateInRange, line } from "./text";
import { ProjectScoped } from "./project";

import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from "./audit-names";

export { AUDIT_ACTIONS, AUDIT_OUTCOMES };

export const ListAuditInput = ProjectScoped.extend({
  actor: line().trim().max(254).optional(),
  action: line().trim().max(100).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  from: coercedDateInRange().optional(),
  to: coercedDateInRange().optional(),
  /** id of the last row of the previous page (rows are newest first) */
  cursor: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
}).refine((v) => !v.from || !v.to || v.from <= v.to, { path: ["to"], message: "'To' must be after 'From'" });
export type ListAuditInput = z.infer<typeof ListAuditInput>;

export interface AuditEntryView {
  id: number;
  at: Date;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetLabel: string | null;
  outcome: (typeof AUDIT_OUTCOMES)[number];
  errorCode: string | null;
  requestId: string | null;
  clientIp: string | null;
  details: Record<string, string | number | boolean | null> | null;
}
