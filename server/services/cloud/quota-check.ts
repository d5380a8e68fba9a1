import type { QuotaCheckInput } from "@/server/contracts/catalog";
import { QUOTA_LABEL, quotaProblems, requiredResources, type QuotaKey } from "@/server/domain/quota";
import type { ProjectCall } from "../context";
import { ServiceError } from "../errors";
import { checkRequestedSpec } from "../cluster/spec-checks";
import { catalogState } from "./catalog";
import { quotaSnapshot } from "./quotas";

/** What this cluster would exceed in the project's last quota reading (empty before the first reading). */
export async function checkQuota({ ctx, project, input }: ProjectCall<QuotaCheckInput>) {
  const [row, { catalog }] = await Promise.all([
    quotaSnapshot(ctx.db, project.id),
    catalogState(ctx.db, project.id),
  ]);
  // A spec with errors is reported by the spec check; its quota is judged once it is valid.
  let spec = null;
  if (catalog)
    try {
      spec = checkRequestedSpec(input.spec, catalog);
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
    }
  const need = spec && catalog ? requiredResources(spec, catalog) : null;
  return {
    fetchedAt: row?.fetchedAt ?? null,
    problems:
      row?.data && spec && catalog ? quotaProblems(spec, row.data, catalog).map((p) => p.message) : [],
    /** Used / needed / limit of the quotas a cluster mostly takes (limit -1: unlimited), for the wizard's summary. */
    figures: need
      ? SUMMARY_KEYS.map((k) => ({
          resource: k,
          label: QUOTA_LABEL[k],
          needed: need[k],
          used: row?.data?.[k]?.used ?? null,
          limit: row?.data?.[k]?.limit ?? null,
        }))
      : [],
  };
}

const SUMMARY_KEYS: QuotaKey[] = [
  "instances",
  "cores",
  "ram",
  "volumes",
  "gigabytes",
  "floatingips",
  "loadbalancers",
];
