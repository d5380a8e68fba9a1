import type { ClusterStatus } from "@/db/schema";
import { issueCertificate } from "@/server/kube/pki";
import { completeCaRotation } from "@/server/kube/store";
import { NOTHING, type Action, type ClusterScope, type PhaseResult } from "../scope";

const SERVING_VALIDITY_MS = 365 * 86_400_000;

/**
 * CA rotation, in two steps through the kube-system/kc-apiserver-pki Secret:
 * trust clients of both CAs (still serving an old-CA certificate, so
 * existing kubeconfigs keep working), then serve a new-CA certificate and
 * trust only the new CA, once a new-CA client is seen to be accepted.
 */
export function caRotationPhase(scope: ClusterScope): PhaseResult {
  const api = scope.api;
  const startedAt = api?.pki.rotationStartedAt;
  if (!api || !startedAt) return NOTHING;
  const { pki, kube, kubeNodes } = api;
  const previous = pki.previousCa;
  let caRotation: ClusterStatus["caRotation"] = scope.cluster.status.caRotation;
  const result = (action: Action | null, waiting: string): PhaseResult => ({
    actions: action ? [action] : [],
    done: false,
    waiting,
    status: () => ({ caRotation }),
  });
  if (!kube || !kubeNodes || !previous)
    return result(null, "Waiting for the Kubernetes API to rotate the CA");
  const altNames = api.userData.altNames(
    [...scope.observed.servers.values()]
      .filter((s) => s.tags.includes("kc-role=master"))
      .map((s) => s.fixedIps[0]),
  );
  const event = { type: "Normal" as const, reason: "CARotation", kind: "Cluster", name: scope.cluster.name };
  const started = startedAt.toISOString();
  const trusting = caRotation?.phase === "trusting" && caRotation.at >= started;
  if (!trusting)
    return result(
      {
        label: "Trust the new cluster CA alongside the old one",
        run: async () => {
          const serving = await issueCertificate({
            ca: previous,
            commonName: "kube-apiserver",
            usage: "server",
            altNames,
            validityMs: SERVING_VALIDITY_MS,
          });
          await kube.putPkiSecret({
            caBundle: `${pki.ca.certPem}\n${previous.certPem}`,
            cert: serving.certPem,
            key: serving.keyPem,
          });
          caRotation = { phase: "trusting", at: new Date().toISOString() };
        },
        event,
      },
      "Rotating the cluster CA: trusting both CAs",
    );
  return result(
    {
      label: "Complete the CA rotation: serve and trust only the new CA",
      run: async () => {
        // A client of the new CA must be accepted before the old CA goes.
        const probe = await issueCertificate({
          ca: pki.ca,
          commonName: "kube-console-probe",
          organizations: ["system:masters"],
          usage: "client",
          validityMs: 600_000,
        });
        const kubeFor = scope.deps.kubeFor ?? (await import("@/server/kube/client")).createKubeClient;
        await kubeFor({
          server: `https://${api.publicAddress}:6443`,
          caCertPem: `${pki.ca.certPem}\n${previous.certPem}`,
          clientCertPem: probe.certPem,
          clientKeyPem: probe.keyPem,
        }).listNodes();
        const serving = await issueCertificate({
          ca: pki.ca,
          commonName: "kube-apiserver",
          usage: "server",
          altNames,
          validityMs: SERVING_VALIDITY_MS,
        });
        await kube.putPkiSecret({ caBundle: pki.ca.certPem, cert: serving.certPem, key: serving.keyPem });
        await completeCaRotation(scope.deps.db, scope.cluster, scope.deps.encryptionKey);
        caRotation = { phase: "done", at: new Date().toISOString() };
      },
      event,
    },
    "Rotating the cluster CA: retiring the old CA",
  );
}
