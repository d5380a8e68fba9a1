import { downloadKubeconfig } from "@/server/api/kubeconfig";

export const dynamic = "force-dynamic";

/** POST { validity, kind } → the kubeconfig as an attachment (never cached). */
export async function POST(req: Request, ctx: { params: Promise<{ projectId: string; clusterId: string }> }) {
  const { projectId, clusterId } = await ctx.params;
  return downloadKubeconfig(req, projectId, clusterId);
}
