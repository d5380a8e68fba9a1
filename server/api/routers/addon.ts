import { InstallAddonInput, UninstallAddonInput } from "@/server/contracts/addon";
import { installAddon, uninstallAddon } from "@/server/services/cluster/addons";
import { projectProcedure, router } from "../trpc";

export const addonRouter = router({
  install: projectProcedure("member")
    .input(InstallAddonInput)
    .mutation(({ ctx, input }) => installAddon({ ctx: ctx.svc, project: ctx.project, input })),
  uninstall: projectProcedure("member")
    .input(UninstallAddonInput)
    .mutation(({ ctx, input }) => uninstallAddon({ ctx: ctx.svc, project: ctx.project, input })),
});
