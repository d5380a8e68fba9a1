import { AUTOSCALE_DEFAULTS, LIMITS, ZONES } from "@/server/contracts/cluster";
import { KUBECONFIG_VALIDITIES } from "@/server/contracts/kubeconfig";
import {
  ADDONS,
  addonResources,
  defaultAddons,
  defaultValuesYaml,
  supports,
  type AddonEntry,
} from "@/server/domain/addons";
import { FLAVORS } from "@/server/domain/flavors";
import { defaultPolicies } from "@/server/domain/policies";
import { SYSTEM_NAMESPACES } from "@/server/domain/policy-library";
import { NEWEST_VERSION, VERSIONS, versionInfo } from "@/server/domain/versions";
import type { ServiceContext } from "../context";
import type { ProjectAccess } from "../project/access";
import { templateViews } from "./list-templates";

/** An addon as the UI shows and configures it (no schema: values are checked on the server). */
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
    defaultResources: addonResources(entry, entry.defaultValues),
  };
}

/**
 * What this project can build: Kubernetes versions (newest first), flavors,
 * the addon catalog with each version's defaults, the policy library and a
 * new cluster's policies. Per project: flavors will come from its cloud.
 */
export function getCatalog({ project }: { ctx: ServiceContext; project: ProjectAccess }) {
  void project;
  const today = new Date();
  const versions = [...VERSIONS].reverse().flatMap((v) =>
    [...v.patches].reverse().map((patch) => {
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
    newestVersion: NEWEST_VERSION,
    flavors: FLAVORS,
    addons: ADDONS.map(addonView),
    /** The addons a new cluster starts with, per Kubernetes version. */
    defaultAddons: Object.fromEntries(versions.map((v) => [v.version, defaultAddons(v.version)])),
    defaultPolicies: defaultPolicies(),
    systemNamespaces: [...SYSTEM_NAMESPACES],
    zones: [...ZONES],
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
