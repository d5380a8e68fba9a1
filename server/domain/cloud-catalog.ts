import { z } from "zod";
import type {
  CatalogFlavor,
  CatalogImage,
  CatalogVolumeType,
  CloudCatalog,
} from "@/server/contracts/cloud-catalog";
import { PRICES, type PriceList } from "./cost";
import { ALL_VERSIONS } from "./versions";

/**
 * The operator's configuration of a cloud (CONSOLE_CLOUD_CONFIG, a YAML
 * file): prices, which volume types etcd and node disks use, DNS, the
 * external network, the node image name pattern and zone mapping. Every
 * field is optional; what is missing is guessed from the cloud and said.
 */
export const OperatorCloudConfig = z
  .object({
    prices: z
      .object({
        currency: z.string().min(1).max(8).default("EUR"),
        hoursPerMonth: z.number().positive().max(744).default(730),
        flavors: z.record(z.string(), z.number().nonnegative()).default({}),
        volumeTypesPerGbMonth: z.record(z.string(), z.number().nonnegative()).default({}),
        loadBalancerPerHour: z.number().nonnegative().optional(),
        floatingIpPerHour: z.number().nonnegative().optional(),
      })
      .strict()
      .optional(),
    etcdVolumeType: z.string().min(1).optional(),
    nodeDiskType: z.string().min(1).optional(),
    masterRootDiskGb: z.number().int().min(10).max(500).default(40),
    dnsNameservers: z.array(z.ipv4().or(z.ipv6())).max(5).optional(),
    /** Name or id of the external network for routers and floating IPs. */
    externalNetwork: z.string().min(1).optional(),
    /**
     * Fallback for images without Kubernetes properties: a regular
     * expression with a named group `version` (e.g. `^k8s-(?<version>1\.\d+\.\d+)$`).
     */
    imageNamePattern: z
      .string()
      .max(200)
      .refine((p) => {
        try {
          return new RegExp(p).source.includes("?<version>");
        } catch {
          return false;
        }
      }, "must be a valid regular expression with a named group (?<version>…)")
      .optional(),
    /** Compute zone → Cinder zone, for clouds whose Cinder zones are named differently. */
    volumeZones: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type OperatorCloudConfig = z.infer<typeof OperatorCloudConfig>;

/** What the worker read from the cloud, in the adapter's terms. */
export interface RawCloud {
  cloud: CloudCatalog["cloud"];
  computeZones: Array<{ name: string; available: boolean }>;
  volumeZones: Array<{ name: string; available: boolean }>;
  flavors: Array<{
    id: string;
    name: string;
    vcpus: number;
    ramMb: number;
    diskGb: number;
    ephemeralGb: number;
    isPublic: boolean;
    extraSpecs: Record<string, string>;
  }>;
  volumeTypes: Array<{ id: string; name: string; description: string | null }>;
  /** The id of Cinder's default volume type, when the cloud says. */
  defaultVolumeTypeId: string | null;
  images: Array<{ id: string; name: string; status: string; properties: Record<string, unknown> }>;
  externalNetworks: Array<{ id: string; name: string }>;
}

/** The price list a cloud uses: the operator's, or for the built-in emulator its own. */
export interface CloudPrices {
  currency: string;
  hoursPerMonth: number;
  flavors: Record<string, number>;
  volumeTypesPerGbMonth: Record<string, number>;
  loadBalancerPerHour?: number;
  floatingIpPerHour?: number;
}

const VERSION = /^v?(1\.\d+\.\d+)$/;

/** The Kubernetes version an image is for: its properties first (image-builder/Magnum), then the name pattern. */
function imageVersion(
  image: RawCloud["images"][number],
  pattern: RegExp | null,
): { version: string; matchedBy: CatalogImage["matchedBy"] } | null {
  for (const key of ["kube_version", "kubernetes_version"]) {
    const v = image.properties[key];
    const m = typeof v === "string" ? VERSION.exec(v.trim()) : null;
    if (m) return { version: m[1]!, matchedBy: "properties" };
  }
  const named = pattern?.exec(image.name)?.groups?.version;
  const m = named ? VERSION.exec(named) : null;
  return m ? { version: m[1]!, matchedBy: "name" } : null;
}

const str = (v: unknown) => (typeof v === "string" && v ? v : null);

function gpusOf(extraSpecs: Record<string, string>): number {
  let n = 0;
  const alias = extraSpecs["pci_passthrough:alias"];
  if (alias)
    for (const part of alias.split(",")) {
      const count = Number(part.split(":")[1] ?? "1");
      n += Number.isInteger(count) && count > 0 ? count : 1;
    }
  for (const k of ["resources:VGPU", "resources:PGPU"]) {
    const count = Number(extraSpecs[k] ?? 0);
    if (Number.isInteger(count) && count > 0) n += count;
  }
  return n;
}

/** A type whose name or description says it is fast (for etcd): iops/nvme first, then ssd. */
function guessFastType(types: CatalogVolumeType[]): CatalogVolumeType | undefined {
  const text = (t: CatalogVolumeType) => `${t.name} ${t.description ?? ""}`;
  return types.find((t) => /iops|nvme|ultra|fast/i.test(text(t))) ?? types.find((t) => /ssd/i.test(text(t)));
}

function pickType(
  types: CatalogVolumeType[],
  configured: string | undefined,
  guess: () => CatalogVolumeType | undefined,
  what: string,
  problems: string[],
): string | null {
  if (configured) {
    if (types.some((t) => t.name === configured)) return configured;
    problems.push(
      `The configured ${what} volume type '${configured}' does not exist in this cloud (it has ${types.map((t) => t.name).join(", ") || "no volume types"})`,
    );
  }
  return guess()?.name ?? null;
}

/** The catalog of a cloud: its zones, flavors, types, images and networks with the operator's choices and prices. */
export function buildCatalog(
  raw: RawCloud,
  config: OperatorCloudConfig,
  prices: CloudPrices | null,
  now: Date,
): CloudCatalog {
  const problems: string[] = [];
  // Every zone Nova lists, also one that is down right now: clusters placed there stay valid.
  const computeZones = raw.computeZones
    .filter((z) => z.name !== "internal")
    .map((z) => z.name)
    .sort();
  if (computeZones.length === 0) problems.push("Nova lists no compute zone");
  const volumeZones = raw.volumeZones.map((z) => z.name).sort();

  const flavors: CatalogFlavor[] = raw.flavors
    .map((f) => ({
      id: f.id,
      name: f.name,
      vcpus: f.vcpus,
      ramMb: f.ramMb,
      diskGb: f.diskGb,
      ephemeralGb: f.ephemeralGb,
      isPublic: f.isPublic,
      gpus: gpusOf(f.extraSpecs),
      cpuPolicy: f.extraSpecs["hw:cpu_policy"] ?? null,
      extraSpecs: f.extraSpecs,
      pricePerHour: prices?.flavors[f.name] ?? null,
    }))
    .sort((a, b) => a.vcpus - b.vcpus || a.ramMb - b.ramMb || a.name.localeCompare(b.name));
  if (flavors.length === 0) problems.push("Nova lists no flavor this project may use");

  const volumeTypes: CatalogVolumeType[] = raw.volumeTypes
    .map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      isDefault: t.id === raw.defaultVolumeTypeId,
      pricePerGbMonth: prices?.volumeTypesPerGbMonth[t.name] ?? null,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (volumeTypes.length === 0) problems.push("Cinder lists no volume type");
  const defaultType = () => volumeTypes.find((t) => t.isDefault) ?? volumeTypes[0];
  const etcdVolumeType = pickType(
    volumeTypes,
    config.etcdVolumeType,
    () => guessFastType(volumeTypes) ?? defaultType(),
    "etcd",
    problems,
  );
  if (!config.etcdVolumeType && etcdVolumeType && !guessFastType(volumeTypes))
    problems.push(
      `No high-IOPS volume type found for etcd; etcd volumes use '${etcdVolumeType}' (set etcdVolumeType in CONSOLE_CLOUD_CONFIG)`,
    );
  const nodeDiskType = pickType(volumeTypes, config.nodeDiskType, defaultType, "node disk", problems);

  let pattern: RegExp | null = null;
  if (config.imageNamePattern) pattern = new RegExp(config.imageNamePattern);
  const byVersion = new Map<string, CatalogImage>();
  for (const image of raw.images) {
    if (image.status !== "active") continue;
    const found = imageVersion(image, pattern);
    if (!found || !ALL_VERSIONS.includes(found.version)) continue;
    const current = byVersion.get(found.version);
    // Properties beat a name match; otherwise the first listed (Glance lists newest first) wins.
    if (current && (current.matchedBy === "properties" || found.matchedBy === "name")) continue;
    byVersion.set(found.version, {
      id: image.id,
      name: image.name,
      kubernetesVersion: found.version,
      osDistro: str(image.properties.os_distro),
      osVersion: str(image.properties.os_version),
      matchedBy: found.matchedBy,
    });
  }
  const images = [...byVersion.values()].sort((a, b) =>
    a.kubernetesVersion.localeCompare(b.kubernetesVersion, undefined, { numeric: true }),
  );
  if (images.length === 0)
    problems.push(
      `No node image found: Glance has no active image with a kube_version property naming an offered Kubernetes version (${ALL_VERSIONS.slice(-3).join(", ")}, …)${pattern ? " and none matches imageNamePattern" : ""}`,
    );

  const externalNetworks = [...raw.externalNetworks].sort((a, b) => a.name.localeCompare(b.name));
  let externalNetworkId: string | null = null;
  if (config.externalNetwork) {
    externalNetworkId =
      externalNetworks.find((n) => n.id === config.externalNetwork || n.name === config.externalNetwork)
        ?.id ?? null;
    if (!externalNetworkId)
      problems.push(
        `The configured external network '${config.externalNetwork}' is not visible to this project (it sees ${externalNetworks.map((n) => n.name).join(", ") || "none"})`,
      );
  } else {
    externalNetworkId = externalNetworks[0]?.id ?? null;
    if (externalNetworks.length > 1)
      problems.push(
        `Several external networks (${externalNetworks.map((n) => n.name).join(", ")}); using '${externalNetworks[0]!.name}' (set externalNetwork in CONSOLE_CLOUD_CONFIG)`,
      );
  }
  if (externalNetworks.length === 0)
    problems.push("No external network: clusters need one for their router and public addresses");

  const volumeZoneOf = Object.fromEntries(
    computeZones.map((z) => [z, volumeZoneFor({ volumeZones }, z, config.volumeZones) ?? null]),
  );
  return {
    cloud: raw.cloud,
    computeZones,
    volumeZones,
    volumeZoneOf,
    flavors,
    volumeTypes,
    etcdVolumeType,
    nodeDiskType,
    masterRootDiskGb: config.masterRootDiskGb,
    images,
    externalNetworks,
    externalNetworkId,
    dnsNameservers: config.dnsNameservers ?? [],
    currency: prices?.currency ?? "EUR",
    hoursPerMonth: prices?.hoursPerMonth ?? 730,
    loadBalancerPerHour: prices?.loadBalancerPerHour ?? null,
    floatingIpPerHour: prices?.floatingIpPerHour ?? null,
    problems,
    fetchedAt: now.toISOString(),
  };
}

/** Kubernetes versions this cloud has a node image for. */
export function catalogVersions(c: CloudCatalog): string[] {
  return c.images.map((i) => i.kubernetesVersion);
}

/** The Cinder zone for a volume beside a server in `computeZone`: the same name if Cinder has it, a mapped one, or none. */
export function volumeZoneFor(
  c: Pick<CloudCatalog, "volumeZones">,
  computeZone: string,
  mapping: Record<string, string> = {},
): string | undefined {
  const mapped = mapping[computeZone];
  if (mapped && c.volumeZones.includes(mapped)) return mapped;
  return c.volumeZones.includes(computeZone) ? computeZone : undefined;
}

const list = (xs: string[]) => (xs.length ? xs.join(", ") : "none");

/**
 * The places a spec names zones, flavors, volume types and its version,
 * checked against the cloud's catalog; each issue on its field, naming the
 * value and what exists.
 */
export function checkAgainstCatalog(
  spec: {
    /** null: not checked (an update that keeps the version). */
    version: string | null | undefined;
    topology: string;
    masterCount: number;
    masterZone?: string | undefined;
    masterFlavor: string;
    etcd: { volumeType?: string | undefined };
    nodeGroups: ReadonlyArray<{ flavor: string; zone: string; diskType?: string | undefined }>;
  },
  c: CloudCatalog,
): Array<{ path: Array<string | number>; message: string }> {
  const issues: Array<{ path: Array<string | number>; message: string }> = [];
  const flavorNames = c.flavors.map((f) => f.name);
  const typeNames = c.volumeTypes.map((t) => t.name);
  const versions = catalogVersions(c);
  if (spec.version && !versions.includes(spec.version))
    issues.push({
      path: ["version"],
      message: `This cloud has no node image for Kubernetes ${spec.version}; it offers ${list(versions)}`,
    });
  const zone = (path: Array<string | number>, z: string | undefined) => {
    if (z !== undefined && !c.computeZones.includes(z))
      issues.push({
        path,
        message: `Zone '${z}' does not exist in this cloud; its zones: ${list(c.computeZones)}`,
      });
  };
  if (spec.topology !== "regional") zone(["masterZone"], spec.masterZone);
  const flavor = (path: Array<string | number>, f: string) => {
    if (!flavorNames.includes(f))
      issues.push({
        path,
        message: `Flavor '${f}' does not exist in this cloud; choose one of ${list(flavorNames)}`,
      });
  };
  const type = (path: Array<string | number>, t: string | undefined) => {
    if (t !== undefined && !typeNames.includes(t))
      issues.push({
        path,
        message: `Volume type '${t}' does not exist in this cloud; its types: ${list(typeNames)}`,
      });
  };
  flavor(["masterFlavor"], spec.masterFlavor);
  type(["etcd", "volumeType"], spec.etcd.volumeType);
  spec.nodeGroups.forEach((g, i) => {
    flavor(["nodeGroups", i, "flavor"], g.flavor);
    zone(["nodeGroups", i, "zone"], g.zone);
    type(["nodeGroups", i, "diskType"], g.diskType);
  });
  return issues;
}

/** Warnings that do not stop a create (said in the wizard's review and the create answer). */
export function placementWarnings(
  spec: { topology: string; masterCount: number },
  c: CloudCatalog,
): string[] {
  if (spec.topology !== "regional") return [];
  const zones = c.computeZones.length;
  if (zones === 0) return [];
  if (zones === 1)
    return [
      "This cloud has one zone: the masters of a regional cluster all run in it, as in a standard cluster",
    ];
  const most = Math.ceil(spec.masterCount / zones);
  // etcd keeps quorum while a majority survives the loss of the fullest zone.
  if (spec.masterCount - most >= Math.floor(spec.masterCount / 2) + 1) return [];
  return [
    `This cloud has ${zones} zones: ${most} of the ${spec.masterCount} masters share a zone, and losing that zone loses etcd quorum`,
  ];
}

/**
 * The built-in emulator's configuration: its own price list (the one the
 * emulator's flavors were seeded from) and public resolvers for its subnets.
 */
export const EMULATOR_CLOUD_CONFIG: OperatorCloudConfig = OperatorCloudConfig.parse({
  prices: {
    currency: PRICES.currency,
    hoursPerMonth: PRICES.hoursPerMonth,
    flavors: PRICES.flavors,
    volumeTypesPerGbMonth: PRICES.volumeTypesPerGbMonth,
    loadBalancerPerHour: PRICES.loadBalancerPerHour ?? undefined,
    floatingIpPerHour: PRICES.floatingIpPerHour ?? undefined,
  },
  etcdVolumeType: "high-iops",
  nodeDiskType: PRICES.masterRootDiskType ?? undefined,
  masterRootDiskGb: PRICES.masterRootDiskGb,
  dnsNameservers: ["8.8.8.8", "1.1.1.1"],
});

/** The catalog's prices as a price list for the cost estimate (what is not priced stays unpriced). */
export function catalogPrices(c: CloudCatalog): PriceList {
  const flavors: Record<string, number> = {};
  for (const f of c.flavors) if (f.pricePerHour !== null) flavors[f.name] = f.pricePerHour;
  const volumeTypesPerGbMonth: Record<string, number> = {};
  for (const t of c.volumeTypes)
    if (t.pricePerGbMonth !== null) volumeTypesPerGbMonth[t.name] = t.pricePerGbMonth;
  return {
    currency: c.currency,
    hoursPerMonth: c.hoursPerMonth,
    flavors,
    volumeTypesPerGbMonth,
    loadBalancerPerHour: c.loadBalancerPerHour,
    floatingIpPerHour: c.floatingIpPerHour,
    masterRootDiskGb: c.masterRootDiskGb,
    masterRootDiskType: c.nodeDiskType,
  };
}
