import { handleRest } from "@/server/api/rest/handler";
import { createApiContext } from "@/server/runtime/request-context";

export const dynamic = "force-dynamic";

/** The public REST API: /api/v1/openapi.json describes it. */
function handler(req: Request) {
  return handleRest(req, () => createApiContext(req.headers));
}

export { handler as GET, handler as POST, handler as PUT, handler as DELETE, handler as PATCH };
