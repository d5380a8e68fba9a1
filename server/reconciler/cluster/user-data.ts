import type { ClusterSpec, NodeGroupSpec } from "@/server/contracts/cluster";
import { firstServiceIp } from "@/server/domain/cidr";
import { nodeCloudConfig } from "@/server/kube/cloud-config";
import { apiServerAltNames } from "@/server/kube/pki";
import type { Observed } from "./observe";

/** What the PKI gives the plan: the CA certificate, and serving certificates on demand. */
export interface NodeCredentials {
  caCertPem: string;
  issueApiServerCert(altNames: string[]): Promise<{ certPem: string; keyPem: string }>;
}

/**
 * The one place that renders a node's user data (for boot and for rebuild)
 * and the API server's certificate names: the public address, the VIP,
 * the masters' own addresses and the in-cluster service IP.
 */
export function nodeUserData(args: {
  cluster: { id: string; name: string; spec: ClusterSpec };
  observed: Observed;
  credentials: NodeCredentials;
}) {
  const { cluster, observed: o, credentials } = args;
  const spec = cluster.spec;
  const altNames = (masterIps: Array<string | undefined>) =>
    apiServerAltNames(
      [o.floatingIp?.address, o.lb?.vipAddress, ...masterIps].filter((a): a is string => Boolean(a)),
      firstServiceIp(spec.serviceCidr),
    );
  const node = (role: "master" | "worker", g?: NodeGroupSpec) => ({
    clusterId: cluster.id,
    clusterName: cluster.name,
    role,
    group: g?.name ?? null,
    labels: g?.labels ?? {},
    taints: g?.taints ?? [],
  });
  return {
    altNames,
    master: async (masterIp: string | undefined) =>
      nodeCloudConfig({
        node: node("master"),
        version: spec.version,
        caCertPem: credentials.caCertPem,
        apiServer: await credentials.issueApiServerCert(altNames([masterIp])),
      }),
    worker: (g: NodeGroupSpec) =>
      nodeCloudConfig({ node: node("worker", g), version: spec.version, caCertPem: credentials.caCertPem }),
  };
}
