import type { ClusterSpec } from "@/server/contracts/cluster";
import type { ConstraintSpec } from "@/server/contracts/policies";
import type {
  AddTemplateInput,
  ConstraintRefInput,
  DeleteTemplateInput,
  SaveConstraintInput,
  SetConstraintEnabledInput,
  SetEnforcementInput,
  SetGatekeeperInput,
} from "@/server/contracts/policy";
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

type Args<I> = { ctx: ServiceContext; project: ProjectAccess; input: I };

export function setGatekeeper(a: Args<SetGatekeeperInput>) {
  return changeSpec(a, a.input.enabled ? "policy.gatekeeperOn" : "policy.gatekeeperOff", {}, (spec) => ({
    ...spec,
    policies: { ...spec.policies, gatekeeper: a.input.enabled },
  }));
}

/** Create a constraint, or edit one (`originalName`: the name it had; a new name renames it). */
export function saveConstraint(a: Args<SaveConstraintInput>) {
  const editing = a.input.originalName !== undefined;
  return changeSpec(
    a,
    editing ? "policy.updateConstraint" : "policy.createConstraint",
    {
      constraint: a.input.constraint.name,
      kind: a.input.constraint.kind,
      enforcementAction: a.input.constraint.enforcementAction,
    },
    (spec) => {
      const list = spec.policies.constraints;
      if (editing && !list.some((c) => c.name === a.input.originalName))
        throw new ServiceError("NOT_FOUND", `Constraint ${a.input.originalName} not found`);
      if (list.some((c) => c.name === a.input.constraint.name && c.name !== a.input.originalName))
        throw new ServiceError("CONFLICT", `A constraint named ${a.input.constraint.name} already exists`, {
          fieldErrors: { name: [`A constraint named ${a.input.constraint.name} already exists`] },
        });
      const constraints = editing
        ? list.map((c) => (c.name === a.input.originalName ? a.input.constraint : c))
        : [...list, a.input.constraint];
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
  a: Args<ConstraintRefInput>,
  action: string,
  details: Record<string, string | number | boolean | null>,
  patch: Partial<ConstraintSpec>,
) {
  return changeSpec(a, action, { constraint: a.input.name, ...details }, (spec) => {
    constraintOf(spec, a.input.name);
    const constraints = spec.policies.constraints.map((c) =>
      c.name === a.input.name ? { ...c, ...patch } : c,
    );
    return { ...spec, policies: { ...spec.policies, constraints } };
  });
}

export function setEnforcement(a: Args<SetEnforcementInput>) {
  return patchConstraint(
    a,
    "policy.setEnforcement",
    { enforcementAction: a.input.enforcementAction },
    { enforcementAction: a.input.enforcementAction },
  );
}

export function setConstraintEnabled(a: Args<SetConstraintEnabledInput>) {
  return patchConstraint(
    a,
    a.input.enabled ? "policy.enableConstraint" : "policy.disableConstraint",
    {},
    {
      enabled: a.input.enabled,
    },
  );
}

export function deleteConstraint(a: Args<ConstraintRefInput>) {
  return changeSpec(a, "policy.deleteConstraint", { constraint: a.input.name }, (spec) => {
    constraintOf(spec, a.input.name);
    return {
      ...spec,
      policies: {
        ...spec.policies,
        constraints: spec.policies.constraints.filter((c) => c.name !== a.input.name),
      },
    };
  });
}

/** Upload a custom ConstraintTemplate (replaces an uploaded one of the same kind). */
export function addTemplate(a: Args<AddTemplateInput>) {
  const parsed = parseTemplateYaml(a.input.yaml);
  if (!parsed.template) {
    const lines = parsed.issues.map((i) => (i.line ? `line ${i.line}: ${i.message}` : i.message));
    throw new ServiceError("VALIDATION", `The template is invalid: ${lines[0]}`, {
      fieldErrors: { yaml: lines },
    });
  }
  const kind = parsed.template.kind;
  return changeSpec(a, "policy.addTemplate", { kind }, (spec) => {
    const others = spec.policies.templates.filter((t) => parseTemplateYaml(t).template?.kind !== kind);
    return { ...spec, policies: { ...spec.policies, templates: [...others, a.input.yaml] } };
  });
}

export function deleteTemplate(a: Args<DeleteTemplateInput>) {
  return changeSpec(a, "policy.deleteTemplate", { kind: a.input.kind }, (spec) => {
    const templates = spec.policies.templates.filter(
      (t) => parseTemplateYaml(t).template?.kind !== a.input.kind,
    );
    if (templates.length === spec.policies.templates.length)
      throw new ServiceError(
        "NOT_FOUND",
        `No uploaded template ${a.input.kind} (built-in templates cannot be deleted)`,
      );
    const users = templatesInUse(spec.policies, a.input.kind);
    if (users.length)
      throw new ServiceError(
        "PRECONDITION_FAILED",
        `${a.input.kind} is used by constraint${users.length > 1 ? "s" : ""} ${users.join(", ")}; delete ${users.length > 1 ? "them" : "it"} first`,
      );
    return { ...spec, policies: { ...spec.policies, templates } };
  });
}
