import type { ClusterSpec } from "@/server/contracts/cluster";
import type { CloudCatalog } from "@/server/contracts/cloud-catalog";
import { desiredGroupSize } from "./placement";

export type QuotaKey =
  | "instances"
  | "cores"
  | "ram"
  | "volumes"
  | "gigabytes"
  | "loadbalancers"
  | "floatingips"
  | "security_groups"
  | "networks"
  | "routers"
  | "server_groups";

export const QUOTA_LABEL: Record<QuotaKey, string> = {
  instances: "instances",
  cores: "vCPUs",
  ram: "RAM (MB)",
  volumes: "volumes",
  gigabytes: "volume storage (GB)",
  loadbalancers: "load balancers",
  floatingips: "floating IPs",
  security_groups: "security groups",
  networks: "networks",
  routers: "routers",
  server_groups: "server groups",
};

/** What creating this cluster takes from the project's quotas (autoscaling groups at their minimum). */
export function requiredResources(
  spec: Pick<ClusterSpec, "masterCount" | "masterFlavor" | "etcd" | "nodeGroups" | "apiAccess" | "network">,
  catalog: Pick<CloudCatalog, "flavors" | "masterRootDiskGb">,
): Record<QuotaKey, number> {
  // The flavor's figures as the cloud's Nova states them.
  const flavor = (name: string) => {
    const f = catalog.flavors.find((x) => x.name === name);
    return f ? { vcpus: f.vcpus, ramGb: f.ramMb / 1024 } : { vcpus: 0, ramGb: 0 };
  };
  const m = flavor(spec.masterFlavor);
  let instances = spec.masterCount;
  let cores = spec.masterCount * m.vcpus;
  let ram = spec.masterCount * m.ramGb * 1024;
  let gigabytes = spec.masterCount * (spec.etcd.sizeGb + catalog.masterRootDiskGb);
  let volumes = spec.masterCount * 2;
  for (const g of spec.nodeGroups) {
    const n = desiredGroupSize(g, 0);
    const f = flavor(g.flavor);
    instances += n;
    cores += n * f.vcpus;
    ram += n * f.ramGb * 1024;
    volumes += n;
    gigabytes += n * g.diskGb;
  }
  const own = spec.network.mode === "new" ? 1 : 0;
  return {
    instances,
    cores,
    ram,
    volumes,
    gigabytes,
    loadbalancers: 1,
    floatingips: spec.apiAccess.public ? 1 : 0,
    security_groups: 3,
    networks: own,
    routers: own,
    server_groups: 1 + spec.nodeGroups.filter((g) => g.antiAffinity).length,
  };
}

export interface QuotaProblem {
  resource: QuotaKey;
  required: number;
  available: number;
  limit: number;
  message: string;
}

/** Every quota the spec would exceed, with a message naming it. A limit of -1 is unlimited. */
export function quotaProblems(
  spec: Parameters<typeof requiredResources>[0],
  snapshot: Record<string, { limit: number; used: number }>,
  catalog: Parameters<typeof requiredResources>[1],
): QuotaProblem[] {
  const need = requiredResources(spec, catalog);
  const out: QuotaProblem[] = [];
  for (const [k, required] of Object.entries(need) as Array<[QuotaKey, number]>) {
    const q = snapshot[k];
    if (!q || q.limit < 0 || required === 0) continue;
    const available = Math.max(0, q.limit - q.used);
    if (required > available) {
      out.push({
        resource: k,
        required,
        available,
        limit: q.limit,
        message: `Quota exceeded for ${QUOTA_LABEL[k]}: this cluster needs ${required}, ${available} of ${q.limit} are available`,
      });
    }
  }
  return out;
}
