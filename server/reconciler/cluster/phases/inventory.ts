import type { Inventory } from "@/server/contracts/cluster-status";
import { addonOf, type Observed } from "../observe";
import type { ClusterScope, PhaseResult } from "../scope";

/**
 * The load balancers and volumes the console made for the cluster, as this
 * pass observed them (no extra call), each with what it is for: the
 * Overview's "Load balancers and volumes" summary.
 */
export function inventory(o: Observed): Inventory {
  const serverName = new Map([...o.servers.values()].map((s) => [s.id, s.name]));
  const apiFip = o.floatingIp?.address ?? null;
  const lbs = [
    ...(o.lb ? [{ lb: o.lb, purpose: "Kubernetes API", floatingIp: apiFip }] : []),
    ...o.addonLbs.map((x) => ({
      lb: x.lb,
      purpose: `Addon ${x.addon}`,
      floatingIp: o.addonFips.find((f) => addonOf(f.tags) === x.addon)?.address ?? null,
    })),
  ];
  return {
    loadBalancers: lbs.map(({ lb, purpose, floatingIp }) => ({
      id: lb.id,
      name: lb.name,
      purpose,
      vipAddress: lb.vipAddress,
      floatingIp,
      provisioning: lb.provisioningStatus,
      operating: lb.operatingStatus,
    })),
    volumes: [...o.volumes.values()]
      .map((v) => {
        const server = v.attachedTo[0]?.serverId;
        const attachedTo = server ? (serverName.get(server) ?? server) : null;
        const addon = v.metadata["kc-addon"];
        const purpose =
          v.metadata["kc-role"] === "etcd"
            ? `etcd of master ${Number(v.metadata["kc-index"] ?? 0) + 1}`
            : addon
              ? `Addon ${addon}`
              : (v.metadata["kc-role"] ?? "Cluster volume");
        return {
          id: v.id,
          name: v.name,
          purpose,
          sizeGb: v.sizeGb,
          volumeType: v.volumeType,
          status: v.status,
          availabilityZone: v.availabilityZone,
          attachedTo,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** Every flow but delete: the status lists what the console made for the cluster. */
export function inventoryPhase(scope: ClusterScope): PhaseResult {
  const made = inventory(scope.observed);
  return { actions: [], done: true, status: () => ({ inventory: made }) };
}
