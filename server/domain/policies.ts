import { stringify, type Node } from "yaml";
import type { ConstraintSpec, PoliciesSpec } from "@/server/contracts/policies";
import { LIBRARY, PRECONFIGURED, SYSTEM_NAMESPACES, type JsonSchema } from "./policy-library";
import { checkValue, nodeAt, parseUserYaml, schemaError, type SchemaIssue } from "./schema-check";

export const GATEKEEPER_MIN_MINOR = 21;
export const TEMPLATE_API = "templates.gatekeeper.sh/v1";
export const CONSTRAINT_API = "constraints.gatekeeper.sh/v1beta1";
export const GATEKEEPER_TARGET = "admission.k8s.gatekeeper.sh";
export const MANAGED_LABEL = "kube-console.io/managed";

/** A constraint template the cluster can use: from the library or uploaded by the user. */
export interface TemplateInfo {
  kind: string;
  name: string;
  title: string;
  description: string;
  family: string;
  source: "library" | "custom";
  parameters: JsonSchema;
  exampleParameters: Record<string, unknown>;
  matchKinds: Array<{ apiGroups: string[]; kinds: string[] }>;
  /** The manifest as `kubectl apply` takes it. */
  manifest: Record<string, unknown>;
}

function libraryManifest(t: (typeof LIBRARY)[number]): Record<string, unknown> {
  return {
    apiVersion: TEMPLATE_API,
    kind: "ConstraintTemplate",
    metadata: {
      name: t.kind.toLowerCase(),
      labels: { [MANAGED_LABEL]: "library" },
      annotations: { "metadata.gatekeeper.sh/title": t.title, description: t.description },
    },
    spec: {
      crd: { spec: { names: { kind: t.kind }, validation: { openAPIV3Schema: t.parameters } } },
      targets: [{ target: GATEKEEPER_TARGET, rego: t.rego }],
    },
  };
}

export const LIBRARY_TEMPLATES: TemplateInfo[] = LIBRARY.map((t) => ({
  kind: t.kind,
  name: t.kind.toLowerCase(),
  title: t.title,
  description: t.description,
  family: t.family,
  source: "library",
  // Library parameters are closed: a misspelt field is an error, not silently ignored.
  parameters: { ...t.parameters, additionalProperties: false },
  exampleParameters: t.exampleParameters,
  matchKinds: t.matchKinds,
  manifest: libraryManifest({ ...t, parameters: { ...t.parameters, additionalProperties: false } }),
}));

export interface TemplateCheck {
  template: TemplateInfo | null;
  issues: SchemaIssue[];
}

/**
 * A user's ConstraintTemplate YAML, checked for what Gatekeeper needs:
 * apiVersion and kind, metadata.name equal to the lowercased CRD kind,
 * a valid openAPIV3Schema for the parameters, and at least one target
 * `admission.k8s.gatekeeper.sh` with Rego that declares a package and a
 * violation rule (or `code` with an engine). Every issue names the field
 * and its line.
 */
export function parseTemplateYaml(text: string): TemplateCheck {
  const parsed = parseUserYaml(text);
  if (parsed.issues.length > 0) return { template: null, issues: parsed.issues };
  const { doc, lineCounter: lc } = parsed;
  const issues: SchemaIssue[] = [];
  const lineAt = (path: Array<string | number>): number | null => {
    const node = nodeAt(doc.contents as Node | null, path.map(String), false);
    return node?.range ? lc.linePos(node.range[0]).line : null;
  };
  const dotted = (path: Array<string | number>) =>
    path
      .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
      .join("")
      .slice(1);
  const fail = (path: Array<string | number>, message: string, at = path) =>
    issues.push({ line: lineAt(at), path: dotted(path), message: `${dotted(path)}: ${message}` });

  const obj = parsed.value as Record<string, unknown> | null;
  if (!obj || typeof obj !== "object" || Array.isArray(obj))
    return {
      template: null,
      issues: [{ line: 1, path: "", message: "The document must be a ConstraintTemplate object" }],
    };
  const get = (o: unknown, ...keys: Array<string | number>): unknown =>
    keys.reduce<unknown>(
      (cur, k) => (cur && typeof cur === "object" ? (cur as Record<string, unknown>)[k] : undefined),
      o,
    );

  if (obj.apiVersion !== TEMPLATE_API && obj.apiVersion !== "templates.gatekeeper.sh/v1beta1")
    fail(["apiVersion"], `must be ${TEMPLATE_API} (found ${JSON.stringify(obj.apiVersion ?? null)})`);
  if (obj.kind !== "ConstraintTemplate")
    fail(["kind"], `must be ConstraintTemplate (found ${JSON.stringify(obj.kind ?? null)})`);
  const kind = get(obj, "spec", "crd", "spec", "names", "kind");
  const name = get(obj, "metadata", "name");
  if (typeof kind !== "string" || !/^[A-Z][A-Za-z0-9]*$/.test(kind))
    fail(
      ["spec", "crd", "spec", "names", "kind"],
      "is required: the constraint kind, in PascalCase (e.g. K8sRequiredAnnotations)",
    );
  if (typeof name !== "string" || !name) fail(["metadata", "name"], "is required");
  else if (typeof kind === "string" && name !== kind.toLowerCase())
    fail(["metadata", "name"], `must be the lowercased CRD kind '${kind.toLowerCase()}' (found '${name}')`);
  const schema = get(obj, "spec", "crd", "spec", "validation", "openAPIV3Schema");
  if (schema !== undefined) {
    const err = schemaError(schema);
    if (err) fail(["spec", "crd", "spec", "validation", "openAPIV3Schema"], `is not a valid schema: ${err}`);
  }
  const targets = get(obj, "spec", "targets");
  if (!Array.isArray(targets) || targets.length === 0)
    fail(["spec", "targets"], `needs one target '${GATEKEEPER_TARGET}' with Rego`, ["spec"]);
  else
    targets.forEach((t: unknown, i) => {
      const target = get(t, "target");
      if (target !== GATEKEEPER_TARGET)
        fail(
          ["spec", "targets", i, "target"],
          `must be ${GATEKEEPER_TARGET} (found ${JSON.stringify(target ?? null)})`,
          ["spec", "targets", i],
        );
      const rego = get(t, "rego");
      const code = get(t, "code");
      if (rego === undefined && code === undefined)
        fail(["spec", "targets", i, "rego"], "is missing: a target needs Rego (or code with an engine)", [
          "spec",
          "targets",
          i,
        ]);
      else if (rego !== undefined) {
        if (typeof rego !== "string" || !rego.trim()) fail(["spec", "targets", i, "rego"], "is empty");
        else {
          if (!/^\s*package\s+[A-Za-z_][\w.]*\s*$/m.test(rego))
            fail(
              ["spec", "targets", i, "rego"],
              "must declare a package (e.g. package k8srequiredannotations)",
            );
          if (!/^\s*violation\s*\[/m.test(rego))
            fail(["spec", "targets", i, "rego"], 'must define a violation[{"msg": msg}] rule');
          const opens = (rego.match(/[{[(]/g) ?? []).length;
          const closes = (rego.match(/[}\])]/g) ?? []).length;
          if (opens !== closes)
            fail(
              ["spec", "targets", i, "rego"],
              `has unbalanced brackets (${opens} opening, ${closes} closing)`,
            );
        }
      } else if (!Array.isArray(code) || code.some((c) => !get(c, "engine") || !get(c, "source")))
        fail(["spec", "targets", i, "code"], "entries need an engine and a source");
    });
  if (issues.length > 0) return { template: null, issues };
  const k = kind as string;
  const annotations = (get(obj, "metadata", "annotations") ?? {}) as Record<string, unknown>;
  return {
    template: {
      kind: k,
      name: k.toLowerCase(),
      title: String(annotations["metadata.gatekeeper.sh/title"] ?? k),
      description: String(annotations.description ?? "Custom template"),
      family: "Custom",
      source: "custom",
      parameters: (schema as JsonSchema | undefined) ?? { type: "object" },
      exampleParameters: {},
      matchKinds: [{ apiGroups: [""], kinds: ["Pod"] }],
      manifest: {
        ...obj,
        metadata: {
          ...(obj.metadata as object),
          labels: { ...((get(obj, "metadata", "labels") as object) ?? {}), [MANAGED_LABEL]: "custom" },
        },
      },
    },
    issues: [],
  };
}

/** Every template the cluster's policies can use, by kind. Invalid custom templates are left out. */
export function templatesOf(policies: Pick<PoliciesSpec, "templates">): Map<string, TemplateInfo> {
  const m = new Map(LIBRARY_TEMPLATES.map((t) => [t.kind, t]));
  for (const text of policies.templates) {
    const t = parseTemplateYaml(text).template;
    if (t && !m.has(t.kind)) m.set(t.kind, t);
  }
  return m;
}

/** Check constraint parameters against the template's schema; messages name the field (`parameters.repos`). */
export function checkParameters(template: TemplateInfo, parameters: unknown): SchemaIssue[] {
  return checkValue(parameters ?? {}, template.parameters, "parameters");
}

export interface PolicyIssue {
  path: Array<string | number>;
  message: string;
}

/** Every rule the policies of a cluster on `kubernetes` must satisfy. */
export function checkPolicies(policies: PoliciesSpec, kubernetes: string | null): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  if (policies.gatekeeper && kubernetes) {
    const minor = Number(kubernetes.split(".")[1]);
    if (minor < GATEKEEPER_MIN_MINOR)
      out.push({
        path: ["gatekeeper"],
        message: `Gatekeeper needs Kubernetes 1.${GATEKEEPER_MIN_MINOR} or newer`,
      });
  }
  const kinds = new Map<string, number>(LIBRARY_TEMPLATES.map((t) => [t.kind, -1]));
  policies.templates.forEach((text, i) => {
    const r = parseTemplateYaml(text);
    if (!r.template) {
      const first = r.issues[0]!;
      out.push({
        path: ["templates", i],
        message: `Template ${i + 1}${first.line ? `, line ${first.line}` : ""}: ${first.message}`,
      });
      return;
    }
    const clash = kinds.get(r.template.kind);
    if (clash !== undefined)
      out.push({
        path: ["templates", i],
        message:
          clash === -1
            ? `${r.template.kind} is a built-in template; give yours another kind`
            : `${r.template.kind} is already defined by template ${clash + 1}`,
      });
    else kinds.set(r.template.kind, i);
  });
  const templates = templatesOf(policies);
  const names = new Map<string, number>();
  policies.constraints.forEach((c, i) => {
    const first = names.get(c.name);
    if (first !== undefined)
      out.push({ path: ["constraints", i, "name"], message: `Constraint name '${c.name}' is already used` });
    else names.set(c.name, i);
    const t = templates.get(c.kind);
    if (!t) {
      out.push({
        path: ["constraints", i, "kind"],
        message: `No constraint template ${c.kind}: upload it first or choose one of the library's`,
      });
      return;
    }
    const p = checkParameters(t, c.parameters);
    if (p.length > 0)
      out.push({
        path: ["constraints", i, "parameters"],
        message: `${c.name}: ${p.map((x) => x.message).join("; ")}`,
      });
    const overlap = c.match.namespaces.filter((n) => c.match.excludedNamespaces.includes(n));
    if (overlap.length > 0)
      out.push({
        path: ["constraints", i, "match", "excludedNamespaces"],
        message: `${overlap.join(", ")} is both matched and excluded`,
      });
  });
  return out;
}

/** Templates that constraints use but that no longer exist (a custom template cannot go while used). */
export function templatesInUse(policies: PoliciesSpec, kind: string): string[] {
  return policies.constraints.filter((c) => c.kind === kind).map((c) => c.name);
}

/** The policies of a new cluster: Gatekeeper on with the pre-configured constraints. */
export function defaultPolicies(): PoliciesSpec {
  const byKind = new Map(LIBRARY_TEMPLATES.map((t) => [t.kind, t]));
  return {
    gatekeeper: true,
    templates: [],
    constraints: PRECONFIGURED.map(([name, kind, enforcementAction, parameters]) => ({
      name,
      kind,
      enforcementAction,
      enabled: true,
      parameters,
      match: {
        kinds: byKind.get(kind)!.matchKinds,
        namespaces: [],
        excludedNamespaces: [...SYSTEM_NAMESPACES],
        labelSelector: { matchLabels: {} },
      },
    })),
  };
}

/** A constraint as `kubectl apply` takes it. */
export function constraintManifest(c: ConstraintSpec): Record<string, unknown> {
  const match: Record<string, unknown> = { kinds: c.match.kinds };
  if (c.match.namespaces.length) match.namespaces = c.match.namespaces;
  if (c.match.excludedNamespaces.length) match.excludedNamespaces = c.match.excludedNamespaces;
  if (Object.keys(c.match.labelSelector.matchLabels).length) match.labelSelector = c.match.labelSelector;
  return {
    apiVersion: CONSTRAINT_API,
    kind: c.kind,
    metadata: { name: c.name, labels: { [MANAGED_LABEL]: "constraint" } },
    spec: {
      enforcementAction: c.enforcementAction,
      match,
      ...(Object.keys(c.parameters).length ? { parameters: c.parameters } : {}),
    },
  };
}

export function manifestYaml(manifest: Record<string, unknown>): string {
  return stringify(manifest, { indent: 2, lineWidth: 0, blockQuote: "literal" });
}
