import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createRequestContext } from "@/server/runtime/request-context";
import { appRouter } from "@/server/api/root";

export const dynamic = "force-dynamic";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    // Queries with large inputs (a cluster spec, typed YAML) come as POST (see components/trpc/client.tsx).
    allowMethodOverride: true,
    createContext: () => createRequestContext(req.headers),
    responseMeta: ({ errors }) => {
      const retry = errors.map((e) => e.cause).find((c) => c && "extra" in c) as
        { extra?: { retryAfterSeconds?: number } } | undefined;
      const seconds = retry?.extra?.retryAfterSeconds;
      return {
        headers: new Headers({
          "Cache-Control": "no-store",
          ...(seconds ? { "Retry-After": String(seconds) } : {}),
        }),
      };
    },
  });
}

export { handler as GET, handler as POST };
