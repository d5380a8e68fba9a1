import { env, oidcConfigured } from "@/server/env";
import { KUBECONFIG_VALIDITIES, type KubeconfigRequest } from "@/server/contracts/kubeconfig";
import { certificateKubeconfig, oidcKubeconfig } from "@/server/kube/kubeconfig";
import { issueCertificate } from "@/server/kube/pki";
import { ensureClusterPki } from "@/server/kube/store";
import { recordAudit } from "../audit/record";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import { loadCluster } from "./view";

/**
 * A kubeconfig for the caller: an admin client certificate (CN = the
 * user's email, O = system:masters) signed by the cluster CA, valid for the
 * chosen time; or, with the console's OIDC provider configured, an exec
 * kubeconfig that carries no secret. Every download is audited (the
 * certificate's serial and expiry, never the key).
 */
export async function issueKubeconfig(args: {
  ctx: ServiceContext;
  project: ProjectAccess;
  clusterId: string;
  request: KubeconfigRequest;
  now?: Date;
}): Promise<{ filename: string; content: string; expiresAt: Date | null }> {
  const { ctx, project, request } = args;
  const cluster = await loadCluster(ctx.db, project.id, args.clusterId);
  if (cluster.deletionRequestedAt)
    throw new ServiceError("PRECONDITION_FAILED", `Cluster ${cluster.name} is being deleted`);
  const server = cluster.status.apiEndpoint;
  if (!server)
    throw new ServiceError(
      "PRECONDITION_FAILED",
      `Cluster ${cluster.name} has no API address yet; the kubeconfig is available once its load balancer is up`,
    );
  const pki = await ensureClusterPki(ctx.db, cluster, ctx.encryptionKey);
  const caCertPem = [pki.ca.certPem, pki.previousCaCertPem].filter(Boolean).join("\n");
  const filename = `${cluster.name}-kubeconfig.yaml`;
  const audit = (details: Record<string, string>) =>
    recordAudit(ctx.db, ctx, {
      action: "cluster.kubeconfig.download",
      outcome: "success",
      projectId: project.id,
      targetType: "cluster",
      targetId: cluster.id,
      targetLabel: cluster.name,
      details,
    });
  if (request.kind === "oidc") {
    const e = env();
    if (!oidcConfigured(e) || !e.OIDC_ISSUER || !e.OIDC_CLIENT_ID)
      throw new ServiceError("PRECONDITION_FAILED", "Single sign-on is not configured for this console");
    const content = oidcKubeconfig({
      clusterName: cluster.name,
      server,
      caCertPem,
      issuerUrl: e.OIDC_ISSUER,
      clientId: e.OIDC_CLIENT_ID,
    });
    await audit({ kind: "oidc" });
    return { filename: `${cluster.name}-oidc-kubeconfig.yaml`, content, expiresAt: null };
  }
  const validity = KUBECONFIG_VALIDITIES[request.validity];
  const cert = await issueCertificate({
    ca: pki.ca,
    commonName: ctx.actor.email,
    organizations: ["system:masters"],
    usage: "client",
    validityMs: validity.ms,
    now: args.now,
  });
  const content = certificateKubeconfig({
    clusterName: cluster.name,
    server,
    caCertPem,
    user: ctx.actor.email,
    clientCertPem: cert.certPem,
    clientKeyPem: cert.keyPem,
  });
  await audit({ kind: "certificate", validity: request.validity, expiresAt: cert.notAfter.toISOString() });
  return { filename, content, expiresAt: cert.notAfter };
}
