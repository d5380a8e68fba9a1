import type { MadeByCluster } from "@/server/contracts/cluster-status";
import { CSI_META_PVC_NAME, CSI_META_PVC_NAMESPACE, serviceOfLb } from "../../names";
import type { Observed } from "../observe";
import type { ClusterScope, PhaseResult } from "../scope";

/**
 * The load balancers and volumes the cluster made for itself, as this
 * pass observed them (no extra call): what the cluster page lists and the
 * running cost prices.
 */
export function madeByCluster(clusterId: string, o: Observed, nowIso: string): MadeByCluster {
  const serverName = new Map([...o.servers.values()].map((s) => [s.id, s.name]));
  return {
    at: nowIso,
    loadBalancers: o.serviceLbs.map(({ lb, floatingIps }) => ({
      id: lb.id,
      name: lb.name,
      service: serviceOfLb(clusterId, lb.name),
      vipAddress: lb.vipAddress,
      floatingIp: floatingIps[0]?.address ?? null,
      provisioning: lb.provisioningStatus,
      operating: lb.operatingStatus,
    })),
    strayAddresses: o.strayServiceFips.map((f) => ({ id: f.id, address: f.address })),
    volumes: o.csiVolumes.map((v) => {
      const ns = v.metadata[CSI_META_PVC_NAMESPACE];
      const name = v.metadata[CSI_META_PVC_NAME];
      const server = v.attachedTo[0]?.serverId;
      return {
        id: v.id,
        name: v.name,
        sizeGb: v.sizeGb,
        volumeType: v.volumeType,
        status: v.status,
        availabilityZone: v.availabilityZone,
        claim: ns && name ? { namespace: ns, name } : null,
        attachedTo: server ? (serverName.get(server) ?? server) : null,
      };
    }),
  };
}

/** Every flow but delete: the status carries what the cluster made, priced and listed. */
export function madeByClusterPhase(scope: ClusterScope): PhaseResult {
  const made = madeByCluster(scope.cluster.id, scope.observed, scope.now.toISOString());
  return { actions: [], done: true, status: () => ({ madeByCluster: made }) };
}
