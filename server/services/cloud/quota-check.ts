import type { ClusterSpec } from "@/server/contracts/cluster";
import { quotaProblems } from "@/server/domain/quota";
import type { ServiceContext } from "../context";
import type { ProjectAccess } from "../project/access";
import { quotaSnapshot } from "./quotas";

/** What this cluster would exceed in the project's last quota reading (empty before the first reading). */
export async function checkQuota({
  ctx,
  project,
  input,
}: {
  ctx: ServiceContext;
  project: ProjectAccess;
  input: { spec: ClusterSpec };
}) {
  const row = await quotaSnapshot(ctx.db, project.id);
  return {
    fetchedAt: row?.fetchedAt ?? null,
    problems: row?.data ? quotaProblems(input.spec, row.data).map((p) => p.message) : [],
  };
}
