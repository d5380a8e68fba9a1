import { tracked } from "@trpc/server";
import { z } from "zod";
import { projectChanges } from "@/server/services/live/stream";
import { toTRPCError } from "../errors";
import { projectProcedure, router } from "../trpc";

export const liveRouter = router({
  /**
   * A project's changes as server-sent events (tRPC's httpSubscriptionLink).
   * The browser sends the last event id when it reconnects (tracked ids), and
   * gets what it missed or a `resync`.
   */
  project: projectProcedure("viewer")
    .input(z.object({ lastEventId: z.string().max(64).nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      try {
        for await (const e of projectChanges({
          db: ctx.db,
          projectId: input.projectId,
          userId: ctx.user.id,
          lastEventId: input.lastEventId,
          signal,
        }))
          yield tracked(e.id, e.message);
      } catch (err) {
        // Errors thrown once the stream runs bypass the procedure's error mapping.
        throw toTRPCError(err);
      }
    }),
});
