import type { Db } from "@/db/client";
import { cloudQuotas, type NetworkSnapshot, type QuotaSnapshot } from "@/db/schema";
import type { OpenStackCloud } from "@/server/openstack";

/** Read quotas and usage from every service and store them for the wizard's check. */
export async function refreshQuotas(
  db: Db,
  projectId: string,
  cloud: OpenStackCloud,
): Promise<QuotaSnapshot> {
  const cloudProject = (await cloud.session.auth()).projectId;
  const [limits, volumes, network, lbQuota, lbs, nets, subnets] = await Promise.all([
    cloud.compute.limits(),
    cloud.blockStorage.quotaUsage(cloudProject),
    cloud.network.quotaDetails(cloudProject),
    cloud.loadBalancer.quota(cloudProject),
    cloud.loadBalancer.listLoadBalancers(),
    cloud.network.listNetworks({ external: false }),
    cloud.network.listSubnets(),
  ]);
  // The project's own networks with subnets, leaving out the ones clusters made (tagged kc-cluster=…).
  const networks: NetworkSnapshot = nets
    .filter((nw) => !nw.tags.some((t) => t.startsWith("kc-cluster=")))
    .map((nw) => ({
      id: nw.id,
      name: nw.name,
      subnets: subnets
        .filter((sb) => sb.networkId === nw.id)
        .map((sb) => ({ id: sb.id, name: sb.name, cidr: sb.cidr })),
    }))
    .filter((nw) => nw.subnets.length > 0);
  const n = (k: string) => network[k] ?? { limit: -1, used: 0 };
  const data: QuotaSnapshot = {
    instances: { limit: limits.maxTotalInstances, used: limits.totalInstancesUsed },
    cores: { limit: limits.maxTotalCores, used: limits.totalCoresUsed },
    ram: { limit: limits.maxTotalRAMSize, used: limits.totalRAMUsed },
    server_groups: { limit: limits.maxServerGroups, used: limits.totalServerGroupsUsed },
    volumes: { limit: volumes.volumes.limit, used: volumes.volumes.in_use },
    gigabytes: { limit: volumes.gigabytes.limit, used: volumes.gigabytes.in_use },
    floatingips: n("floatingip"),
    security_groups: n("security_group"),
    networks: n("network"),
    routers: n("router"),
    loadbalancers: { limit: lbQuota.load_balancer, used: lbs.length },
  };
  const fetchedAt = new Date();
  await db
    .insert(cloudQuotas)
    .values({ projectId, data, networks, fetchedAt })
    .onConflictDoUpdate({ target: cloudQuotas.projectId, set: { data, networks, fetchedAt } });
  return data;
}
