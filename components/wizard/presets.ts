import type { ClusterSpecInput } from "@/server/contracts/cluster";

export type Purpose = "evaluation" | "development" | "production";

export const PURPOSES: Array<{ id: Purpose; title: string; text: string }> = [
  {
    id: "evaluation",
    title: "Evaluation",
    text: "One master, one small node. Cheapest way to try things out; not highly available.",
  },
  {
    id: "development",
    title: "Development",
    text: "Three masters in one zone and a small autoscaling group: survives the loss of a master.",
  },
  {
    id: "production",
    title: "Production",
    text: "Three masters across all zones, autoscaling nodes in two zones: survives the loss of a zone.",
  },
];

/** The cloud's smallest flavor with at least this many vCPUs and GB of RAM (else its largest; "" when it has none). */
export function pickFlavor(
  flavors: ReadonlyArray<{ name: string; vcpus: number; ramGb: number; gpus?: number }>,
  vcpus: number,
  ramGb: number,
): string {
  const general = flavors.filter((f) => !f.gpus);
  const pool = general.length ? general : flavors;
  const fits = pool.find((f) => f.vcpus >= vcpus && f.ramGb >= ramGb);
  return (fits ?? pool.at(-1))?.name ?? "";
}

/** What a preset needs from the project's cloud: its zones and flavors (sorted small to large). */
export interface PresetCloud {
  zones: readonly string[];
  flavors: ReadonlyArray<{ name: string; vcpus: number; ramGb: number; gpus?: number }>;
}

/**
 * Sensible defaults per purpose, on the catalog's newest version, with the
 * cloud's own zones and flavors; volume types are left to the cloud's
 * defaults. Every value stays editable.
 */
export function presetSpec(
  purpose: Purpose,
  version: string | null,
  cloud: PresetCloud,
  name = "",
): ClusterSpecInput {
  const [zoneA = "", zoneB = zoneA] = cloud.zones;
  const flavor = (vcpus: number, ramGb: number) => pickFlavor(cloud.flavors, vcpus, ramGb);
  const common = {
    name,
    ...(version ? { version } : {}),
    cni: "calico" as const,
    podCidr: "10.100.0.0/16",
    serviceCidr: "10.254.0.0/16",
    network: { mode: "new" as const, cidr: "10.0.0.0/24" },
    apiAccess: { public: true, allowedCidrs: [] },
  };
  switch (purpose) {
    case "evaluation":
      return {
        ...common,
        topology: "single",
        masterCount: 1,
        masterZone: zoneA,
        masterFlavor: flavor(2, 4),
        etcd: { sizeGb: 10 },
        nodeGroups: [
          { name: "workers", flavor: flavor(2, 4), zone: zoneA, scaling: { mode: "fixed", size: 1 } },
        ],
      };
    case "development":
      return {
        ...common,
        topology: "standard",
        masterCount: 3,
        masterZone: zoneA,
        masterFlavor: flavor(2, 4),
        etcd: { sizeGb: 10 },
        nodeGroups: [
          {
            name: "workers",
            flavor: flavor(4, 8),
            zone: zoneA,
            scaling: { mode: "autoscale", min: 1, max: 3 },
          },
        ],
      };
    case "production":
      return {
        ...common,
        topology: "regional",
        masterCount: 3,
        masterZone: zoneA,
        masterFlavor: flavor(4, 8),
        etcd: { sizeGb: 20 },
        nodeGroups: [
          {
            name: "workers-a",
            flavor: flavor(8, 16),
            zone: zoneA,
            scaling: { mode: "autoscale", min: 2, max: 6 },
          },
          {
            name: "workers-b",
            flavor: flavor(8, 16),
            zone: zoneB,
            scaling: { mode: "autoscale", min: 2, max: 6 },
          },
        ],
      };
  }
}
