import type { EnforcementAction } from "@/server/contracts/policies";

/** How loud each enforcement action is shown. */
export const ACTION_TONE: Record<EnforcementAction, "danger" | "warning" | "neutral"> = {
  deny: "danger",
  warn: "warning",
  dryrun: "neutral",
};
