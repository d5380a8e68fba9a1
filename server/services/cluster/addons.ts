import type { ClusterSpec } from "@/server/contracts/cluster";
import type { AddonChoice, ConstraintSpec, EnforcementAction } from "@/server/contracts/policies";
import { addonEntry } from "@/server/domain/addons";
import { parseTemplateYaml, templatesInUse } from "@/server/domain/policies";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import { revalidate } from "./change";
import { writeIntent } from "./shared";

/**
 * Addon and policy verbs. Each changes one part of the cluster intent and
 * re-validates the whole spec (compatibility, values against the schema,
 * NodePort and ingress-class clashes, constraint parameters against their
 * template), so a refused change changes nothing; the reconciler does the rest.
 */

type Args = { ctx: ServiceContext; project: ProjectAccess; clusterId: string; generation: number };

const cmpVersion = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

function change(
  a: Args,
  action: string,
  details: Record<string, string | number | boolean | null>,
  fn: (spec: ClusterSpec) => ClusterSpec,
) {
  return writeIntent({
    ...a,
    expectedGeneration: a.generation,
    kind: "update",
    action,
    details,
    change: (spec) => revalidate(fn(spec)),
  });
}

/** Install an addon, or reconfigure/upgrade one that is installed (downgrades are refused). */
export function installAddon(a: Args & { addon: AddonChoice }) {
  const entry = addonEntry(a.addon.id);
  if (!entry)
    throw new ServiceError("VALIDATION", `Unknown addon '${a.addon.id}'`, {
      fieldErrors: { id: [`Unknown addon '${a.addon.id}'`] },
    });
  return change(a, "addon.install", { addon: a.addon.id, version: a.addon.version }, (spec) => {
    const current = spec.addons.find((x) => x.id === a.addon.id);
    if (current && cmpVersion(a.addon.version, current.version) < 0)
      throw new ServiceError(
        "VALIDATION",
        `${entry.name} ${current.version} is installed; downgrading to ${a.addon.version} is not supported. Uninstall it first to install an older version.`,
        { fieldErrors: { version: ["Downgrades are not supported"] } },
      );
    return {
      ...spec,
      addons: current
        ? spec.addons.map((x) => (x.id === a.addon.id ? a.addon : x))
        : [...spec.addons, a.addon],
    };
  });
}

export function uninstallAddon(a: Args & { id: string }) {
  return change(a, "addon.uninstall", { addon: a.id }, (spec) => {
    const entry = addonEntry(a.id);
    if (!spec.addons.some((x) => x.id === a.id))
      throw new ServiceError("NOT_FOUND", `${entry?.name ?? a.id} is not installed`);
    if (entry && !entry.removable)
      throw new ServiceError("VALIDATION", `${entry.name} is a system addon and cannot be removed`);
    return { ...spec, addons: spec.addons.filter((x) => x.id !== a.id) };
  });
}

export function setGatekeeper(a: Args & { enabled: boolean }) {
  return change(a, a.enabled ? "policy.gatekeeperOn" : "policy.gatekeeperOff", {}, (spec) => ({
    ...spec,
    policies: { ...spec.policies, gatekeeper: a.enabled },
  }));
}

/** Create a constraint, or edit one (`originalName`: the name it had; a new name renames it). */
export function saveConstraint(a: Args & { constraint: ConstraintSpec; originalName?: string }) {
  const editing = a.originalName !== undefined;
  return change(
    a,
    editing ? "policy.updateConstraint" : "policy.createConstraint",
    {
      constraint: a.constraint.name,
      kind: a.constraint.kind,
      enforcementAction: a.constraint.enforcementAction,
    },
    (spec) => {
      const list = spec.policies.constraints;
      if (editing && !list.some((c) => c.name === a.originalName))
        throw new ServiceError("NOT_FOUND", `Constraint ${a.originalName} not found`);
      if (list.some((c) => c.name === a.constraint.name && c.name !== a.originalName))
        throw new ServiceError("CONFLICT", `A constraint named ${a.constraint.name} already exists`, {
          fieldErrors: { name: [`A constraint named ${a.constraint.name} already exists`] },
        });
      const constraints = editing
        ? list.map((c) => (c.name === a.originalName ? a.constraint : c))
        : [...list, a.constraint];
      return { ...spec, policies: { ...spec.policies, constraints } };
    },
  );
}

function constraintOf(spec: ClusterSpec, name: string): ConstraintSpec {
  const c = spec.policies.constraints.find((x) => x.name === name);
  if (!c) throw new ServiceError("NOT_FOUND", `Constraint ${name} not found`);
  return c;
}

/** Change one field of one constraint. */
function patchConstraint(
  a: Args & { name: string },
  action: string,
  details: Record<string, string | number | boolean | null>,
  patch: Partial<ConstraintSpec>,
) {
  return change(a, action, { constraint: a.name, ...details }, (spec) => {
    constraintOf(spec, a.name);
    const constraints = spec.policies.constraints.map((c) => (c.name === a.name ? { ...c, ...patch } : c));
    return { ...spec, policies: { ...spec.policies, constraints } };
  });
}

export function setEnforcement(a: Args & { name: string; enforcementAction: EnforcementAction }) {
  return patchConstraint(
    a,
    "policy.setEnforcement",
    { enforcementAction: a.enforcementAction },
    { enforcementAction: a.enforcementAction },
  );
}

export function setConstraintEnabled(a: Args & { name: string; enabled: boolean }) {
  return patchConstraint(
    a,
    a.enabled ? "policy.enableConstraint" : "policy.disableConstraint",
    {},
    {
      enabled: a.enabled,
    },
  );
}

export function deleteConstraint(a: Args & { name: string }) {
  return change(a, "policy.deleteConstraint", { constraint: a.name }, (spec) => {
    constraintOf(spec, a.name);
    return {
      ...spec,
      policies: { ...spec.policies, constraints: spec.policies.constraints.filter((c) => c.name !== a.name) },
    };
  });
}

/** Upload a custom ConstraintTemplate (replaces an uploaded one of the same kind). */
export function addTemplate(a: Args & { yaml: string }) {
  const parsed = parseTemplateYaml(a.yaml);
  if (!parsed.template) {
    const lines = parsed.issues.map((i) => (i.line ? `line ${i.line}: ${i.message}` : i.message));
    throw new ServiceError("VALIDATION", `The template is invalid: ${lines[0]}`, {
      fieldErrors: { yaml: lines },
    });
  }
  const kind = parsed.template.kind;
  return change(a, "policy.addTemplate", { kind }, (spec) => {
    const others = spec.policies.templates.filter((t) => parseTemplateYaml(t).template?.kind !== kind);
    return { ...spec, policies: { ...spec.policies, templates: [...others, a.yaml] } };
  });
}

export function deleteTemplate(a: Args & { kind: string }) {
  return change(a, "policy.deleteTemplate", { kind: a.kind }, (spec) => {
    const templates = spec.policies.templates.filter((t) => parseTemplateYaml(t).template?.kind !== a.kind);
    if (templates.length === spec.policies.templates.length)
      throw new ServiceError(
        "NOT_FOUND",
        `No uploaded template ${a.kind} (built-in templates cannot be deleted)`,
      );
    const users = templatesInUse(spec.policies, a.kind);
    if (users.length)
      throw new ServiceError(
        "PRECONDITION_FAILED",
        `${a.kind} is used by constraint${users.length > 1 ? "s" : ""} ${users.join(", ")}; delete ${users.length > 1 ? "them" : "it"} first`,
      );
    return { ...spec, policies: { ...spec.policies, templates } };
  });
}
