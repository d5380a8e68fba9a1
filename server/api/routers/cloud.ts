import { QuotaCheckInput } from "@/server/contracts/catalog";
import { SetCloudBindingInput } from "@/server/contracts/cloud";
import { clearCloudBinding, getCloudBinding, setCloudBinding } from "@/server/services/cloud/binding";
import { checkQuota } from "@/server/services/cloud/quota-check";
import { getQuotas, requestQuotaRefresh } from "@/server/services/cloud/quotas";
import { refreshCloudCatalog } from "@/server/services/cloud/catalog";
import { projectProcedure, router } from "../trpc";

export const cloudRouter = router({
  /** Never includes the secret. */
  get: projectProcedure("viewer").query(({ ctx }) => getCloudBinding({ ctx: ctx.svc, project: ctx.project })),
  set: projectProcedure("admin")
    .input(SetCloudBindingInput)
    .mutation(({ ctx, input }) => setCloudBinding({ ctx: ctx.svc, project: ctx.project, input })),
  /** Quotas and usage as last read from the cloud (refreshed in the background). */
  quotas: projectProcedure("viewer").query(({ ctx }) => getQuotas({ ctx: ctx.svc, project: ctx.project })),
  /** What a cluster spec would exceed in the last quota reading. */
  quotaCheck: projectProcedure("viewer")
    .input(QuotaCheckInput)
    .query(({ ctx, input }) => checkQuota({ ctx: ctx.svc, project: ctx.project, input })),
  refreshQuotas: projectProcedure("viewer").mutation(({ ctx }) =>
    requestQuotaRefresh({ ctx: ctx.svc, project: ctx.project }),
  ),
  /** Ask the worker to read the cloud's catalog (zones, flavors, volume types, images) again now. */
  refreshCatalog: projectProcedure("viewer").mutation(({ ctx }) =>
    refreshCloudCatalog({ ctx: ctx.svc, project: ctx.project }),
  ),
  clear: projectProcedure("admin").mutation(({ ctx }) =>
    clearCloudBinding({ ctx: ctx.svc, project: ctx.project }),
  ),
});
