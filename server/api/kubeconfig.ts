import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { z } from "zod";
import { KubeconfigRequest } from "@/server/contracts/kubeconfig";
import { log } from "@/server/log";
import { recordAudit } from "@/server/services/audit/record";
import { sessionUser } from "@/server/services/auth/session-user";
import { issueKubeconfig } from "@/server/services/cluster/kubeconfig";
import { ServiceError } from "@/server/services/errors";
import { requireProjectRole } from "@/server/services/project/access";
import { toTRPCError } from "./errors";
import type { Context } from "./trpc";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/**
 * The kubeconfig download, as a route handler (a file, not JSON): the
 * session is checked against the database, the caller must be at least a
 * member of the project (members may create and delete clusters, so an admin
 * kubeconfig gives them nothing more), and the request must come from the
 * console's own origin. Refusals are audited like tRPC mutations.
 */
export async function downloadKubeconfig(
  request: Context,
  req: Request,
  projectId: string,
  clusterId: string,
): Promise<Response> {
  const { db, session, requestId, clientIp, encryptionKey } = request;
  const meta = { requestId, clientIp };
  if (!session) return json(401, { error: "Sign in to continue" });
  const user = await sessionUser(db, session.userId);
  if (!user) return json(401, { error: "Your session has ended; sign in again" });
  const actor = { userId: user.id, email: user.email };
  const ctx = { db, actor, ...meta, encryptionKey };
  const refuse = async (status: number, code: string, message: string) => {
    await recordAudit(db, ctx, {
      action: "cluster.kubeconfig.download",
      outcome: status === 403 || status === 404 ? "denied" : "failure",
      projectId: z.uuid().safeParse(projectId).success ? projectId : null,
      targetType: "cluster",
      targetId: clusterId,
      errorCode: code,
    }).catch((err: unknown) =>
      log.error("could not audit a refused kubeconfig download", { error: String(err) }),
    );
    return json(status, { error: message, requestId: meta.requestId });
  };
  // Cross-site requests never carry the session (SameSite=Lax), but refuse any foreign origin outright.
  // X-Forwarded-Host is the client's only behind a proxy that TRUST_PROXY names: otherwise the console's
  // HTTP server (server/runtime/http-server.ts) drops it. An Origin that is not a URL ("null" from a
  // sandboxed frame or a file) is foreign too.
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (origin !== null && (!host || originHost(origin) !== host))
    return refuse(403, "FORBIDDEN", "Cross-site request refused");
  if (!z.uuid().safeParse(projectId).success || !z.uuid().safeParse(clusterId).success)
    return refuse(404, "NOT_FOUND", "Cluster not found");
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    return refuse(400, "VALIDATION", "Send JSON: { validity, kind }");
  }
  const input = KubeconfigRequest.safeParse(body);
  if (!input.success) return refuse(400, "VALIDATION", input.error.issues[0]?.message ?? "Invalid request");
  try {
    const project = await requireProjectRole(db, projectId, user.id, "member");
    const out = await issueKubeconfig({ ctx, project, clusterId, request: input.data });
    return new Response(out.content, {
      status: 200,
      headers: {
        "Content-Type": "application/yaml; charset=utf-8",
        "Content-Disposition": `attachment; filename="${out.filename}"`,
        "Cache-Control": "no-store",
        Pragma: "no-cache",
        "X-Content-Type-Options": "nosniff",
        ...(out.expiresAt ? { "X-Kubeconfig-Expires": out.expiresAt.toISOString() } : {}),
      },
    });
  } catch (err) {
    if (err instanceof ServiceError) {
      const status = getHTTPStatusCodeFromError(toTRPCError(err));
      return refuse(status, err.code, err.message);
    }
    log.error("kubeconfig download failed", {
      requestId: meta.requestId,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    return json(500, { error: `Something went wrong on our side. Reference: ${meta.requestId}` });
  }
}
