import type { InstallAddonInput, UninstallAddonInput } from "@/server/contracts/addon";
import { addonEntry } from "@/server/domain/addons";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";

import { changeSpec } from "./intent";

/**
 * Addon verbs. Each changes the cluster's addons and re-validates the whole spec
 * (compatibility, values against the schema, NodePort and ingress-class clashes),
 * so a refused change changes nothing; the reconciler does the rest.
 */

type Args<I> = { ctx: ServiceContext; project: ProjectAccess; input: I };

const cmpVersion = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/** Install an addon, or reconfigure/upgrade one that is installed (downgrades are refused). */
export function installAddon(a: Args<InstallAddonInput>) {
  const entry = addonEntry(a.input.addon.id);
  if (!entry)
    throw new ServiceError("VALIDATION", `Unknown addon '${a.input.addon.id}'`, {
      fieldErrors: { id: [`Unknown addon '${a.input.addon.id}'`] },
    });
  return changeSpec(
    a,
    "addon.install",
    { addon: a.input.addon.id, version: a.input.addon.version },
    (spec) => {
      const current = spec.addons.find((x) => x.id === a.input.addon.id);
      if (current && cmpVersion(a.input.addon.version, current.version) < 0)
        throw new ServiceError(
          "VALIDATION",
          `${entry.name} ${current.version} is installed; downgrading to ${a.input.addon.version} is not supported. Uninstall it first to install an older version.`,
          { fieldErrors: { version: ["Downgrades are not supported"] } },
        );
      return {
        ...spec,
        addons: current
          ? spec.addons.map((x) => (x.id === a.input.addon.id ? a.input.addon : x))
          : [...spec.addons, a.input.addon],
      };
    },
  );
}

export function uninstallAddon(a: Args<UninstallAddonInput>) {
  return changeSpec(a, "addon.uninstall", { addon: a.input.id }, (spec) => {
    const entry = addonEntry(a.input.id);
    if (!spec.addons.some((x) => x.id === a.input.id))
      throw new ServiceError("NOT_FOUND", `${entry?.name ?? a.input.id} is not installed`);
    if (entry && !entry.removable)
      throw new ServiceError("VALIDATION", `${entry.name} is a system addon and cannot be removed`);
    return { ...spec, addons: spec.addons.filter((x) => x.id !== a.input.id) };
  });
}
