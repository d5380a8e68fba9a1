import type { ClusterSpec } from "@/server/contracts/cluster";
import type { ConstraintSpec, EnforcementAction } from "@/server/contracts/policies";
import { parseTemplateYaml, templatesInUse } from "@/server/domain/policies";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";

import { changeSpec } from "./intent";

/**
 * Policy verbs (Gatekeeper, constraints, templates). Each re-validates the
 * whole spec (constraint parameters against their template), so a refused
 * change changes nothing; the reconciler does the rest.
 */

type Args = { ctx: ServiceContext; project: ProjectAccess; clusterId: string; generation: number };

export function setGatekeeper(a: Args & { enabled: boolean }) {
  return changeSpec(a, a.enabled ? "policy.gatekeeperOn" : "policy.gatekeeperOff", {}, (spec) => ({
    ...spec,
    policies: { ...spec.policies, gatekeeper: a.enabled },
  }));
}

/** Create a constraint, or edit one (`originalName`: the name it had; a new name renames it). */
export function saveConstraint(a: Args & { constraint: ConstraintSpec; originalName?: string }) {
  const editing = a.originalName !== undefined;
  return changeSpec(
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
  return changeSpec(a, action, { constraint: a.name, ...details }, (spec) => {
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
  return changeSpec(a, "policy.deleteConstraint", { constraint: a.name }, (spec) => {
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
  return changeSpec(a, "policy.addTemplate", { kind }, (spec) => {
    const others = spec.policies.templates.filter((t) => parseTemplateYaml(t).template?.kind !== kind);
    return { ...spec, policies: { ...spec.policies, templates: [...others, a.yaml] } };
  });
}

export function deleteTemplate(a: Args & { kind: string }) {
  return changeSpec(a, "policy.deleteTemplate", { kind: a.kind }, (spec) => {
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
