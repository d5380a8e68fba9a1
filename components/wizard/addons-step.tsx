"use client";

import { Table, TableHead } from "@/components/ui/table";
import { ChevronDown, Plus, ShieldCheck, Trash2 } from "lucide-react";
import { useState } from "react";
import { AddonBadges, AddonForm, ResourceList } from "@/components/addons/addon-form";
import { ConstraintDialog } from "@/components/policies/constraint-dialog";
import { defaultVersion, useCatalog, useTemplates } from "@/components/catalog/catalog-provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CheckboxField, Select } from "@/components/ui/field";
import type { ClusterSpecInput } from "@/server/contracts/cluster";
import type {
  AddonChoice,
  ConstraintSpec,
  EnforcementAction,
  PoliciesSpec,
} from "@/server/contracts/policies";

type Spec = ClusterSpecInput;

/** The wizard's addons and policies, with the defaults a new cluster gets until the user changes them. */
export function AddonsPoliciesStep({
  spec,
  setSpec,
  under,
}: {
  spec: Spec;
  setSpec: (s: Spec) => void;
  under: (prefix: string) => string[];
}) {
  const { catalog } = useCatalog();
  const kubernetes = spec.version ?? catalog.newestVersion ?? "";
  const addons = spec.addons ?? catalog.defaultAddons[kubernetes] ?? [];
  const policies: PoliciesSpec = {
    ...catalog.defaultPolicies,
    ...(spec.policies as Partial<PoliciesSpec> | undefined),
  } as PoliciesSpec;
  return (
    <div className="space-y-8">
      <AddonsPicker
        kubernetes={kubernetes}
        addons={addons}
        onChange={(a) => setSpec({ ...spec, addons: a })}
        under={under}
      />
      <PoliciesEditor policies={policies} onChange={(p) => setSpec({ ...spec, policies: p })} under={under} />
    </div>
  );
}

function AddonsPicker({
  kubernetes,
  addons,
  onChange,
  under,
}: {
  kubernetes: string;
  addons: AddonChoice[];
  onChange: (a: AddonChoice[]) => void;
  under: (prefix: string) => string[];
}) {
  const { catalog } = useCatalog();
  const [open, setOpen] = useState<string | null>(null);
  const general = under("addons").filter((m) => !addons.some((_, i) => under(`addons.${i}`).includes(m)));
  return (
    <section className="space-y-3" aria-labelledby="addons-title">
      <div>
        <h2 id="addons-title" className="text-base font-semibold text-fg">
          Addons
        </h2>
        <p className="mt-0.5 text-sm text-muted">
          Installed once the cluster runs, and managed from its Addons tab afterwards. Cloud resources an
          addon needs are created and deleted with it.
        </p>
      </div>
      {general.length > 0 && (
        <ul role="alert" className="text-sm text-danger">
          {general.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      <ul className="grid grid-cols-2 gap-3">
        {catalog.addons.map((entry) => {
          const index = addons.findIndex((a) => a.id === entry.id);
          const chosen = index >= 0 ? addons[index]! : null;
          const version = defaultVersion(entry, kubernetes);
          const errors = index >= 0 ? under(`addons.${index}`) : [];
          const expanded = open === entry.id && chosen;
          return (
            <li
              key={entry.id}
              className={`rounded-lg border bg-surface p-4 shadow-xs ${expanded ? "col-span-2" : ""} ${errors.length ? "border-danger" : chosen ? "border-primary/50" : "border-border"}`}
            >
              <div className="flex items-start gap-3">
                <input
                  id={`addon-${entry.id}`}
                  type="checkbox"
                  className="mt-1"
                  checked={chosen !== null}
                  disabled={!entry.removable || (!chosen && !version)}
                  onChange={(e) => {
                    if (e.target.checked && version)
                      onChange([...addons, { id: entry.id, version, values: entry.defaultValues }]);
                    else {
                      onChange(addons.filter((a) => a.id !== entry.id));
                      if (open === entry.id) setOpen(null);
                    }
                  }}
                />
                <div className="min-w-0 flex-1">
                  <label
                    htmlFor={`addon-${entry.id}`}
                    className="flex flex-wrap items-center gap-2 font-medium text-fg"
                  >
                    {entry.name}
                    {chosen && <span className="text-xs font-normal text-muted">{chosen.version}</span>}
                    <AddonBadges entry={entry} />
                  </label>
                  <p className="mt-1 text-sm text-muted">{entry.description}</p>
                  {!version && (
                    <p className="mt-1 text-xs text-warning">
                      No version of it supports Kubernetes {kubernetes} yet.
                    </p>
                  )}
                  {!expanded && (
                    <div className="mt-2">
                      <ResourceList resources={entry.defaultResources} />
                    </div>
                  )}
                  {errors.length > 0 && !expanded && (
                    <ul role="alert" className="mt-2 text-xs font-medium text-danger">
                      {errors.map((m) => (
                        <li key={m}>{m}</li>
                      ))}
                    </ul>
                  )}
                  {chosen && (
                    <Button
                      type="button"
                      size="sm"
                      variant="ghost"
                      className="mt-2 -ml-3"
                      aria-expanded={Boolean(expanded)}
                      onClick={() => setOpen(expanded ? null : entry.id)}
                    >
                      <ChevronDown
                        className={`size-4 transition-transform ${expanded ? "rotate-180" : ""}`}
                        aria-hidden
                      />
                      {expanded ? "Hide version and values" : "Version and values"}
                    </Button>
                  )}
                  {expanded && (
                    <div className="mt-3">
                      <AddonForm
                        kubernetes={kubernetes}
                        value={chosen}
                        onChange={(v) => onChange(addons.map((a) => (a.id === v.id ? v : a)))}
                        extraErrors={errors.filter((m) => !m.includes(" values, line "))}
                      />
                    </div>
                  )}
                </div>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function PoliciesEditor({
  policies,
  onChange,
  under,
}: {
  policies: PoliciesSpec;
  onChange: (p: PoliciesSpec) => void;
  under: (prefix: string) => string[];
}) {
  const [editing, setEditing] = useState<ConstraintSpec | "new" | null>(null);
  const templates = useTemplates(policies.templates);
  const titleOf = (kind: string) => templates.find((t) => t.kind === kind)?.title ?? kind;
  const set = (constraints: ConstraintSpec[]) => onChange({ ...policies, constraints });
  const errors = under("policies");
  return (
    <section className="space-y-3" aria-labelledby="policies-title">
      <div className="flex items-start justify-between gap-4">
        <div>
          <h2 id="policies-title" className="text-base font-semibold text-fg">
            Policies (OPA Gatekeeper)
          </h2>
          <p className="mt-0.5 text-sm text-muted">
            Gatekeeper checks objects at admission and audits what already runs. The pod-security constraints
            below are pre-configured; <b>deny</b> refuses violating pods, <b>dryrun</b> only reports them.
          </p>
        </div>
        <CheckboxField
          label="Gatekeeper on"
          labelClassName="shrink-0 font-medium text-fg"
          checked={policies.gatekeeper}
          onChange={(e) => onChange({ ...policies, gatekeeper: e.target.checked })}
        />
      </div>
      {errors.length > 0 && (
        <ul role="alert" className="text-sm text-danger">
          {errors.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      {policies.gatekeeper ? (
        <div className="overflow-hidden rounded-lg border border-border">
          <Table className="text-sm">
            <TableHead
              className="bg-surface-2 text-left"
              cellClassName="px-3 py-2"
              columns={["Constraint", "Template", "Enforcement", "On", null]}
            />
            <tbody>
              {policies.constraints.map((c) => (
                <tr key={c.name} className="border-t border-border">
                  <td className="px-3 py-1.5">
                    <button
                      type="button"
                      className="text-left font-medium text-fg hover:underline"
                      onClick={() => setEditing(c)}
                    >
                      {c.name}
                    </button>
                  </td>
                  <td className="px-3 py-1.5 text-muted">{titleOf(c.kind)}</td>
                  <td className="px-3 py-1.5">
                    <Select
                      aria-label={`Enforcement of ${c.name}`}
                      className="h-8 w-28"
                      value={c.enforcementAction}
                      onChange={(e) =>
                        set(
                          policies.constraints.map((x) =>
                            x.name === c.name
                              ? { ...x, enforcementAction: e.target.value as EnforcementAction }
                              : x,
                          ),
                        )
                      }
                    >
                      <option value="deny">deny</option>
                      <option value="dryrun">dryrun</option>
                      <option value="warn">warn</option>
                    </Select>
                  </td>
                  <td className="px-3 py-1.5">
                    <input
                      type="checkbox"
                      aria-label={`${c.name} enabled`}
                      checked={c.enabled}
                      onChange={(e) =>
                        set(
                          policies.constraints.map((x) =>
                            x.name === c.name ? { ...x, enabled: e.target.checked } : x,
                          ),
                        )
                      }
                    />
                  </td>
                  <td className="px-3 py-1.5 text-right">
                    <Button
                      type="button"
                      size="icon-sm"
                      variant="secondary"
                      className="text-danger"
                      aria-label={`Remove ${c.name}`}
                      title={`Remove ${c.name}`}
                      onClick={() => set(policies.constraints.filter((x) => x.name !== c.name))}
                    >
                      <Trash2 className="size-4" aria-hidden />
                    </Button>
                  </td>
                </tr>
              ))}
              {policies.constraints.length === 0 && (
                <tr>
                  <td colSpan={5} className="px-3 py-4 text-center text-muted">
                    No constraints: Gatekeeper runs but enforces nothing.
                  </td>
                </tr>
              )}
            </tbody>
          </Table>
        </div>
      ) : (
        <p className="flex items-center gap-2 rounded-lg border border-border bg-surface-2 p-3 text-sm text-muted">
          <ShieldCheck className="size-4" aria-hidden /> Gatekeeper off: no admission checks, no audit. Your
          constraints are kept and apply when you turn it on.
        </p>
      )}
      <div className="flex items-center gap-2">
        <Button
          type="button"
          variant="secondary"
          onClick={() => setEditing("new")}
          disabled={!policies.gatekeeper}
        >
          <Plus className="size-4" aria-hidden /> Add constraint
        </Button>
        <Badge>{policies.constraints.filter((c) => c.enabled).length} active</Badge>
      </div>
      {editing && (
        <ConstraintDialog
          open
          onOpenChange={(o) => !o && setEditing(null)}
          initial={editing === "new" ? null : editing}
          templates={templates}
          custom={policies.templates}
          takenNames={policies.constraints.map((c) => c.name)}
          onSave={(c) => {
            set(
              editing === "new"
                ? [...policies.constraints, c]
                : policies.constraints.map((x) => (x.name === editing.name ? c : x)),
            );
            setEditing(null);
          }}
        />
      )}
    </section>
  );
}
