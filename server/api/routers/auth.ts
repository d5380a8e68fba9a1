import { SignUpInput } from "@/server/contracts/auth";
import { signUp } from "@/server/services/auth/sign-up";
import { protectedProcedure, publicProcedure, router } from "../trpc";

export const authRouter = router({
  /** Sign-in itself goes through next-auth's credentials endpoint (see server/auth). */
  signUp: publicProcedure.input(SignUpInput).mutation(({ ctx, input }) =>
    signUp({ db: ctx.db, meta: { requestId: ctx.requestId, clientIp: ctx.clientIp }, input }).then((r) => ({
      personalProjectId: r.personalProjectId,
    })),
  ),
  me: protectedProcedure.query(({ ctx }) => ({
    id: ctx.user.id,
    email: ctx.user.email,
    name: ctx.user.name,
  })),
});
