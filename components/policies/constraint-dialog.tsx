"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { stringify } from "yaml";
import { useCatalog, type TemplateView } from "@/components/catalog/catalog-provider";
import { useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { DialogActions, FormDialog } from "@/components/ui/dialog";
import { InputField, SelectField } from "@/components/ui/field";
import { FormError } from "@/components/ui/form-error";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import { YamlEditor } from "@/components/ui/yaml-editor";
import { ConstraintSpec, ENFORCEMENT_HELP, type EnforcementAction } from "@/server/contracts/policies";
import { fieldErrorsFromIssues } from "@/server/contracts/field-errors";

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function labelsOf(s: string): Record<string, string> {
  return Object.fromEntries(
    list(s).map((pair) => {
      const [k, ...v] = pair.split("=");
      return [k ?? "", v.join("=")];
    }),
  );
}

const kebab = (kind: string) =>
  kind
    .replace(/^K8s(PSP)?/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase();

/**
 * Create or edit a constraint: template, name, enforcement, parameters
 * (YAML, checked against the template's openAPIV3Schema as you type) and
 * what it matches. `onSave` gets a constraint the contract accepts.
 */
export function ConstraintDialog({
  open,
  onOpenChange,
  initial,
  templates,
  custom,
  takenNames,
  onSave,
  pending,
  serverError,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  initial: ConstraintSpec | null;
  templates: TemplateView[];
  /** The cluster's own templates (YAML), for checking parameters of their kinds. */
  custom: string[];
  takenNames: string[];
  onSave: (c: ConstraintSpec) => void;
  pending?: boolean;
  serverError?: string | null;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId, catalog } = useCatalog();
  const first =
    initial?.kind ?? templates.find((t) => t.kind === "K8sAllowedRepos")?.kind ?? templates[0]!.kind;
  const [kind, setKind] = useState(first);
  const template = templates.find((t) => t.kind === kind) ?? templates[0]!;
  const [name, setName] = useState(initial?.name ?? kebab(first));
  const [action, setAction] = useState<EnforcementAction>(initial?.enforcementAction ?? "dryrun");
  const [params, setParams] = useState(() => {
    const p = initial?.parameters ?? template.exampleParameters;
    return Object.keys(p).length ? stringify(p) : "";
  });
  const [kinds, setKinds] = useState(
    (initial?.match.kinds ?? template.matchKinds).flatMap((k) => k.kinds).join(", "),
  );
  const [namespaces, setNamespaces] = useState(initial?.match.namespaces.join(", ") ?? "");
  const [excluded, setExcluded] = useState(
    (initial?.match.excludedNamespaces ?? catalog.systemNamespaces).join(", "),
  );
  const [selector, setSelector] = useState(
    Object.entries(initial?.match.labelSelector.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(", "),
  );
  const [tried, setTried] = useState(false);

  // Checked on the server against the template's schema as the user types.
  const checkInput = (parameters: string) => ({ projectId, kind, custom, parameters });
  const debounced = useDebouncedValue(params);
  const paramCheck = useQuery({
    ...trpc.catalog.checkParameters.queryOptions(checkInput(debounced)),
    placeholderData: (prev) => prev,
  }).data ?? { value: null, issues: [] };
  const candidateOf = (parameters: Record<string, unknown> | null) => ({
    name: name.trim(),
    kind,
    enforcementAction: action,
    enabled: initial?.enabled ?? true,
    parameters: parameters ?? {},
    match: {
      kinds: [{ apiGroups: [""], kinds: list(kinds) }],
      namespaces: list(namespaces),
      excludedNamespaces: list(excluded),
      labelSelector: { matchLabels: labelsOf(selector) },
    },
  });
  const validate = (candidate: ReturnType<typeof candidateOf>) => {
    const parsed = ConstraintSpec.safeParse(candidate);
    const errors = parsed.success ? {} : fieldErrorsFromIssues(parsed.error.issues);
    if (takenNames.includes(candidate.name) && candidate.name !== initial?.name)
      errors.name = [`A constraint named ${candidate.name} already exists`];
    const overlap = candidate.match.namespaces.filter((n) => candidate.match.excludedNamespaces.includes(n));
    if (overlap.length)
      errors["match.excludedNamespaces"] = [`${overlap.join(", ")} is both matched and excluded`];
    return { parsed, errors };
  };
  const { errors } = validate(candidateOf(paramCheck.value));
  const at = (k: string) =>
    tried
      ? Object.entries(errors)
          .filter(([p]) => p === k || p.startsWith(`${k}.`))
          .flatMap(([, v]) => v)
      : [];

  const families = [...new Set(templates.map((t) => t.family))];
  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      size="lg"
      title={initial ? `Edit constraint ${initial.name}` : "Add a constraint"}
      description="A constraint applies a template's rule to the objects it matches."
      onSubmit={async () => {
        setTried(true);
        // The parameters as they are now, checked (the check shown may lag the last keystroke).
        const check = await queryClient.fetchQuery(
          trpc.catalog.checkParameters.queryOptions(checkInput(params)),
        );
        const { parsed, errors } = validate(candidateOf(check.value));
        if (Object.keys(errors).length === 0 && check.issues.length === 0 && parsed.success)
          onSave(parsed.data);
      }}
    >
      <div className="grid grid-cols-2 gap-4">
        <SelectField
          label="Template"
          hint={template.description}
          value={kind}
          onChange={(e) => {
            const t = templates.find((x) => x.kind === e.target.value)!;
            setKind(t.kind);
            if (!initial) setName(kebab(t.kind));
            setParams(Object.keys(t.exampleParameters).length ? stringify(t.exampleParameters) : "");
            setKinds(t.matchKinds.flatMap((k) => k.kinds).join(", "));
          }}
        >
          {families.map((f) => (
            <optgroup key={f} label={f}>
              {templates
                .filter((t) => t.family === f)
                .map((t) => (
                  <option key={t.kind} value={t.kind}>
                    {t.title} ({t.kind})
                  </option>
                ))}
            </optgroup>
          ))}
        </SelectField>
        <InputField label="Name" errors={at("name")} value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <fieldset>
        <legend className="mb-1.5 text-sm font-medium text-fg">Enforcement</legend>
        <div className="grid grid-cols-3 gap-2">
          {(["deny", "dryrun", "warn"] as const).map((a) => (
            <label
              key={a}
              className={`cursor-pointer rounded-md border p-2.5 text-xs ${action === a ? "border-primary bg-primary/5" : "border-border"}`}
            >
              <span className="flex items-center gap-2 text-sm font-medium text-fg">
                <input
                  type="radio"
                  name="enforcement"
                  value={a}
                  checked={action === a}
                  onChange={() => setAction(a)}
                />
                {a}
              </span>
              <span className="mt-1 block text-muted">{ENFORCEMENT_HELP[a]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <YamlEditor
        label="Parameters"
        value={params}
        onChange={setParams}
        rows={6}
        issues={paramCheck.issues}
        schema={template.parameters}
        hint={
          Object.keys((template.parameters.properties as object | undefined) ?? {}).length
            ? `Fields: ${Object.keys(template.parameters.properties as object).join(", ")}`
            : "This template takes no parameters."
        }
      />
      <div className="grid grid-cols-2 gap-4">
        {(
          [
            ["Kinds", "e.g. Pod, Service", "kinds", kinds, setKinds, undefined],
            [
              "Label selector",
              "key=value, comma separated; empty matches all",
              "labelSelector",
              selector,
              setSelector,
              "team=payments",
            ],
            [
              "Only in namespaces",
              "Empty: every namespace (prefix* allowed)",
              "namespaces",
              namespaces,
              setNamespaces,
              "default, shop",
            ],
            ["Excluded namespaces", undefined, "excludedNamespaces", excluded, setExcluded, undefined],
          ] as const
        ).map(([label, hint, path, value, setValue, placeholder]) => (
          <InputField
            key={path}
            label={label}
            hint={hint}
            errors={at(`match.${path}`)}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder={placeholder}
          />
        ))}
      </div>
      <FormError message={serverError} />
      <DialogActions onCancel={() => onOpenChange(false)}>
        <Button type="submit" loading={pending}>
          {initial ? "Save constraint" : "Add constraint"}
        </Button>
      </DialogActions>
    </FormDialog>
  );
}
