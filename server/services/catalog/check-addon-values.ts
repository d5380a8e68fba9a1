import { addonEntry, addonResources, checkValues } from "@/server/domain/addons";
import type { CheckAddonValuesInput } from "@/server/contracts/catalog";
import type { ProjectCall } from "../context";

/**
 * An addon's values YAML checked against its schema (issues carry lines),
 * and the cloud resources it would create with them.
 */
export function checkAddonValues({ input }: ProjectCall<CheckAddonValuesInput>) {
  const entry = addonEntry(input.id);
  if (!entry)
    return { issues: [{ line: null, path: "", message: `Unknown addon ${input.id}` }], resources: null };
  const check = checkValues(entry, input.values);
  return {
    issues: check.issues,
    resources: addonResources(entry, check.value ?? entry.defaultValues),
  };
}
