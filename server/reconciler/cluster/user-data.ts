import type { ClusterSpec, NodeGroupSpec } from "@/server/contracts/cluster";
import { firstServiceIp } from "@/server/domain/cidr";
import { masterCloudConfig, workerCloudConfig, type BootstrapToken } from "@/server/kube/cloud-config";
import { apiServerAltNames } from "@/server/kube/pki";
import type { ClusterPki } from "@/server/kube/store";
import { resourceNames } from "../names";
import type { Observed } from "./observe";

/** What the PKI gives the plan: the control-plane material, the token nodes join with, whether kubeadm init ran. */
export interface NodeCredentials {
  controlPlane: ClusterPki["controlPlane"];
  bootstrapToken: BootstrapToken;
  initialized: boolean;
}

/** The API's port on the load balancer and on every master. */
export const API_PORT = 6443;

/**
 * The one place that renders a node's user data (for boot and for rebuild)
 * and the API server's certificate names: the public address, the VIP,
 * the masters' own addresses and the in-cluster service names and IP.
 * Rendering needs the API load balancer's VIP (every node's endpoint) and,
 * for a master, its etcd volume: callers gate on both.
 */
export function nodeUserData(args: {
  cluster: { id: string; name: string; spec: ClusterSpec };
  observed: Observed;
  credentials: NodeCredentials;
  now: Date;
}) {
  const { cluster, observed: o, credentials: c, now } = args;
  const spec = cluster.spec;
  const n = resourceNames(cluster.name);
  const altNames = (masterIps: Array<string | undefined>) =>
    apiServerAltNames(
      [o.floatingIp?.address, o.lb?.vipAddress, ...masterIps].filter((a): a is string => Boolean(a)),
      firstServiceIp(spec.serviceCidr),
    );
  const endpoint = () => {
    const host = o.lb?.vipAddress;
    if (!host) throw new Error("the API load balancer has no VIP yet: nodes cannot be given an endpoint");
    return { host, port: API_PORT };
  };
  const base = (nodeName: string) => ({
    cluster: { id: cluster.id, name: cluster.name },
    version: spec.version,
    endpoint: endpoint(),
    caCertPem: c.controlPlane.ca.certPem,
    token: c.bootstrapToken,
    nodeName,
    now,
  });
  return {
    altNames,
    /** Master `index` (its name and etcd volume follow from it) at `ip`. */
    master: (index: number, ip: string | undefined) => {
      const volume = o.volumes.get(n.etcdVolume(index));
      if (!volume)
        throw new Error(`${n.etcdVolume(index)} does not exist yet: the master cannot name its etcd disk`);
      return masterCloudConfig({
        ...base(n.master(index)),
        // The first master inits a new cluster. A single master rebuilt later inits again over its etcd
        // volume (same CAs and keys, etcd data kept); in a multi-master cluster a rebuilt master joins.
        mode: index === 0 && (!c.initialized || spec.masterCount === 1) ? "init" : "join",
        reinit: index === 0 && c.initialized && spec.masterCount === 1,
        advertiseAddress: ip,
        certSANs: altNames([ip]).filter((a) => a !== "127.0.0.1" && a !== "localhost"),
        podCidr: spec.podCidr,
        serviceCidr: spec.serviceCidr,
        etcdVolumeId: volume.id,
        material: c.controlPlane,
      });
    },
    worker: (g: NodeGroupSpec, nodeName: string) =>
      workerCloudConfig({ ...base(nodeName), group: g.name, labels: g.labels, taints: g.taints }),
  };
}
