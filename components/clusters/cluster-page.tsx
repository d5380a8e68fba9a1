"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, ArrowLeft, CheckCircle2, CircleDashed, Copy, RotateCcw, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Banner } from "@/components/ui/banner";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Dialog } from "@/components/ui/dialog";
import { Field, Input, Select } from "@/components/ui/field";
import { LoadingBlock } from "@/components/ui/load-state";
import { TabsContent, TabsList, TabsRoot } from "@/components/ui/tabs";
import { AddonsTab } from "./addons-tab";
import { HealthTab } from "./health-tab";
import { PoliciesTab } from "./policies-tab";
import { toast } from "@/components/ui/toast-store";
import { roleAtLeast } from "@/server/contracts/roles";
import { AUTOSCALE_DEFAULTS } from "@/server/contracts/cluster";
import { formatMoney, PHASE_TONE, TOPOLOGY_LABEL, type ClusterData } from "./labels";
import {
  EolBanner,
  KubeconfigButton,
  PowerButton,
  UpgradeButton,
  UpgradeProgress,
} from "./lifecycle-actions";
import { MaintenanceBanner, Schedules } from "./schedules";

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
};
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });
const duration = (from: Date, to: Date | null) => {
  const s = Math.max(0, Math.round(((to ?? new Date()).getTime() - from.getTime()) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
};

export function ClusterPage({ projectId, clusterId }: { projectId: string; clusterId: string }) {
  const trpc = useTRPC();
  const project = useQuery(trpc.project.get.queryOptions({ projectId }));
  const cluster = useQuery({
    ...trpc.cluster.get.queryOptions({ projectId, clusterId }),
    refetchInterval: 2_000,
    retry: false,
  });
  const canEdit = project.data ? roleAtLeast(project.data.role, "member") : false;

  if (cluster.isPending) {
    return <LoadingBlock label="Loading cluster…" className="py-20" />;
  }
  if (cluster.isError) {
    return (
      <div className="space-y-4">
        <BackLink projectId={projectId} />
        <div role="alert" className="rounded-lg border border-border bg-surface p-6 text-sm text-muted">
          {cluster.error.data?.code === "NOT_FOUND"
            ? "This cluster does not exist any more (it may have been deleted)."
            : cluster.error.message}
        </div>
      </div>
    );
  }
  const c = cluster.data;
  const p = c.progress;
  // An upgrade shows its own per-node progress (UpgradeProgress), with its bar.
  const busy = p && p.total > 0 && c.phase !== "Running" && c.phase !== "Error" && p.operation !== "upgrade";

  return (
    <div className="space-y-6">
      <BackLink projectId={projectId} />
      <div className="flex items-start justify-between gap-6">
        <div className="min-w-0">
          <div className="flex items-center gap-3">
            <h1 className="truncate text-xl font-semibold tracking-tight text-fg">{c.name}</h1>
            <Badge tone={PHASE_TONE[c.phase]}>{c.phase}</Badge>
          </div>
          <p className="mt-1 text-sm text-muted">
            Kubernetes {c.spec.version} · {TOPOLOGY_LABEL[c.spec.topology]}, {c.spec.masterCount} master
            {c.spec.masterCount === 1 ? "" : "s"} · {formatMoney(c.cost.perMonth, c.cost.currency)}/month
          </p>
        </div>
        {canEdit && <ClusterActions projectId={projectId} cluster={c} />}
      </div>

      {busy && (
        <div className="rounded-lg border border-border bg-surface p-4 shadow-xs">
          <div className="flex items-center justify-between text-sm">
            <span className="font-medium text-fg capitalize">{p.operation}</span>
            <span className="text-muted tabular-nums">
              {p.done}/{p.total} steps
            </span>
          </div>
          <div
            className="mt-2 h-2 overflow-hidden rounded-full bg-surface-2"
            role="progressbar"
            aria-label="Operation progress"
            aria-valuemin={0}
            aria-valuemax={p.total}
            aria-valuenow={p.done}
          >
            <div
              className="h-full rounded-full bg-primary transition-[width]"
              style={{ width: `${Math.round((p.done / p.total) * 100)}%` }}
            />
          </div>
          <p className="mt-2 text-xs text-muted">
            {p.currentStep ?? "Waiting for the cloud"}
            {p.attempts > 0 && ` · retrying (attempt ${p.attempts + 1})`}
          </p>
        </div>
      )}
      <UpgradeProgress cluster={c} />
      <EolBanner projectId={projectId} cluster={c} />
      <MaintenanceBanner cluster={c} />
      {c.status.lastError && (
        <Banner tone="danger" icon={AlertTriangle}>
          <div className="font-medium text-danger">
            {c.status.lastError.terminal ? "Stopped" : "Retrying"}: {c.status.lastError.step}
          </div>
          <div className="mt-0.5 text-fg">{c.status.lastError.message}</div>
          {c.status.lastError.terminal && (
            <div className="mt-1 text-xs text-muted">
              Fix the cause (for example the quota) and press Retry, or change the cluster.
            </div>
          )}
        </Banner>
      )}

      <TabsRoot defaultValue="overview">
        <TabsList
          label="Cluster sections"
          items={[
            { value: "overview", label: "Overview" },
            { value: "nodes", label: "Node groups" },
            { value: "health", label: "Health & load" },
            { value: "addons", label: "Addons" },
            { value: "policies", label: "Policies" },
            { value: "schedules", label: "Schedules" },
            { value: "operations", label: "Operations" },
            { value: "events", label: "Events" },
          ]}
        />
        <TabsContent value="overview">
          <Overview cluster={c} />
        </TabsContent>
        <TabsContent value="nodes">
          <NodeGroups projectId={projectId} cluster={c} canEdit={canEdit} />
        </TabsContent>
        <TabsContent value="health">
          <HealthTab projectId={projectId} cluster={c} canEdit={canEdit} />
        </TabsContent>
        <TabsContent value="addons">
          <AddonsTab projectId={projectId} cluster={c} canEdit={canEdit} />
        </TabsContent>
        <TabsContent value="policies">
          <PoliciesTab projectId={projectId} cluster={c} canEdit={canEdit} />
        </TabsContent>
        <TabsContent value="schedules">
          <Schedules projectId={projectId} cluster={c} canEdit={canEdit} />
        </TabsContent>
        <TabsContent value="operations">
          <Operations projectId={projectId} clusterId={clusterId} />
        </TabsContent>
        <TabsContent value="events">
          <Events projectId={projectId} clusterId={clusterId} />
        </TabsContent>
      </TabsRoot>
    </div>
  );
}

function BackLink({ projectId }: { projectId: string }) {
  return (
    <Link
      href={`/projects/${projectId}/clusters`}
      className="inline-flex items-center gap-1.5 text-sm text-muted hover:text-fg"
    >
      <ArrowLeft className="size-4" aria-hidden /> Clusters
    </Link>
  );
}

function Overview({ cluster: c }: { cluster: ClusterData }) {
  const zones = [...new Set(c.status.nodes.map((n) => n.zone).filter(Boolean))].sort();
  const rows: Array<[string, string]> = [
    ["API endpoint", c.status.apiEndpoint ?? "Not ready yet"],
    [
      "Public API",
      c.spec.apiAccess.public
        ? c.spec.apiAccess.allowedCidrs.length
          ? `Yes, from ${c.spec.apiAccess.allowedCidrs.join(", ")}`
          : "Yes, from anywhere"
        : "No (private network only)",
    ],
    ["Kubernetes", c.spec.version],
    ["Topology", `${TOPOLOGY_LABEL[c.spec.topology]}, ${c.spec.masterCount} × ${c.spec.masterFlavor}`],
    ["etcd", `${c.spec.masterCount} × ${c.spec.etcd.sizeGb} GB ${c.spec.etcd.volumeType}`],
    ["Zones in use", zones.join(", ") || "—"],
    ["Pod / service CIDR", `${c.spec.podCidr} / ${c.spec.serviceCidr}`],
    [
      "Cost",
      `${formatMoney(c.cost.perMonth, c.cost.currency)} per month (${formatMoney(c.cost.perHour, c.cost.currency, 4)} per hour)`,
    ],
    [
      "Revision",
      c.observedGeneration === c.generation
        ? `${c.generation} (applied)`
        : `${c.generation} (cloud at ${c.observedGeneration})`,
    ],
  ];
  return (
    <div className="grid grid-cols-[3fr_2fr] gap-6">
      <Card>
        <CardHeader title="Details" />
        <dl className="grid grid-cols-[11rem_1fr] gap-x-4 gap-y-2.5 px-5 py-4 text-sm">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-muted">{k}</dt>
              <dd className="break-all text-fg">{v}</dd>
            </div>
          ))}
        </dl>
      </Card>
      <Card>
        <CardHeader title="Conditions" />
        <ul className="divide-y divide-border">
          {c.conditions.length === 0 && (
            <li className="px-5 py-4 text-sm text-muted">The reconciler has not reported yet.</li>
          )}
          {c.conditions.map((cond) => (
            <li key={cond.type} className="flex gap-3 px-5 py-3">
              {cond.status === "True" ? (
                <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-success" aria-hidden />
              ) : (
                <CircleDashed className="mt-0.5 size-4 shrink-0 text-primary" aria-hidden />
              )}
              <div className="min-w-0 text-sm">
                <div className="font-medium text-fg">
                  {cond.type}{" "}
                  <span className="font-normal text-muted">
                    {cond.status === "True" ? "" : `(${cond.reason})`}
                  </span>
                </div>
                <div className="text-xs text-muted">{cond.message}</div>
              </div>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}

function NodeGroups({
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
          action={
            canEdit && c.phase !== "Deleting" ? (
              <ScaleForm projectId={projectId} cluster={c} group={g} />
            ) : null
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
}: {
  title: string;
  description: string;
  nodes: ClusterData["status"]["nodes"];
  action?: ReactNode;
}) {
  return (
    <Card>
      <CardHeader title={title} description={description} actions={action} />
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Nodes of {title}</caption>
        <thead className="border-b border-border text-xs text-muted">
          <tr>
            <th scope="col" className="px-5 py-2 font-medium">
              Node
            </th>
            <th scope="col" className="px-5 py-2 font-medium">
              Zone
            </th>
            <th scope="col" className="px-5 py-2 font-medium">
              Flavor
            </th>
            <th scope="col" className="px-5 py-2 font-medium">
              IP
            </th>
            <th scope="col" className="px-5 py-2 font-medium">
              Version
            </th>
            <th scope="col" className="px-5 py-2 font-medium">
              State
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {nodes.length === 0 && (
            <tr>
              <td colSpan={6} className="px-5 py-4 text-sm text-muted">
                No nodes yet.
              </td>
            </tr>
          )}
          {nodes.map((n) => (
            <tr key={n.name}>
              <td className="px-5 py-2.5 font-mono text-xs text-fg">{n.name}</td>
              <td className="px-5 py-2.5 text-fg">{n.zone}</td>
              <td className="px-5 py-2.5 text-fg">{n.flavor}</td>
              <td className="px-5 py-2.5 font-mono text-xs text-fg">{n.ip ?? "—"}</td>
              <td className="px-5 py-2.5 font-mono text-xs text-fg">{n.version ?? "—"}</td>
              <td className="px-5 py-2.5">
                <Badge tone={STATE_TONE[n.state] ?? "neutral"}>{n.state}</Badge>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
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
            (group.scaling.scaleDownUtilization ?? AUTOSCALE_DEFAULTS.scaleDownUtilization) * 100,
          ),
          minutes: group.scaling.scaleDownUnneededMinutes ?? AUTOSCALE_DEFAULTS.scaleDownUnneededMinutes,
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

  function onSubmit(e: FormEvent) {
    e.preventDefault();
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
    <form onSubmit={onSubmit} className="flex items-start gap-2" noValidate>
      <div>
        <div className="flex flex-wrap items-center justify-end gap-1.5 text-xs whitespace-nowrap text-muted">
          {autoscale ? (
            <>
              {box(`min-${group.name}`, `Minimum nodes in ${group.name}`, a, setA)} to{" "}
              {box(`max-${group.name}`, `Maximum nodes in ${group.name}`, b, setB)}
              <span className="ml-2">nodes; scale down under</span>
              {box(
                `util-${group.name}`,
                `Scale-down threshold (% requested) in ${group.name}`,
                util,
                setUtil,
                "w-16",
              )}
              % for
              {box(
                `unneeded-${group.name}`,
                `Minutes a node is unneeded before removal in ${group.name}`,
                minutes,
                setMinutes,
                "w-16",
              )}
              min
            </>
          ) : (
            box(`size-${group.name}`, `Nodes in ${group.name}`, a, setA)
          )}
        </div>
        {message && (
          <p id={errId} role="alert" className="mt-1 max-w-72 text-xs font-medium text-danger">
            {message}
          </p>
        )}
      </div>
      <Button type="submit" size="sm" variant="secondary" loading={scale.isPending} disabled={unchanged}>
        {autoscale ? "Save" : "Scale"}
      </Button>
    </form>
  );
}

function ClusterActions({ projectId, cluster: c }: { projectId: string; cluster: ClusterData }) {
  const trpc = useTRPC();
  const router = useRouter();
  const qc = useQueryClient();
  const [deleting, setDeleting] = useState(false);
  const [confirm, setConfirm] = useState("");
  const del = useMutation(trpc.cluster.delete.mutationOptions({ meta: { inlineErrors: true } }));
  const retry = useMutation(trpc.cluster.retry.mutationOptions());
  if (c.phase === "Deleting") return null;
  return (
    <div className="flex shrink-0 items-center gap-2">
      <KubeconfigButton projectId={projectId} cluster={c} />
      <PowerButton projectId={projectId} cluster={c} />
      <UpgradeButton projectId={projectId} cluster={c} />
      {(c.phase === "Error" || c.status.lastError?.terminal) && (
        <Button
          variant="secondary"
          size="sm"
          loading={retry.isPending}
          onClick={() =>
            retry.mutate(
              { projectId, clusterId: c.id },
              {
                onSuccess: () =>
                  void qc.invalidateQueries({
                    queryKey: trpc.cluster.get.queryKey({ projectId, clusterId: c.id }),
                  }),
              },
            )
          }
        >
          <RotateCcw className="size-4" aria-hidden /> Retry
        </Button>
      )}
      <Button variant="secondary" size="sm" asChild>
        <Link href={`/projects/${projectId}/clusters/new?from=${c.id}`}>
          <Copy className="size-4" aria-hidden /> Clone
        </Link>
      </Button>
      <Button variant="secondary" size="sm" className="text-danger" onClick={() => setDeleting(true)}>
        <Trash2 className="size-4" aria-hidden /> Delete
      </Button>
      <Dialog
        open={deleting}
        onOpenChange={(o) => {
          setDeleting(o);
          if (!o) {
            setConfirm("");
            del.reset();
          }
        }}
        title={`Delete cluster ${c.name}?`}
        description="All its servers, volumes (including etcd data), the load balancer and the network are deleted. This cannot be undone."
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            del.mutate(
              { projectId, clusterId: c.id, confirmName: confirm },
              {
                onSuccess: () => {
                  toast({
                    variant: "success",
                    title: `Deleting ${c.name}`,
                    description:
                      "Resources are removed in reverse order; the cluster disappears when nothing is left.",
                  });
                  setDeleting(false);
                  router.push(`/projects/${projectId}/clusters`);
                },
              },
            );
          }}
          className="space-y-4"
          noValidate
        >
          <Field label={`Type ${c.name} to confirm`} errors={fieldErrorsOf(del.error).confirmName}>
            {(p) => (
              <Input {...p} value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="off" />
            )}
          </Field>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setDeleting(false)}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" loading={del.isPending} disabled={confirm !== c.name}>
              Delete cluster
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}

function Operations({ projectId, clusterId }: { projectId: string; clusterId: string }) {
  const trpc = useTRPC();
  const ops = useQuery({
    ...trpc.operation.list.queryOptions({ projectId, clusterId }),
    refetchInterval: 2_000,
  });
  const tone = {
    succeeded: "success",
    failed: "danger",
    running: "primary",
    pending: "neutral",
    superseded: "neutral",
  } as const;
  return (
    <Card>
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Operations</caption>
        <thead className="border-b border-border text-xs text-muted">
          <tr>
            <th scope="col" className="px-5 py-2 font-medium">
              Operation
            </th>
            <th scope="col" className="px-5 py-2 font-medium">
              By
            </th>
            <th scope="col" className="px-5 py-2 font-medium">
              Started
            </th>
            <th scope="col" className="px-5 py-2 font-medium">
              Duration
            </th>
            <th scope="col" className="px-5 py-2 font-medium">
              Outcome
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {(ops.data ?? []).map((o) => (
            <tr key={o.id} className="align-top">
              <td className="px-5 py-2.5 text-fg capitalize">
                {o.kind} <span className="text-xs text-muted normal-case">(revision {o.generation})</span>
              </td>
              <td className="px-5 py-2.5 text-fg">{o.actorEmail ?? "system"}</td>
              <td className="px-5 py-2.5 text-muted tabular-nums">{dateTime.format(o.startedAt)}</td>
              <td className="px-5 py-2.5 text-muted tabular-nums">{duration(o.startedAt, o.finishedAt)}</td>
              <td className="px-5 py-2.5">
                <Badge tone={tone[o.status]}>{o.status}</Badge>
                {o.error && (
                  <div className="mt-1 max-w-md text-xs text-danger">
                    {o.currentStep ? `${o.currentStep}: ` : ""}
                    {o.error}
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

function Events({ projectId, clusterId }: { projectId: string; clusterId: string }) {
  const trpc = useTRPC();
  const [kind, setKind] = useState("");
  const events = useQuery({
    ...trpc.cluster.events.queryOptions({ projectId, clusterId, limit: 300 }),
    refetchInterval: 2_000,
  });
  const kinds = [...new Set((events.data ?? []).map((e) => e.objectKind))].sort();
  const rows = (events.data ?? []).filter((e) => !kind || e.objectKind === kind);
  return (
    <div className="space-y-3">
      <label className="inline-block w-56">
        <span className="sr-only">Filter events by object</span>
        <Select value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="">All objects</option>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </Select>
      </label>
      <Card>
        <ul className="divide-y divide-border text-sm">
          {rows.length === 0 && <li className="px-5 py-4 text-muted">No events yet.</li>}
          {rows.map((e) => (
            <li key={e.id} className="grid grid-cols-[6rem_10rem_1fr] gap-3 px-5 py-2.5">
              <span className="text-xs text-muted tabular-nums" title={dateTime.format(e.at)}>
                {timeOnly.format(e.at)}
              </span>
              <span
                className={cn(
                  "truncate text-xs font-medium",
                  e.type === "Warning" ? "text-warning" : "text-muted",
                )}
                title={e.reason}
              >
                {e.reason}
              </span>
              <span className="min-w-0 text-fg">
                <span className="font-mono text-xs text-muted">
                  {e.objectKind}/{e.objectName}
                </span>{" "}
                {e.message}
              </span>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
