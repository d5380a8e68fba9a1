import { InstallAddonInput, UninstallAddonInput } from "@/server/contracts/addon";
import { installAddon, uninstallAddon } from "@/server/services/cluster/addons";
import { projectProcedure, router } from "../trpc";

const ref = (input: { clusterId: string; generation: number }) => ({
  clusterId: input.clusterId,
  generation: input.generation,
});

export const addonRouter = router({
  install: projectProcedure("member")
    .input(InstallAddonInput)
    .mutation(({ ctx, input }) =>
      installAddon({ ctx: ctx.svc, project: ctx.project, ...ref(input), addon: input.addon }),
    ),
  uninstall: projectProcedure("member")
    .input(UninstallAddonInput)
    .mutation(({ ctx, input }) =>
      uninstallAddon({ ctx: ctx.svc, project: ctx.project, ...ref(input), id: input.id }),
    ),
});
