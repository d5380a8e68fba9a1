import type { LbHealth } from "@/db/schema";
import type { OpenStackCloud } from "@/server/openstack";
import type { LoadBalancer } from "@/server/openstack/loadbalancer";
import type { Observed } from "../observe";
import { NOTHING, type ClusterEvent, type ClusterScope, type PhaseResult } from "../scope";

/** How often a running cluster's load balancers are looked at closely (status tree, amphorae, stats). */
export const LB_HEALTH_MS = 10_000;

/**
 * The health of the API and addon load balancers and those the cluster's cloud controller made: provisioning and
 * operating status, each backend member's status, the active/standby
 * amphorae and active connections. A MASTER amphora that changes is a
 * VRRP failover, recorded as an event.
 */
export async function lbHealth(
  cloud: OpenStackCloud,
  observed: Observed,
  prev: Record<string, LbHealth> | undefined,
  nowIso: string,
): Promise<{ health: Record<string, LbHealth>; events: ClusterEvent[] }> {
  const lbs: LoadBalancer[] = [
    ...(observed.lb ? [observed.lb] : []),
    ...observed.addonLbs.map((x) => x.lb),
    ...observed.serviceLbs.map((x) => x.lb),
  ];
  const events: ClusterEvent[] = [];
  const health: Record<string, LbHealth> = {};
  await Promise.all(
    lbs.map(async (lb) => {
      const was = prev?.[lb.name];
      if (lb.provisioningStatus !== "ACTIVE" && lb.provisioningStatus !== "PENDING_UPDATE") {
        health[lb.name] = {
          ...(was ?? { master: null, failovers: 0, members: [], activeConnections: 0 }),
          id: lb.id,
          at: nowIso,
          provisioning: lb.provisioningStatus,
          operating: lb.operatingStatus,
          members: [],
          activeConnections: 0,
        };
        return;
      }
      const [tree, amphorae, stats] = await Promise.all([
        cloud.loadBalancer.statusTree(lb.id).catch(() => null),
        cloud.loadBalancer.amphorae(lb.id).catch(() => null),
        cloud.loadBalancer.stats(lb.id).catch(() => null),
      ]);
      const members = (tree?.listeners ?? []).flatMap((l) =>
        l.pools.flatMap((p) =>
          p.members.map((m) => ({
            pool: p.name,
            address: `${m.address}:${m.protocol_port}`,
            status: m.operating_status,
          })),
        ),
      );
      const master = amphorae?.find((a) => a.role === "MASTER") ?? null;
      const standby = amphorae?.find((a) => a.role === "BACKUP") ?? null;
      let failovers = was?.failovers ?? 0;
      if (master && was?.master && was.master !== master.id) {
        failovers += 1;
        events.push({
          type: "Warning",
          reason: "Failover",
          kind: "LoadBalancer",
          name: lb.name,
          message:
            `VRRP failover: amphora ${was.master.slice(0, 8)} stopped answering; the standby ${master.id.slice(0, 8)} took over the VIP ${lb.vipAddress}` +
            `${standby ? ` and ${standby.id.slice(0, 8)} is being rebuilt as standby (${standby.status})` : ""}; ` +
            `operating status ${tree?.operating_status ?? lb.operatingStatus}`,
        });
      }
      health[lb.name] = {
        id: lb.id,
        at: nowIso,
        provisioning: tree?.provisioning_status ?? lb.provisioningStatus,
        operating: tree?.operating_status ?? lb.operatingStatus,
        master: master?.id ?? was?.master ?? null,
        standby: standby ? { id: standby.id, status: standby.status } : null,
        failovers,
        members,
        activeConnections: stats?.activeConnections ?? 0,
      };
    }),
  );
  return { health, events };
}

/** The load balancers' members, amphorae and connections, every LB_HEALTH_MS on a running cluster. */
export async function lbHealthPhase(scope: ClusterScope): Promise<PhaseResult> {
  const { observed, clusterNow } = scope;
  const prev = scope.cluster.status.loadBalancers;
  const looked = Object.values(prev ?? {})[0]?.at;
  if (
    !(observed.lb || observed.addonLbs.length || observed.serviceLbs.length) ||
    (looked && clusterNow - Date.parse(looked) < LB_HEALTH_MS)
  )
    return NOTHING;
  const h = await lbHealth(scope.cloud, observed, prev, new Date(clusterNow).toISOString());
  return { actions: [], done: true, events: h.events, status: () => ({ loadBalancers: h.health }) };
}
