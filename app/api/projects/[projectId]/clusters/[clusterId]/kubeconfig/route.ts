import { downloadKubeconfig } from "@/server/api/kubeconfig";
import { createRequestContext } from "@/server/runtime/request-context";

export const dynamic = "force-dynamic";

/** POST { validity, kind } → the kubeconfig as an attachment (never cached). */
export async function POST(req: Request, ctx: { params: Promise<{ projectId: string; clusterId: string }> }) {
  const { projectId, clusterId } = await ctx.params;
  return downloadKubeconfig(await createRequestContext(req.headers), req, projectId, clusterId);
}
