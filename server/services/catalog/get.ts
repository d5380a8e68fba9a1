import { z } from "zod";
import { AUTOSCALE_DEFAULTS, ClusterSpec, LIMITS } from "@/server/contracts/cluster";
import { KUBECONFIG_VALIDITIES } from "@/server/contracts/kubeconfig";
import {
  ADDONS,
  addonResources,
  defaultAddons,
  defaultValuesYaml,
  supports,
  type AddonEntry,
} from "@/server/domain/addons";
import { catalogVersions } from "@/server/domain/cloud-catalog";
import { defaultPolicies } from "@/server/domain/policies";
import { SYSTEM_NAMESPACES } from "@/server/domain/policy-library";
import { VERSIONS, versionInfo } from "@/server/domain/versions";
import { catalogState } from "../cloud/catalog";
import type { ServiceContext } from "../context";
import type { ProjectAccess } from "../project/access";
import { templateViews } from "./list-templates";

/**
 * The cluster spec as JSON Schema (what a user may write): the spec editor's
 * completion and hover. The server still checks with zod; this is help only.
 */
const SPEC_SCHEMA = z.toJSONSchema(ClusterSpec, { io: "input", unrepresentable: "any" }) as Record<
  string,
  unknown
>;

/** An addon as the UI shows and configures it; the schema is the editor's help, values are checked on the server. */
function addonView(entry: AddonEntry) {
  return {
    id: entry.id,
    name: entry.name,
    category: entry.category,
    description: entry.description,
    removable: entry.removable,
    requires: entry.requires,
    /** Newest first; each with the Kubernetes minors of the catalog it runs on. */
    versions: entry.versions.map((v) => ({
      version: v.version,
      appVersion: v.appVersion,
      kubernetes: v.kubernetes,
      kubernetesMinors: VERSIONS.map((k) => k.minor).filter((m) => supports(v, `${m}.0`)),
    })),
    defaultValues: defaultValuesYaml(entry),
    /** The JSON Schema the values are checked against (the editor's completion and hover). */
    valuesSchema: entry.valuesSchema,
    defaultResources: addonResources(entry, entry.defaultValues),
  };
}

/**
 * What this project can build: the Kubernetes versions its cloud has node
 * images for (newest first), the cloud's zones, flavors and volume types,
 * the addon catalog with each version's defaults, the policy library and a
 * new cluster's policies. The cloud's part is what the worker last read
 * (`cloud` says when, and whether it is being read again).
 */
export async function getCatalog({ ctx, project }: { ctx: ServiceContext; project: ProjectAccess }) {
  const state = await catalogState(ctx.db, project.id);
  const cloud = state.catalog;
  const withImage = new Set(cloud ? catalogVersions(cloud) : []);
  const today = new Date();
  const versions = [...VERSIONS].reverse().flatMap((v) =>
    [...v.patches]
      .reverse()
      .filter((patch) => withImage.has(patch))
      .map((patch) => {
        const info = versionInfo(patch, today)!;
        return {
          version: patch,
          minor: v.minor,
          endOfLife: v.endOfLife,
          endOfLifeReached: info.endOfLifeReached,
        };
      }),
  );
  return {
    versions,
    newestVersion: versions[0]?.version ?? null,
    flavors: (cloud?.flavors ?? []).map((f) => ({
      name: f.name,
      vcpus: f.vcpus,
      ramGb: Math.round((f.ramMb / 1024) * 100) / 100,
      diskGb: f.diskGb,
      gpus: f.gpus,
      pricePerHour: f.pricePerHour,
    })),
    volumeTypes: (cloud?.volumeTypes ?? []).map((t) => ({
      name: t.name,
      description: t.description,
      isDefault: t.isDefault,
      pricePerGbMonth: t.pricePerGbMonth,
    })),
    etcdVolumeType: cloud?.etcdVolumeType ?? null,
    nodeDiskType: cloud?.nodeDiskType ?? null,
    currency: cloud?.currency ?? "EUR",
    cloud: {
      ready: cloud !== null,
      fetchedAt: state.fetchedAt,
      refreshing: state.refreshing,
      error: state.error,
      problems: cloud?.problems ?? [],
      /** The cloud really in use (binding, operator's cloud or the built-in emulator), as its Keystone answered. */
      authUrl: cloud?.cloud.authUrl ?? null,
      region: cloud?.cloud.region ?? null,
      keystoneProjectId: cloud?.cloud.projectId ?? null,
      volumeZones: cloud?.volumeZones ?? [],
      images: (cloud?.images ?? []).map((i) => ({ name: i.name, kubernetesVersion: i.kubernetesVersion })),
      externalNetwork: cloud?.externalNetworks.find((n) => n.id === cloud.externalNetworkId)?.name ?? null,
    },
    addons: ADDONS.map(addonView),
    specSchema: SPEC_SCHEMA,
    /** The addons a new cluster starts with, per Kubernetes version. */
    defaultAddons: Object.fromEntries(versions.map((v) => [v.version, defaultAddons(v.version)])),
    defaultPolicies: defaultPolicies(),
    systemNamespaces: [...SYSTEM_NAMESPACES],
    zones: cloud?.computeZones ?? [],
    limits: LIMITS,
    autoscaleDefaults: AUTOSCALE_DEFAULTS,
    kubeconfigValidities: Object.entries(KUBECONFIG_VALIDITIES).map(([value, v]) => ({
      value: value as keyof typeof KUBECONFIG_VALIDITIES,
      label: v.label,
    })),
    /** The library's ConstraintTemplates (a cluster's own ones: catalog.templates). */
    templates: templateViews([]),
  };
}
