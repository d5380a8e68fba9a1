"use client";

import { Table, TableHead } from "@/components/ui/table";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, Fragment, type ReactNode, useState } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Input } from "@/components/ui/field";
import { toast } from "@/components/ui/toast-store";
import { useCatalog } from "@/components/catalog/catalog-provider";
import { type ClusterData } from "./labels";
import { NodeActionNote, NodeActionsMenu } from "./node-actions-menu";
import { strategyText, UpgradeStrategyButton } from "./upgrade-strategy";
import { FormDialog } from "@/components/ui/dialog";
import { scaleDownImpact, type ScaleDownImpact } from "./scale-down";

const STATE_TONE: Record<string, "success" | "primary" | "warning" | "danger" | "neutral"> = {
  Ready: "success",
  Installing: "primary",
  Starting: "primary",
  Stopping: "warning",
  Stopped: "neutral",
  Terminating: "warning",
  NotReady: "danger",
  Draining: "warning",
  Cordoned: "warning",
  NeverRegistered: "danger",
  Unverified: "neutral",
};

/** How a node state reads (states are identifiers in the API). */
const STATE_LABEL: Record<string, string> = {
  NeverRegistered: "Never registered",
  NotReady: "Not ready",
  Unverified: "Running (unverified)",
};

/** What a state means, for its badge's tooltip. */
const STATE_HINT: Record<string, string> = {
  Unverified:
    "Nova reports the server running; the console cannot reach this cluster's Kubernetes API (private, or outside its allowlist), so its kubelet is not verified",
  NeverRegistered: "The server runs but its kubelet never registered with the Kubernetes API",
};

export function NodeGroupsTab({
  projectId,
  cluster: c,
  canEdit,
}: {
  projectId: string;
  cluster: ClusterData;
  canEdit: boolean;
}) {
  const masters = c.status.nodes.filter((n) => n.role === "master");
  return (
    <div className="space-y-5">
      <NodeTable
        title="Control plane"
        description={`${c.spec.masterCount} master${c.spec.masterCount === 1 ? "" : "s"}, ${c.spec.masterFlavor}`}
        nodes={masters}
        unregistered={c.status.unregistered}
        cluster={c}
        menu={canEdit ? (n) => <NodeActionsMenu projectId={projectId} cluster={c} node={n} /> : undefined}
      />
      {c.spec.nodeGroups.length === 0 && (
        <p className="text-sm text-muted">This cluster has no worker node groups.</p>
      )}
      {c.spec.nodeGroups.map((g) => (
        <NodeTable
          key={g.name}
          title={g.name}
          description={`${g.flavor} in ${g.zone} · ${g.diskGb} GB ${g.diskType}${g.antiAffinity ? " · anti-affinity" : ""} · ${g.scaling.mode === "fixed" ? `${g.scaling.size} node${g.scaling.size === 1 ? "" : "s"}` : `autoscaling ${g.scaling.min}–${g.scaling.max}`}`}
          nodes={c.status.nodes.filter((n) => n.role === "worker" && n.group === g.name)}
          unregistered={c.status.unregistered}
          cluster={c}
          menu={canEdit ? (n) => <NodeActionsMenu projectId={projectId} cluster={c} node={n} /> : undefined}
          action={
            canEdit && c.phase !== "Deleting" ? (
              <>
                <ScaleForm projectId={projectId} cluster={c} group={g} />
                <p className="mt-2 text-xs text-muted">
                  Upgrades {strategyText(g.upgrade)}
                  <UpgradeStrategyButton projectId={projectId} cluster={c} group={g} />
                </p>
              </>
            ) : (
              <p className="text-xs text-muted">Upgrades {strategyText(g.upgrade)}</p>
            )
          }
        />
      ))}
    </div>
  );
}

function NodeTable({
  title,
  description,
  nodes,
  action,
  unregistered,
  cluster,
  menu,
}: {
  title: string;
  description: string;
  nodes: ClusterData["status"]["nodes"];
  action?: ReactNode;
  cluster: ClusterData;
  /** A node's action menu (members and up). */
  menu?: (node: ClusterData["status"]["nodes"][number]) => ReactNode;
  unregistered?: ClusterData["status"]["unregistered"];
}) {
  return (
    <Card>
      <CardHeader title={title} description={description} />
      {/* The scaling controls get a row of their own: in the header they squeezed the group's name. */}
      {action && <div className="border-b border-border px-5 py-3">{action}</div>}
      {/* Narrow screens scroll the table inside its card rather than spilling out of it. */}
      <div className="overflow-x-auto">
        <Table className="text-sm" caption={`Nodes of ${title}`}>
          <TableHead
            className="border-b border-border"
            cellClassName="px-3 py-2 first:pl-5 last:pr-5"
            columns={[
              "Node",
              "Zone",
              "Flavor",
              "IP",
              "Version",
              "State",
              ...(menu ? [{ label: <span className="sr-only">Actions</span>, key: "actions" }] : []),
            ]}
          />
          <tbody className="divide-y divide-border">
            {nodes.length === 0 && (
              <tr>
                <td colSpan={menu ? 7 : 6} className="px-5 py-4 text-sm text-muted">
                  No nodes yet.
                </td>
              </tr>
            )}
            {nodes.map((n) => {
              const never = n.state === "NeverRegistered" ? unregistered?.[n.name] : undefined;
              return (
                <Fragment key={n.name}>
                  <tr>
                    {/* Long names wrap at their hyphens, never inside a word. */}
                    <td className="py-2.5 pr-3 pl-5 font-mono text-xs text-fg">{n.name}</td>
                    <td className="whitespace-nowrap px-3 py-2.5 text-fg">{n.zone}</td>
                    <td className="whitespace-nowrap px-3 py-2.5 text-fg">{n.flavor}</td>
                    <td className="whitespace-nowrap px-3 py-2.5 font-mono text-xs text-fg">{n.ip ?? "—"}</td>
                    <td className="whitespace-nowrap px-3 py-2.5 font-mono text-xs text-fg">
                      {n.version ?? "—"}
                    </td>
                    <td className="py-2.5 pr-5 pl-3">
                      <span title={STATE_HINT[n.state]}>
                        <Badge tone={STATE_TONE[n.state] ?? "neutral"}>
                          {STATE_LABEL[n.state] ?? n.state}
                        </Badge>
                      </span>
                      <NodeActionNote cluster={cluster} node={n.name} />
                    </td>
                    {menu && <td className="w-10 py-2 pr-3 text-right">{menu(n)}</td>}
                  </tr>
                  {never && (
                    <tr>
                      <td colSpan={menu ? 7 : 6} className="px-5 pb-3 pt-0">
                        <details className="rounded-md border border-border bg-surface-2 text-xs">
                          <summary className="cursor-pointer px-3 py-2 text-fg">
                            Its kubelet never registered with the Kubernetes API. Console log (last{" "}
                            {never.console.length} lines) — Retry on the cluster replaces this server.
                          </summary>
                          <pre className="max-h-72 overflow-auto whitespace-pre-wrap break-all px-3 pb-3 font-mono text-[11px] text-muted">
                            {never.console.length
                              ? never.console.join("\n")
                              : "No console log was available."}
                          </pre>
                        </details>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </Table>
      </div>
    </Card>
  );
}

function ScaleForm({
  projectId,
  cluster,
  group,
}: {
  projectId: string;
  cluster: ClusterData;
  group: ClusterData["spec"]["nodeGroups"][number];
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const autoscaleDefaults = useCatalog().catalog.autoscaleDefaults;
  const autoscale = group.scaling.mode === "autoscale";
  const current =
    group.scaling.mode === "fixed"
      ? { a: group.scaling.size, b: 0 }
      : { a: group.scaling.min, b: group.scaling.max };
  const [a, setA] = useState(String(current.a));
  const [b, setB] = useState(String(current.b));
  const sd =
    group.scaling.mode === "autoscale"
      ? {
          util: Math.round(
            (group.scaling.scaleDownUtilization ?? autoscaleDefaults.scaleDownUtilization) * 100,
          ),
          minutes: group.scaling.scaleDownUnneededMinutes ?? autoscaleDefaults.scaleDownUnneededMinutes,
        }
      : { util: 50, minutes: 10 };
  const [util, setUtil] = useState(String(sd.util));
  const [minutes, setMinutes] = useState(String(sd.minutes));
  const scale = useMutation(trpc.nodeGroup.update.mutationOptions({ meta: { inlineErrors: true } }));
  const errors = fieldErrorsOf(scale.error);
  const message =
    Object.values(errors)[0]?.[0] ??
    (scale.error && !Object.keys(errors).length ? scale.error.message : null);
  const unchanged =
    Number(a) === current.a &&
    (!autoscale || (Number(b) === current.b && Number(util) === sd.util && Number(minutes) === sd.minutes));
  const errId = `size-err-${group.name}`;

  // A scale-down removes running nodes: say what runs on them and whether it fits elsewhere, first.
  const liveSize =
    cluster.status.autoscaler?.groups[group.name]?.ready ??
    cluster.status.nodes.filter((n) => n.role === "worker" && n.group === group.name).length;
  const newCeiling = autoscale ? Number(b) : Number(a);
  const shrinking = Number.isFinite(newCeiling) && newCeiling < liveSize;
  const [confirming, setConfirming] = useState(false);
  const impact = scaleDownImpact({
    group: group.name,
    from: liveSize,
    to: newCeiling,
    figures: cluster.status.autoscaler?.groups,
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (shrinking && !confirming) {
      setConfirming(true);
      return;
    }
    apply();
  }

  function apply() {
    const scaling = autoscale
      ? {
          mode: "autoscale" as const,
          min: Number(a),
          max: Number(b),
          scaleDownUtilization: Number(util) / 100,
          scaleDownUnneededMinutes: Number(minutes),
        }
      : { mode: "fixed" as const, size: Number(a) };
    scale.mutate(
      { projectId, clusterId: cluster.id, generation: cluster.generation, name: group.name, scaling },
      {
        onSuccess: () => {
          setConfirming(false);
          toast({
            variant: "success",
            title: autoscale
              ? `${group.name}: autoscaling between ${a} and ${b} nodes`
              : `Scaling ${group.name} to ${a} node${a === "1" ? "" : "s"}`,
          });
          void qc.invalidateQueries({
            queryKey: trpc.cluster.get.queryKey({ projectId, clusterId: cluster.id }),
          });
        },
      },
    );
  }
  const box = (id: string, label: string, value: string, set: (v: string) => void, width = "w-20") => (
    <>
      <label className="sr-only" htmlFor={id}>
        {label}
      </label>
      <Input
        id={id}
        type="number"
        min={0}
        max={100}
        value={value}
        onChange={(e) => set(e.target.value)}
        className={`h-8 ${width}`}
        aria-invalid={Boolean(message)}
        aria-describedby={message ? errId : undefined}
      />
    </>
  );
  return (
    <form onSubmit={onSubmit} noValidate>
      {/* Phrases stay whole: the row wraps between them, never inside one. */}
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm text-muted">
        {autoscale ? (
          <>
            <span className="flex items-center gap-1.5 whitespace-nowrap">
              Between {box(`min-${group.name}`, `Minimum nodes in ${group.name}`, a, setA)} and{" "}
              {box(`max-${group.name}`, `Maximum nodes in ${group.name}`, b, setB)} nodes
            </span>
            <span className="flex items-center gap-1.5 whitespace-nowrap">
              Scale a node down when under{" "}
              {box(
                `util-${group.name}`,
                `Scale-down threshold (% requested) in ${group.name}`,
                util,
                setUtil,
                "w-16",
              )}{" "}
              % requested for{" "}
              {box(
                `unneeded-${group.name}`,
                `Minutes a node is unneeded before removal in ${group.name}`,
                minutes,
                setMinutes,
                "w-16",
              )}{" "}
              min
            </span>
          </>
        ) : (
          <span className="flex items-center gap-1.5 whitespace-nowrap">
            Nodes {box(`size-${group.name}`, `Nodes in ${group.name}`, a, setA)}
          </span>
        )}
        <Button type="submit" size="sm" variant="secondary" loading={scale.isPending} disabled={unchanged}>
          {autoscale ? "Save" : "Scale"}
        </Button>
      </div>
      {message && (
        <p id={errId} role="alert" className="mt-2 text-xs font-medium text-danger">
          {message}
        </p>
      )}
      <FormDialog
        open={confirming}
        onOpenChange={setConfirming}
        onClose={() => scale.reset()}
        title={`Remove ${impact.removed} node${impact.removed === 1 ? "" : "s"} from ${group.name}?`}
        description={`${group.name} goes from ${liveSize} to ${newCeiling} node${newCeiling === 1 ? "" : "s"}${autoscale ? " at most" : ""}. Each removed node is cordoned and drained (PodDisruptionBudgets respected), then deleted.`}
        onSubmit={apply}
      >
        <ScaleDownImpactText impact={impact} />
        {message && (
          <p role="alert" className="mt-3 text-sm font-medium text-danger">
            {message}
          </p>
        )}
        <div className="mt-4 flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={() => setConfirming(false)}>
            Keep {liveSize} node{liveSize === 1 ? "" : "s"}
          </Button>
          <Button type="submit" variant="danger" loading={scale.isPending}>
            Remove {impact.removed} node{impact.removed === 1 ? "" : "s"}
          </Button>
        </div>
      </FormDialog>
    </form>
  );
}

const cpu = (m: number) => `${(m / 1000).toFixed(m % 1000 === 0 ? 0 : 1)} vCPU`;
const mem = (mi: number) => (mi >= 1024 ? `${(mi / 1024).toFixed(1)} GiB` : `${mi} MiB`);

function ScaleDownImpactText({ impact: i }: { impact: ScaleDownImpact }) {
  if (i.pods === null || i.fits === null)
    return (
      <p className="text-sm text-muted">
        The console has not read this cluster&apos;s workload yet, so it cannot say how many pods run on these
        nodes or whether they fit elsewhere.
      </p>
    );
  return (
    <div className="space-y-2 text-sm">
      <p className="text-fg">
        About <strong>{i.pods}</strong> pod{i.pods === 1 ? "" : "s"} run on them, requesting {cpu(i.cpuMilli)}{" "}
        and {mem(i.memoryMi)}. The rest of the cluster has {cpu(i.freeCpuMilli)} and {mem(i.freeMemoryMi)}{" "}
        free.
      </p>
      {i.fits ? (
        <p className="text-success">Their requests fit on the remaining nodes.</p>
      ) : (
        <p role="alert" className="font-medium text-danger">
          They do not fit: some pods will stay Pending until there is room again
          {i.pods > 0 ? " (add nodes to another group, or keep more here)" : ""}.
        </p>
      )}
    </div>
  );
}
