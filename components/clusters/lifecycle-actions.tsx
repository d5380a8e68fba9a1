"use client";

import { Progress } from "@/components/ui/progress";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, ArrowUpCircle, Download, Info, Play, Power } from "lucide-react";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Banner } from "@/components/ui/banner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { SelectField } from "@/components/ui/field";
import { LoadingBlock } from "@/components/ui/load-state";
import { toast } from "@/components/ui/toast-store";
import type { KUBECONFIG_VALIDITIES } from "@/server/contracts/kubeconfig";
import { useCatalog } from "@/components/catalog/catalog-provider";
import { type ClusterData } from "./labels";
import { formatMoney } from "@/components/ui/format";

function useRefresh(projectId: string, clusterId: string) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: trpc.cluster.get.queryKey({ projectId, clusterId }) });
    void qc.invalidateQueries({ queryKey: trpc.operation.list.queryKey({ projectId, clusterId }) });
  };
}

// ── kubeconfig ───────────────────────────────────────────────────────────────

export function KubeconfigButton({ projectId, cluster: c }: { projectId: string; cluster: ClusterData }) {
  const [open, setOpen] = useState(false);
  const { catalog } = useCatalog();
  const [validity, setValidity] = useState<keyof typeof KUBECONFIG_VALIDITIES>("8h");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const ready = Boolean(c.status.apiEndpoint) && c.phase !== "Provisioning" && c.phase !== "Deleting";
  const trpc = useTRPC();
  const refresh = useRefresh(projectId, c.id);
  const [rotating, setRotating] = useState(false);
  const rotate = useMutation(trpc.cluster.rotateCa.mutationOptions({ meta: { inlineErrors: true } }));

  async function download() {
    setPending(true);
    setError(null);
    try {
      const res = await fetch(`/api/projects/${projectId}/clusters/${c.id}/kubeconfig`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ validity, kind: "certificate" }),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: string };
        setError(body.error ?? `The console answered ${res.status}`);
        return;
      }
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = `${c.name}-kubeconfig.yaml`;
      document.body.append(a);
      a.click();
      a.remove();
      URL.revokeObjectURL(url);
      const expires = res.headers.get("X-Kubeconfig-Expires");
      toast({
        variant: "success",
        title: "Kubeconfig downloaded",
        description: expires
          ? `Its certificate is valid until ${new Date(expires).toLocaleString()}. Keep it secret: it grants full admin access.`
          : undefined,
      });
      setOpen(false);
    } catch {
      setError("The console could not be reached; check your connection and try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      <Button
        variant="secondary"
        size="sm"
        onClick={() => setOpen(true)}
        disabled={!ready}
        title={ready ? undefined : "Available once the cluster's API has an address"}
      >
        <Download className="size-4" aria-hidden /> Kubeconfig
      </Button>
      <Dialog
        open={open}
        onOpenChange={(o) => {
          setOpen(o);
          if (!o) setError(null);
        }}
        title={`Kubeconfig for ${c.name}`}
        description={
          <>
            An admin client certificate (group <code>system:masters</code>) for{" "}
            <span className="font-mono">{c.status.apiEndpoint}</span>, signed by the cluster&apos;s own CA.
            Every download is recorded in the audit log.
          </>
        }
      >
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            void download();
          }}
        >
          <SelectField
            label="Valid for"
            hint="Shorter is safer; the certificate cannot be revoked before the CA is rotated."
            value={validity}
            onChange={(e) => setValidity(e.target.value as keyof typeof KUBECONFIG_VALIDITIES)}
          >
            {catalog.kubeconfigValidities.map((v) => (
              <option key={v.value} value={v.value}>
                {v.label}
              </option>
            ))}
          </SelectField>
          <p className="rounded-md bg-surface-2 px-3 py-2 font-mono text-xs text-fg">
            kubectl --kubeconfig {c.name}-kubeconfig.yaml get nodes
          </p>
          {error && (
            <p role="alert" className="text-sm font-medium text-danger">
              {error}
            </p>
          )}
          <DialogActions onCancel={() => setOpen(false)}>
            <Button type="submit" loading={pending}>
              <Download className="size-4" aria-hidden /> Download
            </Button>
          </DialogActions>
        </form>
        <section aria-labelledby="rotate-ca" className="mt-6 border-t border-border pt-4">
          <h3 id="rotate-ca" className="text-sm font-semibold text-fg">
            Rotate the cluster CA
          </h3>
          <p className="mt-1 text-xs text-muted">
            Revokes every kubeconfig issued so far: they keep working until the API server has moved to the
            new CA (about a minute), then stop. Admins and owners only; audited.
          </p>
          {rotating ? (
            <div className="mt-3 flex items-center gap-2">
              <Button
                size="sm"
                variant="danger"
                loading={rotate.isPending}
                onClick={() =>
                  rotate.mutate(
                    { projectId, clusterId: c.id },
                    {
                      onSuccess: () => {
                        setRotating(false);
                        refresh();
                        toast({
                          variant: "success",
                          title: "CA rotation started",
                          description: "Download a new kubeconfig.",
                        });
                      },
                    },
                  )
                }
              >
                Rotate now
              </Button>
              <Button size="sm" variant="secondary" onClick={() => (setRotating(false), rotate.reset())}>
                Keep the current CA
              </Button>
            </div>
          ) : (
            <Button
              className="mt-3"
              size="sm"
              variant="secondary"
              onClick={() => setRotating(true)}
              disabled={c.phase !== "Running"}
            >
              Rotate CA…
            </Button>
          )}
          {rotate.error && (
            <p role="alert" className="mt-2 text-sm font-medium text-danger">
              {rotate.error.message}
            </p>
          )}
        </section>
      </Dialog>
    </>
  );
}

// ── stop / start ─────────────────────────────────────────────────────────────

/** Opened from elsewhere (a list row's menu): the dialog only, its state held by the caller. */
export interface DialogControl {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

/** A dialog's open state: the caller's when it controls the dialog, else the button's own. */
function useDialogOpen(control: DialogControl | undefined): [boolean, (open: boolean) => void] {
  const [own, setOwn] = useState(false);
  return control ? [control.open, control.onOpenChange] : [own, setOwn];
}

/** Whether the power button stops or starts, and whether it may now (a waiting start may be stopped, and back). */
export function powerTransition(c: Pick<ClusterData, "power" | "phase">) {
  const stopping = c.power === "on";
  const interrupting = stopping ? c.phase === "Starting" : c.phase === "Stopping";
  const allowed = interrupting || (stopping ? c.phase === "Running" : c.phase === "Stopped");
  return { stopping, interrupting, allowed };
}

export function PowerButton({
  projectId,
  cluster: c,
  control,
}: {
  projectId: string;
  cluster: ClusterData;
  control?: DialogControl;
}) {
  const trpc = useTRPC();
  const refresh = useRefresh(projectId, c.id);
  const [open, setOpen] = useDialogOpen(control);
  const stop = useMutation(trpc.cluster.stop.mutationOptions({ meta: { inlineErrors: true } }));
  const start = useMutation(trpc.cluster.start.mutationOptions({ meta: { inlineErrors: true } }));
  const { stopping, interrupting, allowed } = powerTransition(c);
  const m = stopping ? stop : start;
  const saving = formatMoney(c.stopSaving.perMonth, c.stopSaving.currency);
  return (
    <>
      {!control && (
        <Button
          variant="secondary"
          size="sm"
          onClick={() => setOpen(true)}
          disabled={!allowed}
          title={
            allowed
              ? undefined
              : stopping
                ? `Only a running or starting cluster can be stopped (it is ${c.phase.toLowerCase()})`
                : `Only a stopped or stopping cluster can be started (it is ${c.phase.toLowerCase()})`
          }
        >
          {stopping ? <Power className="size-4" aria-hidden /> : <Play className="size-4" aria-hidden />}
          {stopping ? "Stop" : "Start"}
        </Button>
      )}
      <Dialog
        open={open}
        onOpenChange={(o) => {
          setOpen(o);
          if (!o) m.reset();
        }}
        title={stopping ? `Stop ${c.name}?` : `Start ${c.name}?`}
        description={
          (interrupting
            ? stopping
              ? "The start is abandoned where it is: servers already running are stopped again. "
              : "The stop is abandoned where it is: servers already stopped start again. "
            : "") +
          (stopping
            ? "Workers are cordoned and stopped, then the masters. Disks, the network, the load balancer and the API address stay, so the cluster comes back as it was."
            : "Masters start first; workers start once the Kubernetes API answers, and are uncordoned when Ready.")
        }
      >
        <div className="space-y-4">
          <dl className="grid grid-cols-[1fr_auto] gap-y-1.5 rounded-md bg-surface-2 px-4 py-3 text-sm">
            <dt className="text-muted">{stopping ? "Compute saved" : "Compute cost again"}</dt>
            <dd className="font-medium text-fg tabular-nums">{saving} / month</dd>
            <dt className="text-muted">
              {stopping ? "Still billed while stopped" : "While stopped it cost"}
            </dt>
            <dd className="text-fg tabular-nums">
              {formatMoney(c.stopSaving.stoppedPerMonth, c.stopSaving.currency)} / month
            </dd>
          </dl>
          {m.error && (
            <p role="alert" className="text-sm font-medium text-danger">
              {m.error.message}
            </p>
          )}
          <DialogActions onCancel={() => setOpen(false)}>
            <Button
              loading={m.isPending}
              onClick={() =>
                m.mutate(
                  { projectId, clusterId: c.id },
                  {
                    onSuccess: () => {
                      setOpen(false);
                      refresh();
                      toast({
                        variant: "success",
                        title: stopping ? `Stopping ${c.name}` : `Starting ${c.name}`,
                        description: stopping ? `Saves about ${saving} per month while stopped.` : undefined,
                      });
                    },
                  },
                )
              }
            >
              {stopping ? "Stop cluster" : "Start cluster"}
            </Button>
          </DialogActions>
        </div>
      </Dialog>
    </>
  );
}

// ── upgrade ──────────────────────────────────────────────────────────────────

const SEVERITY = {
  blocking: { tone: "danger", label: "Blocking" },
  warning: { tone: "warning", label: "Warning" },
  info: { tone: "neutral", label: "Info" },
} as const;

export function UpgradeButton({
  projectId,
  cluster: c,
  control,
}: {
  projectId: string;
  cluster: ClusterData;
  control?: DialogControl;
}) {
  const trpc = useTRPC();
  const refresh = useRefresh(projectId, c.id);
  const [open, setOpen] = useDialogOpen(control);
  const options = useQuery({
    ...trpc.cluster.upgradeOptions.queryOptions({ projectId, clusterId: c.id }),
    // A list row asks only once its menu opened the dialog.
    enabled: c.phase !== "Deleting" && (!control || control.open),
  });
  const targets = options.data?.targets ?? [];
  const [target, setTarget] = useState<string | null>(null);
  const chosen = target ?? targets.at(-1)?.version ?? null;
  const report = useQuery({
    ...trpc.cluster.upgradeReadiness.queryOptions({ projectId, clusterId: c.id, target: chosen ?? "" }),
    enabled: open && chosen !== null,
  });
  const [acked, setAcked] = useState<string[]>([]);
  const upgrade = useMutation(trpc.cluster.upgrade.mutationOptions({ meta: { inlineErrors: true } }));
  const blocking = report.data?.findings.filter((f) => f.severity === "blocking") ?? [];
  const allAcked = blocking.every((f) => acked.includes(f.id));
  const allowed = c.phase === "Running" && targets.length > 0;
  if (control && open && (options.isPending || targets.length === 0))
    return (
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Upgrade ${c.name}`}
        description={
          options.isPending
            ? "Reading the versions this cloud offers…"
            : options.isError
              ? options.error.message
              : `Kubernetes ${c.spec.version} is the newest version this cloud offers for ${c.name}.`
        }
      >
        <div className="flex justify-end">
          <Button variant="secondary" onClick={() => setOpen(false)}>
            Close
          </Button>
        </div>
      </Dialog>
    );
  if (options.isPending || targets.length === 0) return null;

  return (
    <>
      {!control && (
        <Button
          variant={options.data?.endOfLifeReached ? "primary" : "secondary"}
          size="sm"
          onClick={() => setOpen(true)}
          disabled={!allowed}
          title={
            allowed ? undefined : `Upgrades start from a running cluster (it is ${c.phase.toLowerCase()})`
          }
        >
          <ArrowUpCircle className="size-4" aria-hidden /> Upgrade
        </Button>
      )}
      <Dialog
        size="lg"
        open={open}
        onOpenChange={(o) => {
          setOpen(o);
          if (!o) {
            setAcked([]);
            upgrade.reset();
          }
        }}
        title={`Upgrade ${c.name} from ${c.spec.version}`}
        description="Masters are rebuilt one at a time while the others keep the API and etcd quorum; then each node group follows its strategy (rolling with surge nodes, or in-place rebuilds). Nothing is deleted that a user created."
      >
        <div className="space-y-4">
          <SelectField
            label="Target version"
            hint="One minor at a time, as Kubernetes' version skew policy requires."
            value={chosen ?? ""}
            onChange={(e) => {
              setTarget(e.target.value);
              setAcked([]);
            }}
          >
            {targets.map((t) => (
              <option key={t.version} value={t.version}>
                {t.version} ({t.kind === "patch" ? "patch" : "next minor"}
                {t.endOfLifeReached ? ", end of life" : ""})
              </option>
            ))}
          </SelectField>
          <section aria-labelledby="readiness-title" className="space-y-2">
            <h3 id="readiness-title" className="text-sm font-semibold text-fg">
              Readiness report
            </h3>
            {report.isPending && <LoadingBlock label="Checking the cluster…" className="py-6" />}
            {report.isError && (
              <p role="alert" className="text-sm text-danger">
                {report.error.message}
              </p>
            )}
            {report.data && (
              <ul className="divide-y divide-border rounded-md border border-border">
                {report.data.findings.map((f) => (
                  <li key={f.id} className="flex gap-3 px-3 py-2.5">
                    <div className="pt-0.5">
                      <Badge tone={SEVERITY[f.severity].tone}>{SEVERITY[f.severity].label}</Badge>
                    </div>
                    <div className="min-w-0 text-sm">
                      <div className="font-medium text-fg">{f.title}</div>
                      <div className="text-xs text-muted">{f.detail}</div>
                      {f.severity === "blocking" && (
                        <label className="mt-1.5 flex items-center gap-2 text-xs font-medium text-fg">
                          <input
                            type="checkbox"
                            className="size-4 accent-[var(--color-primary)]"
                            checked={acked.includes(f.id)}
                            onChange={(e) =>
                              setAcked((a) => (e.target.checked ? [...a, f.id] : a.filter((x) => x !== f.id)))
                            }
                          />
                          I understand and want to upgrade anyway
                        </label>
                      )}
                    </div>
                  </li>
                ))}
              </ul>
            )}
            {report.data && report.data.highlights.length > 0 && (
              <div className="rounded-md bg-surface-2 px-3 py-2.5 text-sm">
                <div className="flex items-center gap-1.5 font-medium text-fg">
                  <Info className="size-4 text-primary" aria-hidden /> What changes in{" "}
                  {report.data.to.split(".").slice(0, 2).join(".")}
                </div>
                <ul className="mt-1 list-disc pl-5 text-xs text-muted">
                  {report.data.highlights.map((h) => (
                    <li key={h}>{h}</li>
                  ))}
                </ul>
              </div>
            )}
          </section>
          {upgrade.error && (
            <p role="alert" className="text-sm font-medium text-danger">
              {upgrade.error.message}
            </p>
          )}
          <div className="flex items-center justify-between gap-2">
            <span className="text-xs text-muted">
              {report.data ? `${report.data.nodesToReplace} nodes will be rebuilt or replaced.` : ""}
            </span>
            <div className="flex gap-2">
              <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <Button
                disabled={!report.data || !allAcked || !chosen}
                loading={upgrade.isPending}
                onClick={() =>
                  chosen &&
                  upgrade.mutate(
                    {
                      projectId,
                      clusterId: c.id,
                      generation: c.generation,
                      target: chosen,
                      acknowledged: acked,
                    },
                    {
                      onSuccess: () => {
                        setOpen(false);
                        refresh();
                        toast({ variant: "success", title: `Upgrading ${c.name} to ${chosen}` });
                      },
                    },
                  )
                }
              >
                Upgrade to {chosen}
              </Button>
            </div>
          </div>
        </div>
      </Dialog>
    </>
  );
}

/** End-of-life banner: shown on the cluster page while the version gets no fixes. */
export function EolBanner({ projectId, cluster: c }: { projectId: string; cluster: ClusterData }) {
  const trpc = useTRPC();
  const options = useQuery(trpc.cluster.upgradeOptions.queryOptions({ projectId, clusterId: c.id }));
  if (!options.data?.endOfLifeReached) return null;
  return (
    <Banner tone="warning" icon={AlertTriangle}>
      <div className="font-medium text-fg">
        Kubernetes {c.spec.version.split(".").slice(0, 2).join(".")} reached end of life on{" "}
        {options.data.endOfLife}
      </div>
      <div className="mt-0.5 text-muted">
        It no longer receives security fixes. Upgrade to{" "}
        {options.data.targets.at(-1)?.version ?? "a supported version"} with the Upgrade button.
      </div>
    </Banner>
  );
}

const NODE_STEP: Record<
  string,
  { label: string; tone: "success" | "primary" | "warning" | "danger" | "neutral" }
> = {
  pending: { label: "Waiting", tone: "neutral" },
  draining: { label: "Draining", tone: "warning" },
  replacing: { label: "In progress", tone: "primary" },
  done: { label: "Upgraded", tone: "success" },
  failed: { label: "Failed", tone: "danger" },
};

/** Per-node progress of the running (or failed) upgrade. */
export function UpgradeProgress({ cluster: c }: { cluster: ClusterData }) {
  const u = c.status.upgrade;
  if (!u || u.completedAt) return null;
  const entries = Object.entries(u.nodes).sort(([a], [b]) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
  const done = entries.filter(([, n]) => n.state === "done").length;
  return (
    <section
      aria-labelledby="upgrade-progress"
      className="rounded-lg border border-border bg-surface p-4 shadow-xs"
    >
      <div className="flex items-center justify-between text-sm">
        <h2 id="upgrade-progress" className="font-medium text-fg">
          Upgrade {u.from} → {u.to}
        </h2>
        <span className="text-muted tabular-nums">
          {done}/{entries.length} nodes
        </span>
      </div>
      <Progress className="mt-2 h-2" label="Upgrade progress" value={done} max={entries.length} />
      {c.progress?.currentStep && <p className="mt-2 text-xs text-muted">{c.progress.currentStep}</p>}
      <ul className="mt-3 grid grid-cols-[repeat(auto-fill,minmax(17rem,1fr))] gap-2">
        {entries.map(([name, n]) => (
          <li
            key={name}
            className="flex items-center justify-between gap-2 rounded-md bg-surface-2 px-3 py-1.5 text-xs"
          >
            <span className="truncate font-mono text-fg">{name}</span>
            <Badge tone={NODE_STEP[n.state]?.tone ?? "neutral"}>{NODE_STEP[n.state]?.label ?? n.state}</Badge>
          </li>
        ))}
      </ul>
      {u.failed && (
        <p className="mt-3 text-sm text-danger">
          {u.failed.message}. The cluster keeps serving; press Retry to rebuild or replace the node and
          continue.
        </p>
      )}
    </section>
  );
}
