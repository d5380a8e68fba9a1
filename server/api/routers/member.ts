import {
  AddMemberInput,
  CancelInvitationInput,
  RemoveMemberInput,
  UpdateMemberRoleInput,
} from "@/server/contracts/project";
import { addMember, cancelInvitation } from "@/server/services/member/add";
import { removeMember, updateMemberRole } from "@/server/services/member/change";
import { listMembers } from "@/server/services/member/list";
import { projectProcedure, router } from "../trpc";

export const memberRouter = router({
  list: projectProcedure("viewer").query(({ ctx }) => listMembers({ ctx: ctx.svc, project: ctx.project })),
  add: projectProcedure("admin")
    .input(AddMemberInput)
    .mutation(({ ctx, input }) => addMember({ ctx: ctx.svc, project: ctx.project, input })),
  cancelInvitation: projectProcedure("admin")
    .input(CancelInvitationInput)
    .mutation(({ ctx, input }) => cancelInvitation({ ctx: ctx.svc, project: ctx.project, input })),
  updateRole: projectProcedure("owner")
    .input(UpdateMemberRoleInput)
    .mutation(({ ctx, input }) => updateMemberRole({ ctx: ctx.svc, project: ctx.project, input })),
  /** Owners remove anyone; any member may remove themselves (leave). */
  remove: projectProcedure("viewer")
    .input(RemoveMemberInput)
    .mutation(({ ctx, input }) => removeMember({ ctx: ctx.svc, project: ctx.project, input })),
});
