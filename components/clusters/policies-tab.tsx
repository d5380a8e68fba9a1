"use client";

import { Table, TableHead } from "@/components/ui/table";
import { skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ChevronRight, Code2, Pencil, Plus, ShieldAlert, ShieldCheck, Trash2, Upload } from "lucide-react";
import { useState } from "react";
import { useTemplates } from "@/components/catalog/catalog-provider";
import { ConstraintDialog } from "@/components/policies/constraint-dialog";
import { useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Banner } from "@/components/ui/banner";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog, DialogActions, FormDialog } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { toast } from "@/components/ui/toast-store";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import { YamlEditor } from "@/components/ui/yaml-editor";
import type { ConstraintSpec, EnforcementAction } from "@/server/contracts/policies";
import { ACTION_TONE } from "@/components/policies/labels";
import { FormError } from "@/components/ui/form-error";
import { useClusterSaved } from "./use-cluster-saved";
import { refusalCounts, refusalsView } from "./refusals";
import { REFUSALS_ID } from "./refusals-card";
import { tabHref, tabTargetId } from "./use-tab-hash";
import { changeBlocked, type ClusterData, type ClusterTabProps } from "./labels";

type Audit = NonNullable<ClusterData["status"]["policies"]>["constraints"][string];

const REFUSED_LINK =
  "rounded-sm text-danger underline-offset-2 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring";

export function PoliciesTab({ projectId, cluster: c, canEdit }: ClusterTabProps) {
  const trpc = useTRPC();
  const saved = useClusterSaved(projectId, c.id);
  const policies = c.spec.policies;
  const status = c.status.policies;
  const templates = useTemplates(policies.templates);
  const [editing, setEditing] = useState<ConstraintSpec | "new" | null>(null);
  const [enforcing, setEnforcing] = useState<{ c: ConstraintSpec; to: EnforcementAction } | null>(null);
  const [yaml, setYaml] = useState<
    { title: string; text: string } | { title: string; constraint: ConstraintSpec } | null
  >(null);
  const [deleting, setDeleting] = useState<ConstraintSpec | null>(null);
  const [uploading, setUploading] = useState(false);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const blocked = !canEdit ? "Your role can view policies only." : changeBlocked(c);
  const g = { projectId, clusterId: c.id, generation: c.generation };
  const opts = { meta: { inlineErrors: true } };
  const save = useMutation(trpc.policy.saveConstraint.mutationOptions(opts));
  const enforce = useMutation(trpc.policy.setEnforcement.mutationOptions(opts));
  const enable = useMutation(trpc.policy.setEnabled.mutationOptions());
  const del = useMutation(trpc.policy.deleteConstraint.mutationOptions(opts));
  const gatekeeper = useMutation(trpc.policy.setGatekeeper.mutationOptions());
  const delTemplate = useMutation(trpc.policy.deleteTemplate.mutationOptions());
  const done = (title: string) => () => {
    saved();
    toast({ variant: "success", title });
  };
  const titleOf = (kind: string) => templates.find((t) => t.kind === kind)?.title ?? kind;
  const audit = (name: string): Audit | undefined => status?.constraints[name];
  const applied = c.generation === c.observedGeneration;
  const rv = refusalsView(status);
  const refusals = rv.kind === "list" ? rv.refusals : [];
  const refusedBy = refusalCounts(refusals);

  const gkState = !policies.gatekeeper ? "Off" : (status?.gatekeeper ?? "Installing");
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader
          title="OPA Gatekeeper"
          description="Admission control and audit of what already runs. Violations are re-read from Gatekeeper's audit every minute."
          actions={
            <>
              <Badge tone={gkState === "Ready" ? "success" : gkState === "Off" ? "neutral" : "warning"}>
                {gkState === "Installing" || gkState === "Removing" ? <Spinner className="size-3" /> : null}
                {gkState}
              </Badge>
              <Button
                size="sm"
                variant="secondary"
                disabled={Boolean(blocked)}
                title={blocked ?? undefined}
                loading={gatekeeper.isPending}
                onClick={() =>
                  gatekeeper.mutate(
                    { ...g, enabled: !policies.gatekeeper },
                    {
                      onSuccess: done(
                        policies.gatekeeper ? "Turning Gatekeeper off" : "Turning Gatekeeper on",
                      ),
                    },
                  )
                }
              >
                {policies.gatekeeper ? "Turn off" : "Turn on"}
              </Button>
            </>
          }
        />
        {status?.gatekeeper === "Unreachable" && (
          <div className="px-5 pt-4">
            <Banner tone="warning" icon={ShieldAlert}>
              The console cannot reach this cluster&apos;s API right now; the audit results below may be old.
            </Banner>
          </div>
        )}
        {status?.error && (
          <div className="px-5 pt-4">
            <Banner tone="danger" icon={ShieldAlert}>
              {status.error}
            </Banner>
          </div>
        )}
        <div className="flex items-center justify-between gap-4 px-5 pt-4">
          <p className="text-sm text-muted">
            {policies.constraints.filter((x) => x.enabled).length} active constraints ·{" "}
            {Object.values(status?.constraints ?? {}).reduce((n, a) => n + (a.totalViolations ?? 0), 0)}{" "}
            violations
            {refusals.length > 0 && (
              <>
                {" · "}
                <a href={tabHref("health", REFUSALS_ID)} className={REFUSED_LINK}>
                  {refusals.length} object{refusals.length === 1 ? "" : "s"} refused at admission
                </a>
              </>
            )}
            {status?.at && ` · read ${new Date(status.at).toLocaleTimeString()}`}
          </p>
          <Button
            size="sm"
            disabled={Boolean(blocked) || !policies.gatekeeper}
            title={blocked ?? undefined}
            onClick={() => setEditing("new")}
          >
            <Plus className="size-4" aria-hidden /> Add constraint
          </Button>
        </div>
        <div className="p-5">
          <Table className="text-sm">
            <TableHead
              className="text-left"
              rowClassName="border-b border-border"
              cellClassName="py-2"
              spacing="pr-3"
              columns={[
                "Constraint",
                // Below 1280 px the template is named under the constraint instead.
                { label: "Template", className: "hidden xl:table-cell" },
                "Enforcement",
                { label: "Violations", className: "text-right" },
                { label: <span className="sr-only">Actions</span> },
              ]}
            />
            <tbody>
              {policies.constraints.map((x) => {
                const a = audit(x.name);
                const expanded = open.has(x.name);
                const count = a?.totalViolations;
                const refused = refusedBy.get(x.name) ?? 0;
                return (
                  <FragmentRow key={x.name}>
                    <tr
                      id={tabTargetId("policies", x.name)}
                      className="scroll-mt-20 border-b border-border focus:bg-primary/5 focus:outline-2 focus:-outline-offset-2 focus:outline-ring focus:outline-solid"
                      data-testid={`constraint-${x.name}`}
                    >
                      <td className="py-2 pr-3">
                        <button
                          type="button"
                          className="flex items-center gap-1 text-left font-medium text-fg disabled:cursor-default"
                          aria-expanded={expanded}
                          disabled={!count}
                          onClick={() =>
                            setOpen((s) => {
                              const n = new Set(s);
                              if (n.has(x.name)) n.delete(x.name);
                              else n.add(x.name);
                              return n;
                            })
                          }
                        >
                          <ChevronRight
                            className={`size-4 shrink-0 text-muted transition-transform ${expanded ? "rotate-90" : ""} ${count ? "" : "opacity-0"}`}
                            aria-hidden
                          />
                          {x.name}
                        </button>
                        <div className="ml-5 text-xs text-muted xl:hidden">{titleOf(x.kind)}</div>
                        {refused > 0 && (
                          <a
                            href={tabHref("health", REFUSALS_ID)}
                            className={`ml-5 block w-fit text-xs ${REFUSED_LINK}`}
                          >
                            Refused {refused} object{refused === 1 ? "" : "s"} recently
                          </a>
                        )}
                      </td>
                      <td className="hidden py-2 pr-3 text-muted xl:table-cell">{titleOf(x.kind)}</td>
                      <td className="py-2 pr-3">
                        {x.enabled ? (
                          <Badge tone={ACTION_TONE[x.enforcementAction]}>{x.enforcementAction}</Badge>
                        ) : (
                          <Badge>disabled</Badge>
                        )}
                      </td>
                      <td
                        className="py-2 pr-3 text-right tabular-nums"
                        aria-label={`Violations of ${x.name}`}
                      >
                        {!x.enabled || !policies.gatekeeper ? (
                          <span className="text-muted">—</span>
                        ) : a?.auditError ? (
                          <span className="text-xs text-warning" title={a.auditError}>
                            not audited
                          </span>
                        ) : count === null || count === undefined || !applied || a?.state !== "Enforced" ? (
                          <span className="inline-flex items-center gap-1 text-xs text-muted">
                            <Spinner className="size-3" /> auditing
                          </span>
                        ) : (
                          <span className={count > 0 ? "font-semibold text-danger" : "text-success"}>
                            {count}
                          </span>
                        )}
                      </td>
                      <td className="py-2">
                        {/* One style and one height for every action of a row. */}
                        <div className="flex items-center justify-end gap-1">
                          {/* A disabled constraint has nothing to enforce: its other buttons keep their places. */}
                          {!x.enabled && <span className="w-[4.75rem]" aria-hidden />}
                          {x.enabled && (
                            <Button
                              size="sm"
                              variant="secondary"
                              className="w-[4.75rem]"
                              disabled={Boolean(blocked)}
                              title={blocked ?? undefined}
                              onClick={() =>
                                setEnforcing({
                                  c: x,
                                  to: x.enforcementAction === "deny" ? "dryrun" : "deny",
                                })
                              }
                            >
                              {x.enforcementAction === "deny" ? "Dry run" : "Enforce"}
                            </Button>
                          )}
                          <Button
                            size="sm"
                            variant="secondary"
                            className="w-[4.75rem]"
                            disabled={Boolean(blocked) || enable.isPending}
                            title={blocked ?? undefined}
                            onClick={() =>
                              enable.mutate(
                                { ...g, name: x.name, enabled: !x.enabled },
                                { onSuccess: done(`${x.name} ${x.enabled ? "disabled" : "enabled"}`) },
                              )
                            }
                          >
                            {x.enabled ? "Disable" : "Enable"}
                          </Button>
                          <Button
                            size="icon-sm"
                            variant="secondary"
                            aria-label={`Edit ${x.name}`}
                            title={blocked ?? `Edit ${x.name}`}
                            disabled={Boolean(blocked)}
                            onClick={() => setEditing(x)}
                          >
                            <Pencil className="size-4" aria-hidden />
                          </Button>
                          <Button
                            size="icon-sm"
                            variant="secondary"
                            aria-label={`YAML of ${x.name}`}
                            title={`YAML of ${x.name}`}
                            onClick={() => setYaml({ title: `${x.name} (${x.kind})`, constraint: x })}
                          >
                            <Code2 className="size-4" aria-hidden />
                          </Button>
                          <Button
                            size="icon-sm"
                            variant="secondary"
                            className="text-danger"
                            aria-label={`Delete ${x.name}`}
                            title={blocked ?? `Delete ${x.name}`}
                            disabled={Boolean(blocked)}
                            onClick={() => setDeleting(x)}
                          >
                            <Trash2 className="size-4" aria-hidden />
                          </Button>
                        </div>
                      </td>
                    </tr>
                    {expanded && a && (
                      <tr className="border-b border-border bg-surface-2/50">
                        <td colSpan={5} className="px-6 py-3">
                          <Violators audit={a} />
                        </td>
                      </tr>
                    )}
                  </FragmentRow>
                );
              })}
              {policies.constraints.length === 0 && (
                <tr>
                  <td colSpan={5} className="py-6 text-center text-muted">
                    No constraints. Add one from a template below.
                  </td>
                </tr>
              )}
            </tbody>
          </Table>
        </div>
      </Card>

      <Card>
        <CardHeader
          title="Constraint templates"
          description="The library every cluster gets, and templates you upload."
          actions={
            <Button
              size="sm"
              variant="secondary"
              disabled={Boolean(blocked)}
              onClick={() => setUploading(true)}
            >
              <Upload className="size-4" aria-hidden /> Upload template
            </Button>
          }
        />
        <ul className="grid grid-cols-2 gap-x-6 gap-y-2 p-5 text-sm">
          {templates.map((t) => (
            <li key={t.kind} className="flex items-start justify-between gap-2">
              <div className="min-w-0">
                <div className="flex items-center gap-2 font-medium text-fg">
                  {t.title} {t.source === "custom" && <Badge tone="primary">custom</Badge>}
                </div>
                <p className="text-xs text-muted">{t.description}</p>
              </div>
              <div className="flex shrink-0 gap-1">
                <Button
                  size="icon-sm"
                  variant="secondary"
                  aria-label={`YAML of template ${t.kind}`}
                  title={`YAML of template ${t.kind}`}
                  onClick={() => setYaml({ title: t.kind, text: t.manifestYaml })}
                >
                  <Code2 className="size-4" aria-hidden />
                </Button>
                {t.source === "custom" && (
                  <Button
                    size="icon-sm"
                    variant="secondary"
                    className="text-danger"
                    aria-label={`Delete template ${t.kind}`}
                    disabled={Boolean(blocked)}
                    onClick={() =>
                      delTemplate.mutate(
                        { ...g, kind: t.kind },
                        {
                          onSuccess: done(`Template ${t.kind} deleted`),
                          onError: (e) =>
                            toast({
                              variant: "error",
                              title: "Template not deleted",
                              description: e.message,
                            }),
                        },
                      )
                    }
                  >
                    <Trash2 className="size-4" aria-hidden />
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ul>
      </Card>

      {editing && (
        <ConstraintDialog
          open
          onOpenChange={(o) => {
            if (!o) {
              setEditing(null);
              save.reset();
            }
          }}
          initial={editing === "new" ? null : editing}
          templates={templates}
          custom={policies.templates}
          takenNames={policies.constraints.map((x) => x.name)}
          pending={save.isPending}
          serverError={save.error?.message ?? null}
          onSave={(constraint) =>
            save.mutate(
              { ...g, constraint, originalName: editing === "new" ? undefined : editing.name },
              {
                onSuccess: () => {
                  done(`Constraint ${constraint.name} saved`)();
                  setEditing(null);
                },
              },
            )
          }
        />
      )}
      {enforcing && (
        <Dialog
          open
          onOpenChange={(o) => !o && setEnforcing(null)}
          size="lg"
          title={
            enforcing.to === "deny"
              ? `Enforce ${enforcing.c.name}?`
              : `Switch ${enforcing.c.name} to dry run?`
          }
          description={
            enforcing.to === "deny"
              ? "New objects that violate it are refused at admission. Objects already running stay, and the audit keeps reporting them; their replacements (after a restart, drain or rollout) will be refused."
              : "Violations will only be reported; nothing is refused."
          }
        >
          <div className="space-y-4">
            {enforcing.to === "deny" && (
              <Violators audit={audit(enforcing.c.name)} heading="Currently violating" />
            )}
            <FormError message={enforce.error?.message} />
            <DialogActions onCancel={() => setEnforcing(null)}>
              <Button
                variant={enforcing.to === "deny" ? "danger" : "primary"}
                loading={enforce.isPending}
                onClick={() =>
                  enforce.mutate(
                    { ...g, name: enforcing.c.name, enforcementAction: enforcing.to },
                    {
                      onSuccess: () => {
                        done(`${enforcing.c.name}: ${enforcing.to}`)();
                        setEnforcing(null);
                      },
                    },
                  )
                }
              >
                {enforcing.to === "deny" ? "Switch to deny" : "Switch to dry run"}
              </Button>
            </DialogActions>
          </div>
        </Dialog>
      )}
      {deleting && (
        <Dialog
          open
          onOpenChange={(o) => !o && setDeleting(null)}
          title={`Delete constraint ${deleting.name}?`}
        >
          <div className="space-y-4 text-sm">
            <p>It is removed from the cluster; {titleOf(deleting.kind)} is no longer checked.</p>
            {del.error && (
              <p role="alert" className="text-danger">
                {del.error.message}
              </p>
            )}
            <DialogActions onCancel={() => setDeleting(null)}>
              <Button
                variant="danger"
                loading={del.isPending}
                onClick={() =>
                  del.mutate(
                    { ...g, name: deleting.name },
                    {
                      onSuccess: () => {
                        done(`Constraint ${deleting.name} deleted`)();
                        setDeleting(null);
                      },
                    },
                  )
                }
              >
                Delete
              </Button>
            </DialogActions>
          </div>
        </Dialog>
      )}
      {yaml && <ManifestDialog projectId={projectId} {...yaml} onClose={() => setYaml(null)} />}
      {uploading && <UploadTemplate projectId={projectId} cluster={c} onClose={() => setUploading(false)} />}
    </div>
  );
}

/** A manifest as `kubectl apply -f` takes it; a constraint's is rendered on the server. */
function ManifestDialog({
  projectId,
  title,
  onClose,
  ...what
}: { projectId: string; title: string; onClose: () => void } & (
  { text: string } | { constraint: ConstraintSpec }
)) {
  const trpc = useTRPC();
  const rendered = useQuery(
    trpc.catalog.constraintYaml.queryOptions(
      "constraint" in what ? { projectId, constraint: what.constraint } : skipToken,
    ),
  );
  const text = "text" in what ? what.text : (rendered.data ?? "");
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      size="lg"
      title={title}
      description="As it would be applied with kubectl apply -f."
    >
      <div className="space-y-3">
        <YamlEditor label="Manifest" value={text} readOnly rows={18} />
        <div className="flex justify-end">
          <Button
            variant="secondary"
            onClick={() => {
              void navigator.clipboard.writeText(text);
              toast({ variant: "success", title: "Copied" });
            }}
          >
            Copy
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

function FragmentRow({ children }: { children: React.ReactNode }) {
  return <>{children}</>;
}

function Violators({ audit, heading }: { audit: Audit | undefined; heading?: string }) {
  if (!audit || audit.totalViolations === null)
    return <p className="text-sm text-muted">The audit has not reported on this constraint yet.</p>;
  if (audit.totalViolations === 0)
    return (
      <p className="flex items-center gap-2 text-sm text-success">
        <ShieldCheck className="size-4" aria-hidden /> Nothing violates it now.
      </p>
    );
  return (
    <div>
      {heading && <div className="mb-1 text-sm font-medium text-fg">{heading}</div>}
      <ul className="space-y-1 text-sm" aria-label="Offending objects">
        {audit.violations.map((v, i) => (
          <li key={i}>
            <span className="font-mono text-xs text-fg">
              {v.kind} {v.namespace ? `${v.namespace}/` : ""}
              {v.name}
            </span>
            <span className="text-muted"> — {v.message}</span>
          </li>
        ))}
      </ul>
      {audit.totalViolations > audit.violations.length && (
        <p className="mt-1 text-xs text-muted">
          Showing {audit.violations.length} of {audit.totalViolations} (Gatekeeper keeps the first 20).
        </p>
      )}
    </div>
  );
}

function UploadTemplate({
  projectId,
  cluster: c,
  onClose,
}: {
  projectId: string;
  cluster: ClusterData;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const saved = useClusterSaved(projectId, c.id);
  const [text, setText] = useState("");
  const queryClient = useQueryClient();
  const add = useMutation(trpc.policy.addTemplate.mutationOptions({ meta: { inlineErrors: true } }));
  // Checked on the server as the user types.
  const debounced = useDebouncedValue(text);
  const checked = useQuery({
    ...trpc.catalog.checkTemplate.queryOptions({ projectId, yaml: debounced }),
    enabled: debounced.trim() !== "",
    placeholderData: (prev) => prev,
  });
  const check = text.trim() ? (checked.data ?? null) : null;
  return (
    <FormDialog
      open
      onOpenChange={(o) => !o && onClose()}
      size="lg"
      title="Upload a ConstraintTemplate"
      description="Checked for apiVersion, kind, CRD names, the parameters' schema and targets with Rego."
      onSubmit={async () => {
        if (!text.trim()) return;
        const now = await queryClient.fetchQuery(
          trpc.catalog.checkTemplate.queryOptions({ projectId, yaml: text }),
        );
        if (!now.kind) return;
        add.mutate(
          { projectId, clusterId: c.id, generation: c.generation, yaml: text },
          {
            onSuccess: () => {
              saved();
              toast({ variant: "success", title: `Template ${now.kind} added` });
              onClose();
            },
          },
        );
      }}
    >
      <input
        type="file"
        accept=".yaml,.yml"
        aria-label="Template file"
        className="text-sm"
        onChange={async (e) => {
          const f = e.target.files?.[0];
          if (f) setText(await f.text());
        }}
      />
      <YamlEditor
        label="Template YAML"
        value={text}
        onChange={setText}
        rows={16}
        issues={check?.issues ?? []}
      />
      {check?.kind && (
        <p className="text-sm text-success">
          {check.kind}: valid. Constraints of this kind can be added once it is uploaded.
        </p>
      )}
      <FormError message={add.error?.message} />
      <DialogActions onCancel={onClose}>
        <Button type="submit" loading={add.isPending} disabled={!check?.kind}>
          Upload
        </Button>
      </DialogActions>
    </FormDialog>
  );
}
