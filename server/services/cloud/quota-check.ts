import type { QuotaCheckInput } from "@/server/contracts/catalog";
import { CheckedClusterSpec } from "@/server/domain/cluster-spec-check";
import { quotaProblems } from "@/server/domain/quota";
import type { ProjectCall } from "../context";
import { quotaSnapshot } from "./quotas";

/** What this cluster would exceed in the project's last quota reading (empty before the first reading). */
export async function checkQuota({ ctx, project, input }: ProjectCall<QuotaCheckInput>) {
  const row = await quotaSnapshot(ctx.db, project.id);
  // A spec with errors is reported by the spec check; its quota is judged once it is valid.
  const spec = CheckedClusterSpec.safeParse(input.spec);
  return {
    fetchedAt: row?.fetchedAt ?? null,
    problems: row?.data && spec.success ? quotaProblems(spec.data, row.data).map((p) => p.message) : [],
  };
}
