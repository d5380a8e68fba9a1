import { z } from "zod";

/**
 * What a project's cloud offers, as the worker last read it from the cloud's
 * own APIs (Nova, Cinder, Glance, Neutron) and the operator's configuration.
 * Zones, flavors, volume types and Kubernetes versions are data checked
 * against this, never compile-time lists.
 */
export const CatalogFlavor = z.object({
  id: z.string(),
  name: z.string(),
  vcpus: z.number().int().nonnegative(),
  ramMb: z.number().int().nonnegative(),
  /** Root disk of the flavor (0: the flavor has none, the node boots from a volume anyway). */
  diskGb: z.number().nonnegative(),
  ephemeralGb: z.number().nonnegative(),
  isPublic: z.boolean(),
  /** GPUs the flavor's extra specs ask for (PCI aliases or resources:VGPU), 0 when none. */
  gpus: z.number().int().nonnegative(),
  /** `hw:cpu_policy` (dedicated/shared/mixed) when the flavor sets it. */
  cpuPolicy: z.string().nullable(),
  extraSpecs: z.record(z.string(), z.string()),
  /** From the operator's price list; null means "price not set", never 0. */
  pricePerHour: z.number().nonnegative().nullable(),
});
export type CatalogFlavor = z.infer<typeof CatalogFlavor>;

export const CatalogVolumeType = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  isDefault: z.boolean(),
  pricePerGbMonth: z.number().nonnegative().nullable(),
});
export type CatalogVolumeType = z.infer<typeof CatalogVolumeType>;

/** A node image for one Kubernetes version. */
export const CatalogImage = z.object({
  id: z.string(),
  name: z.string(),
  kubernetesVersion: z.string(),
  osDistro: z.string().nullable(),
  osVersion: z.string().nullable(),
  /** Found by its Glance properties (the image-builder convention) or by the operator's name pattern. */
  matchedBy: z.enum(["properties", "name"]),
});
export type CatalogImage = z.infer<typeof CatalogImage>;

export const CloudCatalog = z.object({
  /** Which cloud this is, as the project settings name it. */
  cloud: z.object({
    authUrl: z.string(),
    region: z.string().nullable(),
    /** The Keystone project id the credentials act in. */
    projectId: z.string(),
  }),
  computeZones: z.array(z.string()),
  volumeZones: z.array(z.string()),
  /** The Cinder zone for a volume beside a server of each compute zone (null: let Cinder choose). */
  volumeZoneOf: z.record(z.string(), z.string().nullable()),
  flavors: z.array(CatalogFlavor),
  volumeTypes: z.array(CatalogVolumeType),
  /** The type etcd volumes use unless a cluster says otherwise (operator choice or a guess); null when none fits. */
  etcdVolumeType: z.string().nullable(),
  /** The type node root disks use unless a node group says otherwise. */
  nodeDiskType: z.string().nullable(),
  masterRootDiskGb: z.number().int().positive(),
  images: z.array(CatalogImage),
  externalNetworks: z.array(z.object({ id: z.string(), name: z.string() })),
  /** The external network routers and floating IPs use. */
  externalNetworkId: z.string().nullable(),
  dnsNameservers: z.array(z.string()),
  currency: z.string(),
  hoursPerMonth: z.number().positive(),
  loadBalancerPerHour: z.number().nonnegative().nullable(),
  floatingIpPerHour: z.number().nonnegative().nullable(),
  /** What the console needs and this cloud lacks, in words an operator can act on. */
  problems: z.array(z.string()),
  fetchedAt: z.string(),
});
export type CloudCatalog = z.infer<typeof CloudCatalog>;
