"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Package, Plus, Settings2, Trash2 } from "lucide-react";
import { useState } from "react";
import { AddonBadges, AddonForm, ResourceList, useAddonValuesCheck } from "@/components/addons/addon-form";
import { defaultVersion, useCatalog } from "@/components/catalog/catalog-provider";
import { useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog, DialogActions, FormDialog } from "@/components/ui/dialog";
import { toast } from "@/components/ui/toast-store";
import type { AddonChoice } from "@/server/contracts/policies";
import { FormError } from "@/components/ui/form-error";
import { ChartMessage, ChartPhaseBadge, PhaseSince } from "./chart-status";
import { changeBlocked, type ClusterData, type ClusterTabProps } from "./labels";
import { SystemComponentsCard } from "./system-components-card";
import { useClusterSaved } from "./use-cluster-saved";

export function AddonsTab({ projectId, cluster: c, canEdit }: ClusterTabProps) {
  const [editing, setEditing] = useState<AddonChoice | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const blocked = changeBlocked(c);
  const status = c.status.addons ?? {};
  const pendingApply = c.generation !== c.observedGeneration;
  const installed = c.spec.addons;
  const removingOnly = Object.entries(status).filter(
    ([id, s]) => s.phase === "Removing" && !installed.some((a) => a.id === id),
  );
  const { catalog } = useCatalog();
  const addonEntry = (id: string) => catalog.addons.find((a) => a.id === id);
  const available = catalog.addons.filter((a) => !installed.some((x) => x.id === a.id));
  const edit = !canEdit ? "Your role can view addons only." : blocked;

  return (
    <div className="space-y-6">
      <Card>
        <CardHeader title="Installed addons" description="Each addon's state as the cluster reports it." />
        <ul className="divide-y divide-border">
          {installed.map((a) => {
            const entry = addonEntry(a.id);
            const s = status[a.id];
            const phase = s?.phase ?? "Installing";
            return (
              <li key={a.id} className="flex items-start gap-4 px-5 py-4" data-testid={`addon-${a.id}`}>
                <Package className="mt-0.5 size-5 shrink-0 text-muted" aria-hidden />
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                    <span className="font-medium text-fg">{entry?.name ?? a.id}</span>
                    <span className="text-sm text-muted">{a.version}</span>
                    <ChartPhaseBadge phase={phase} />
                    {s && s.version && s.version !== a.version && (
                      <Badge tone="primary">
                        {s.version} → {a.version}
                      </Badge>
                    )}
                    {entry && <AddonBadges entry={entry} />}
                    {s && <PhaseSince phase={s.phase} since={s.since} />}
                  </div>
                  {s?.message && <ChartMessage phase={phase} message={s.message} overdue={s.overdue} />}
                  {!s && pendingApply && (
                    <p className="mt-1 text-sm text-muted">Waiting for the cluster to apply it.</p>
                  )}
                  {(s?.resources.length ?? 0) > 0 && (
                    <ul className="mt-1 space-y-0.5 text-xs text-muted">
                      {s!.resources.map((r) => (
                        <li key={r}>{r}</li>
                      ))}
                    </ul>
                  )}
                </div>
                <div className="flex shrink-0 gap-2">
                  <Button
                    size="sm"
                    variant="secondary"
                    disabled={Boolean(edit)}
                    title={edit ?? undefined}
                    onClick={() => setEditing(a)}
                  >
                    <Settings2 className="size-4" aria-hidden /> Configure
                  </Button>
                  <Button
                    size="sm"
                    variant="secondary"
                    disabled={Boolean(edit) || !entry?.removable}
                    title={!entry?.removable ? "A system addon cannot be removed" : (edit ?? undefined)}
                    aria-label={`Uninstall ${entry?.name ?? a.id}`}
                    onClick={() => setRemoving(a.id)}
                  >
                    <Trash2 className="size-4" aria-hidden /> Uninstall
                  </Button>
                </div>
              </li>
            );
          })}
          {removingOnly.map(([id, s]) => (
            <li key={id} className="flex items-start gap-4 px-5 py-4">
              <Package className="mt-0.5 size-5 shrink-0 text-muted" aria-hidden />
              <div className="min-w-0 flex-1">
                <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                  <span className="font-medium text-fg">{addonEntry(id)?.name ?? id}</span>
                  <ChartPhaseBadge phase="Removing" />
                  <PhaseSince phase="Removing" since={s.since} />
                </div>
                {s.message && <ChartMessage phase="Removing" message={s.message} />}
              </div>
            </li>
          ))}
        </ul>
      </Card>

      <SystemComponentsCard cluster={c} />

      <Card>
        <CardHeader
          title="Available addons"
          description="Install in one click; each is reconciled like the rest of the cluster."
        />
        {available.length === 0 ? (
          <p className="px-5 py-4 text-sm text-muted">Every addon in the catalog is installed.</p>
        ) : (
          <ul className="grid grid-cols-2 gap-3 p-5">
            {available.map((entry) => {
              const version = defaultVersion(entry, c.spec.version);
              return (
                <li key={entry.id} className="rounded-lg border border-border p-4">
                  <div className="flex flex-wrap items-center gap-2 font-medium text-fg">
                    {entry.name} <AddonBadges entry={entry} />
                  </div>
                  <p className="mt-1 text-sm text-muted">{entry.description}</p>
                  <div className="mt-2">
                    <ResourceList resources={entry.defaultResources} />
                  </div>
                  <Button
                    className="mt-3"
                    size="sm"
                    variant="secondary"
                    disabled={Boolean(edit) || !version}
                    title={
                      !version ? `No version supports Kubernetes ${c.spec.version}` : (edit ?? undefined)
                    }
                    onClick={() =>
                      setEditing({ id: entry.id, version: version!, values: entry.defaultValues })
                    }
                  >
                    <Plus className="size-4" aria-hidden /> Install {entry.name}
                  </Button>
                </li>
              );
            })}
          </ul>
        )}
      </Card>

      {editing && (
        <AddonDialog
          projectId={projectId}
          cluster={c}
          initial={editing}
          installed={installed.some((a) => a.id === editing.id)}
          onClose={() => setEditing(null)}
        />
      )}
      {removing && (
        <UninstallDialog projectId={projectId} cluster={c} id={removing} onClose={() => setRemoving(null)} />
      )}
    </div>
  );
}

function AddonDialog({
  projectId,
  cluster: c,
  initial,
  installed,
  onClose,
}: {
  projectId: string;
  cluster: ClusterData;
  initial: AddonChoice;
  installed: boolean;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const saved = useClusterSaved(projectId, c.id);
  const [draft, setDraft] = useState(initial);
  const install = useMutation(trpc.addon.install.mutationOptions({ meta: { inlineErrors: true } }));
  const { catalog } = useCatalog();
  const entry = catalog.addons.find((a) => a.id === draft.id)!;
  const localIssues = useAddonValuesCheck(draft.id, draft.values).data?.issues ?? [];
  return (
    <FormDialog
      open
      onOpenChange={(o) => !o && onClose()}
      size="lg"
      title={installed ? `Configure ${entry.name}` : `Install ${entry.name}`}
      description={entry.description}
      onSubmit={async () => {
        // The values as they are now, checked (the check shown may lag the last keystroke).
        const check = await queryClient.fetchQuery(
          trpc.catalog.checkAddonValues.queryOptions({ projectId, id: draft.id, values: draft.values }),
        );
        if (check.issues.length) return;
        install.mutate(
          { projectId, clusterId: c.id, generation: c.generation, addon: draft },
          {
            onSuccess: () => {
              saved();
              toast({
                variant: "success",
                title: installed ? `${entry.name} is being reconfigured` : `${entry.name} is being installed`,
              });
              onClose();
            },
          },
        );
      }}
    >
      <AddonForm kubernetes={c.spec.version} value={draft} onChange={setDraft} />
      <FormError message={install.error?.message} />
      <DialogActions onCancel={onClose}>
        <Button type="submit" loading={install.isPending} disabled={localIssues.length > 0}>
          {installed ? "Apply changes" : "Install"}
        </Button>
      </DialogActions>
    </FormDialog>
  );
}

function UninstallDialog({
  projectId,
  cluster: c,
  id,
  onClose,
}: {
  projectId: string;
  cluster: ClusterData;
  id: string;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const saved = useClusterSaved(projectId, c.id);
  const remove = useMutation(trpc.addon.uninstall.mutationOptions({ meta: { inlineErrors: true } }));
  const { catalog } = useCatalog();
  const entry = catalog.addons.find((a) => a.id === id)!;
  const resources = c.status.addons?.[id]?.resources ?? [];
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={`Uninstall ${entry.name}?`}>
      <div className="space-y-3 text-sm">
        <p className="text-fg">
          Its workloads are removed from the cluster
          {resources.length ? ", and these cloud resources are deleted:" : "."}
        </p>
        {resources.length > 0 && (
          <ul className="list-disc space-y-0.5 pl-5 text-muted">
            {resources.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        )}
        {resources.some((r) => r.startsWith("Volume")) && (
          <p className="font-medium text-danger">The volume&apos;s data is deleted with it.</p>
        )}
        <FormError message={remove.error?.message} />
        <DialogActions onCancel={onClose}>
          <Button
            variant="danger"
            loading={remove.isPending}
            onClick={() =>
              remove.mutate(
                { projectId, clusterId: c.id, generation: c.generation, id },
                {
                  onSuccess: () => {
                    saved();
                    toast({ variant: "success", title: `${entry.name} is being uninstalled` });
                    onClose();
                  },
                },
              )
            }
          >
            Uninstall
          </Button>
        </DialogActions>
      </div>
    </Dialog>
  );
}
