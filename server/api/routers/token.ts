import {
  CreatePersonalTokenInput,
  CreateServiceAccountInput,
  CreateServiceAccountTokenInput,
  RevokePersonalTokenInput,
  RevokeServiceAccountTokenInput,
  ServiceAccountRef,
  UpdateServiceAccountRoleInput,
} from "@/server/contracts/tokens";
import { ProjectScoped } from "@/server/contracts/project";
import {
  createPersonalToken,
  createServiceAccount,
  createServiceAccountToken,
  deleteServiceAccount,
  listPersonalTokens,
  listServiceAccounts,
  revokePersonalToken,
  revokeServiceAccountToken,
  updateServiceAccountRole,
} from "@/server/services/tokens/manage";
import { projectProcedure, protectedProcedure, router } from "../trpc";

/** The signed-in person's own API tokens (never usable with a token). */
export const tokenRouter = router({
  list: protectedProcedure.query(({ ctx }) => listPersonalTokens(ctx.svc)),
  create: protectedProcedure
    .input(CreatePersonalTokenInput)
    .mutation(({ ctx, input }) => createPersonalToken(ctx.svc, input)),
  revoke: protectedProcedure
    .input(RevokePersonalTokenInput)
    .mutation(({ ctx, input }) => revokePersonalToken(ctx.svc, input.tokenId)),
});

const adminOnly = () => projectProcedure("admin", { apiTokens: false });

/** A project's service accounts and their tokens: admins, signed in. */
export const serviceAccountRouter = router({
  list: adminOnly()
    .input(ProjectScoped)
    .query(({ ctx, input }) => listServiceAccounts({ ctx: ctx.svc, project: ctx.project, input })),
  create: adminOnly()
    .input(CreateServiceAccountInput)
    .mutation(({ ctx, input }) => createServiceAccount({ ctx: ctx.svc, project: ctx.project, input })),
  updateRole: adminOnly()
    .input(UpdateServiceAccountRoleInput)
    .mutation(({ ctx, input }) => updateServiceAccountRole({ ctx: ctx.svc, project: ctx.project, input })),
  delete: adminOnly()
    .input(ServiceAccountRef)
    .mutation(({ ctx, input }) => deleteServiceAccount({ ctx: ctx.svc, project: ctx.project, input })),
  createToken: adminOnly()
    .input(CreateServiceAccountTokenInput)
    .mutation(({ ctx, input }) => createServiceAccountToken({ ctx: ctx.svc, project: ctx.project, input })),
  revokeToken: adminOnly()
    .input(RevokeServiceAccountTokenInput)
    .mutation(({ ctx, input }) => revokeServiceAccountToken({ ctx: ctx.svc, project: ctx.project, input })),
});
