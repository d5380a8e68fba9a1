import type { Db } from "@/db/client";
import { cloudQuotas, type QuotaSnapshot } from "@/db/schema";
import type { OpenStackCloud } from "@/server/openstack";

/** Read quotas and usage from every service and store them for the wizard's check. */
export async function refreshQuotas(
  db: Db,
  projectId: string,
  cloud: OpenStackCloud,
): Promise<QuotaSnapshot> {
  const cloudProject = (await cloud.session.auth()).projectId;
  const [limits, volumes, network, lbQuota, lbs] = await Promise.all([
    cloud.compute.limits(),
    cloud.blockStorage.quotaUsage(cloudProject),
    cloud.network.quotaDetails(cloudProject),
    cloud.loadBalancer.quota(cloudProject),
    cloud.loadBalancer.listLoadBalancers(),
  ]);
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
    .values({ projectId, data, fetchedAt })
    .onConflictDoUpdate({ target: cloudQuotas.projectId, set: { data, fetchedAt } });
  return data;
}
