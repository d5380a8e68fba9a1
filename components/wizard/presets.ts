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

/** Sensible defaults per purpose, on the catalog's newest version; every value stays editable. */
export function presetSpec(purpose: Purpose, version: string, name = ""): ClusterSpecInput {
  const common = {
    name,
    version,
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
        masterZone: "ru-msk-a",
        masterFlavor: "STD2-2-4",
        etcd: { volumeType: "high-iops", sizeGb: 10 },
        nodeGroups: [
          { name: "workers", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 1 } },
        ],
      };
    case "development":
      return {
        ...common,
        topology: "standard",
        masterCount: 3,
        masterZone: "ru-msk-a",
        masterFlavor: "STD2-2-4",
        etcd: { volumeType: "high-iops", sizeGb: 10 },
        nodeGroups: [
          {
            name: "workers",
            flavor: "STD2-4-8",
            zone: "ru-msk-a",
            scaling: { mode: "autoscale", min: 1, max: 3 },
          },
        ],
      };
    case "production":
      return {
        ...common,
        topology: "regional",
        masterCount: 3,
        masterZone: "ru-msk-a",
        masterFlavor: "STD2-4-8",
        etcd: { volumeType: "high-iops", sizeGb: 20 },
        nodeGroups: [
          {
            name: "workers-a",
            flavor: "STD3-8-16",
            zone: "ru-msk-a",
            scaling: { mode: "autoscale", min: 2, max: 6 },
          },
          {
            name: "workers-b",
            flavor: "STD3-8-16",
            zone: "ru-msk-b",
            scaling: { mode: "autoscale", min: 2, max: 6 },
          },
        ],
      };
  }
}
