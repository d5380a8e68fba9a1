import { CLOUD_CONFIG_SECRET } from "@/server/domain/charts";
import { HASH_ANNOTATION, stamped, type Manifest } from "@/server/kube/helm";
import { readCloudCredential, writeCloudCredential } from "@/server/kube/store";
import { cloudCredentialName } from "../../names";
import { apiOf, NOTHING, type Action, type ClusterScope, type PhaseResult } from "../scope";

/**
 * The cluster's own cloud identity: a Keystone application credential made
 * for it under the project's user (restricted: it cannot make credentials
 * of its own; the user's roles on the project), found again by its exact
 * name, its secret stored encrypted, written into the cluster as
 * kube-system/cloud-config (`cloud.conf`) for the OpenStack cloud
 * controller and Cinder CSI, and deleted with the cluster (teardown).
 *
 * Crash-safe: Keystone shows a secret once, so a credential found without
 * its stored secret (a crash between the create and the write) is deleted
 * and made again; one stored but gone from Keystone is forgotten and made
 * again.
 */
export async function cloudCredentialPhase(scope: ClusterScope): Promise<PhaseResult> {
  const { cluster, cloud, observed: o, deps } = scope;
  const found = o.appCredential;
  const stored = await readCloudCredential(deps.db, cluster.id, deps.encryptionKey);
  const name = cloudCredentialName(cluster.id);

  if (found && stored?.id !== found.id)
    return step({
      label: "Replace the cluster's application credential (its secret was never stored)",
      run: async () => {
        await cloud.identity.deleteApplicationCredential(found.id);
      },
    });
  if (!found) {
    const auth = await cloud.session.auth();
    if (auth.applicationCredential?.restricted) {
      // No cloud controller will ever initialize the nodes (their kubelets run with --cloud-provider=external):
      // without their uninitialized taint removed, nothing but system pods would ever run on them.
      const tainted = [...(apiOf(scope)?.kubeNodes.values() ?? [])].filter((n) =>
        n.taints.some((t) => t.key === UNINITIALIZED_TAINT),
      );
      const kube = apiOf(scope)?.kube;
      return {
        ...NOTHING,
        actions: kube
          ? tainted.map((n) => ({
              label: `Remove the cloud provider's uninitialized taint from ${n.name} (no cloud controller can run)`,
              run: () => kube.removeNodeTaint(n.name, UNINITIALIZED_TAINT),
            }))
          : [],
        done: tainted.length === 0,
        cloudConfigReady: false,
        status: () => ({ cloudIntegration: { available: false, reason: RESTRICTED_BINDING } }),
      };
    }
    return step({
      label: "Create the cluster's application credential for its cloud controller and volumes",
      run: async () => {
        const made = await cloud.identity.createApplicationCredential({
          name,
          description: `Cloud controller and Cinder CSI of Kubernetes cluster ${cluster.name} (${cluster.id}); made by the console and deleted with the cluster`,
        });
        await writeCloudCredential(
          deps.db,
          cluster.id,
          { id: made.id, secret: made.secret },
          deps.encryptionKey,
        );
      },
      event: { type: "Normal", reason: "CloudCredentialCreated", kind: "ApplicationCredential", name },
    });
  }
  const api = apiOf(scope);
  if (!api || !stored) return { ...NOTHING, cloudConfigReady: false };

  const secret = cloudConfigSecret({
    authUrl: cloud.config.authUrl,
    region: cloud.config.region ?? null,
    credential: stored,
    floatingNetworkId: o.externalNetwork?.id ?? null,
    subnetId: o.subnet?.id ?? null,
  });
  const current = (await api.kube.appliedHash(secret)) === secret.metadata.annotations?.[HASH_ANNOTATION];
  if (current)
    return {
      ...NOTHING,
      cloudConfigReady: true,
      status: () => ({ cloudIntegration: { available: true, reason: null } }),
    };
  return {
    actions: [
      {
        label: `Write the cloud credentials to kube-system/${CLOUD_CONFIG_SECRET}`,
        run: () => api.kube.apply(secret),
      },
    ],
    done: false,
    waiting: `Writing the cloud credentials to kube-system/${CLOUD_CONFIG_SECRET}`,
    cloudConfigReady: false,
  };
}

/** The taint a kubelet with `--cloud-provider=external` registers its node with, until the cloud controller initializes it. */
export const UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized";

/** Why a cluster gets no cloud controller or CSI when the project is bound with a restricted credential. */
export const RESTRICTED_BINDING =
  "The project's cloud credentials are a restricted Keystone application credential, which may not make the cluster a credential of its own: LoadBalancer Services and volumes are not available. Bind the project with an unrestricted application credential (or a password) to get them.";

function step(action: Action): PhaseResult {
  return { actions: [action], done: false, waiting: action.label, cloudConfigReady: false };
}

/** cloud.conf as the OpenStack cloud controller and Cinder CSI read it (INI, application credential auth). */
export function cloudConf(args: {
  authUrl: string;
  region: string | null;
  credential: { id: string; secret: string };
  floatingNetworkId: string | null;
  subnetId: string | null;
}): string {
  const ini = (v: string) => {
    if (/[\r\n]/.test(v)) throw new Error("cloud.conf values cannot span lines");
    return v;
  };
  const lines = [
    "[Global]",
    `auth-url=${ini(args.authUrl)}`,
    `application-credential-id=${ini(args.credential.id)}`,
    `application-credential-secret=${ini(args.credential.secret)}`,
    ...(args.region ? [`region=${ini(args.region)}`] : []),
    "",
    "[LoadBalancer]",
    ...(args.floatingNetworkId ? [`floating-network-id=${ini(args.floatingNetworkId)}`] : []),
    ...(args.subnetId ? [`subnet-id=${ini(args.subnetId)}`] : []),
    "create-monitor=true",
    "",
    "[BlockStorage]",
    "ignore-volume-az=true",
    "",
  ];
  return lines.join("\n");
}

export function cloudConfigSecret(args: Parameters<typeof cloudConf>[0]): Manifest {
  return stamped({
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: CLOUD_CONFIG_SECRET,
      namespace: "kube-system",
      labels: { "kube-console.io/managed": "true", "app.kubernetes.io/managed-by": "kube-console" },
    },
    type: "Opaque",
    data: { "cloud.conf": Buffer.from(cloudConf(args)).toString("base64") },
  });
}
