"use client";

import { Table, TableHead } from "@/components/ui/table";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { InputField, Options, SelectField } from "@/components/ui/field";
import { toast } from "@/components/ui/toast-store";
import type { AdmissionRefusal } from "@/server/contracts/cluster-status";
import type { LoadProfileInput, WorkloadView } from "@/server/contracts/workload";
import type { ClusterTabProps } from "./labels";
import { explainRefusal, refusalsOfDeployment, refusalsView } from "./refusals";
import { REFUSALS_ID, RefusalsCard } from "./refusals-card";
import { tabHref } from "./use-tab-hash";

const PROFILES: Record<LoadProfileInput["profile"], string> = {
  steady: "Steady: the base load, all the time",
  ramp: "Ramp: from base to peak over the period, then hold",
  spikes: "Spikes: the peak for a fifth of every period",
  daily: "Daily cycle: base to peak and back, once per period",
};
type Profile = LoadProfileInput["profile"];

const cores = (m: number) => (m / 1000).toFixed(m % 1000 === 0 ? 0 : 2);
const gib = (mi: number) => (mi / 1024).toFixed(1);

const meter = (label: string, value: number, of: number, unit: "cores" | "GiB") => (
  <Meter label={label} value={value} of={of} unit={unit} />
);

/** A share as a bar with its figure (requests or use against allocatable). */
function Meter({
  label,
  value,
  of,
  unit,
}: {
  label: string;
  value: number;
  of: number;
  unit: "cores" | "GiB";
}) {
  const pct = of > 0 ? Math.min(100, Math.round((value / of) * 100)) : 0;
  return (
    <div className="min-w-32">
      <div
        className="h-1.5 w-full overflow-hidden rounded-full bg-border"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <div
          className={`h-full rounded-full ${pct >= 90 ? "bg-danger" : pct >= 50 ? "bg-primary" : "bg-success"}`}
          style={{ width: `${pct}%` }}
        />
      </div>
      <div className="mt-0.5 text-xs text-muted tabular-nums">
        {pct}% ·{" "}
        {unit === "cores" ? `${cores(value)} / ${cores(of)} cores` : `${gib(value)} / ${gib(of)} GiB`}
      </div>
    </div>
  );
}

/**
 * Autoscaler, load balancers and — on the built-in emulator — the
 * customer's load and failure injection: change the load, break a kubelet
 * or an amphora, and watch the console react here and on the dashboards.
 */
export function HealthTab({ projectId, cluster: c, canEdit }: ClusterTabProps) {
  const trpc = useTRPC();
  const ref = { projectId, clusterId: c.id };
  const workload = useQuery({ ...trpc.workload.get.queryOptions(ref), refetchInterval: 5_000 });
  const emulated = workload.data?.available === true ? workload.data.view : null;
  const as = c.status.autoscaler;
  const lbs = Object.entries(c.status.loadBalancers ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const autoscaled = c.spec.nodeGroups.filter((g) => g.scaling.mode === "autoscale");
  const refusals = refusalsView(c.status.policies);
  const refused = refusals.kind === "list" ? refusals.refusals.length : 0;

  return (
    <div className="space-y-5">
      <Card>
        <CardHeader
          title="Cluster autoscaler"
          description={
            autoscaled.length
              ? `Adds nodes when pods cannot be scheduled, removes a node whose pods request under the threshold for the unneeded time. Settings per group: Node groups tab.`
              : "No node group has autoscaling on: set a group to autoscale on the Node groups tab."
          }
          actions={
            <Link
              className="text-sm font-medium text-primary underline-offset-2 hover:underline"
              href={`/projects/${projectId}/dashboards?cluster=${c.id}&range=1h`}
            >
              Open dashboards
            </Link>
          }
        />
        <div className="px-5 pb-4">
          {!as ? (
            <p className="text-sm text-muted">
              Figures appear once the cluster is running and its Kubernetes API answers the console.
            </p>
          ) : (
            <>
              <p className="mb-3 text-sm text-fg">
                <span className="font-medium tabular-nums" data-testid="pending-pods">
                  {as.pending}
                </span>{" "}
                pod{as.pending === 1 ? "" : "s"} waiting for a node
                {refused > 0 && (
                  <>
                    {" · "}
                    <a
                      href={tabHref("health", REFUSALS_ID)}
                      className="rounded-sm font-medium text-danger underline-offset-2 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
                    >
                      {refused} object{refused === 1 ? "" : "s"} refused by policy
                    </a>{" "}
                    <span className="text-xs text-muted">
                      (their pods are never created, so never pending)
                    </span>
                  </>
                )}
                {as.removing && (
                  <>
                    {" · "}
                    <Badge tone="warning">Removing {as.removing.node}</Badge>
                    {as.removing.blocked && (
                      <span className="ml-2 text-xs text-muted">held back: {as.removing.blocked}</span>
                    )}
                  </>
                )}
              </p>
              <Table className="text-sm">
                <TableHead
                  cellClassName="py-1.5"
                  spacing="pr-4"
                  columns={[
                    "Group",
                    "Nodes (ready / wanted)",
                    "CPU requested",
                    "Memory requested",
                    "CPU used",
                  ]}
                />
                <tbody className="divide-y divide-border">
                  {c.spec.nodeGroups.map((g) => {
                    const f = as.groups[g.name];
                    return (
                      <tr key={g.name}>
                        <td className="py-2 pr-4 font-medium text-fg">
                          {g.name}{" "}
                          <span className="text-xs font-normal text-muted">
                            {g.scaling.mode === "autoscale"
                              ? `autoscale ${g.scaling.min}–${g.scaling.max}`
                              : "fixed"}
                          </span>
                        </td>
                        <td className="py-2 pr-4 text-fg tabular-nums">
                          {f ? `${f.ready} / ${f.target}` : "—"}
                        </td>
                        <td className="py-2 pr-4">
                          {f
                            ? meter(`CPU requested in ${g.name}`, f.cpuRequested, f.cpuAllocatable, "cores")
                            : "—"}
                        </td>
                        <td className="py-2 pr-4">
                          {f
                            ? meter(`Memory requested in ${g.name}`, f.memRequested, f.memAllocatable, "GiB")
                            : "—"}
                        </td>
                        <td className="py-2">
                          {f && f.cpuUsed !== null ? (
                            meter(`CPU used in ${g.name}`, f.cpuUsed, f.cpuAllocatable, "cores")
                          ) : (
                            <span className="text-xs text-muted">no metrics</span>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </Table>
            </>
          )}
        </div>
      </Card>

      <RefusalsCard cluster={c} />

      {emulated && <LoadCard projectId={projectId} cluster={c} canEdit={canEdit} view={emulated} />}

      <Card>
        <CardHeader
          title="Load balancers"
          description="Octavia active/standby: the MASTER amphora holds the VIP; if it fails the standby takes over (VRRP) and the failed one is rebuilt."
        />
        {lbs.length === 0 ? (
          <p className="px-5 pb-4 text-sm text-muted">No load balancer has been looked at yet.</p>
        ) : (
          <ul className="divide-y divide-border">
            {lbs.map(([name, h]) => (
              <LbRow
                key={name}
                name={name}
                health={h}
                canFail={Boolean(emulated) && canEdit && h.provisioning === "ACTIVE"}
                projectId={projectId}
                clusterId={c.id}
              />
            ))}
          </ul>
        )}
      </Card>

      {emulated && (
        <Card>
          <CardHeader
            title="Nodes (emulated kubelets)"
            description="Break a kubelet to see auto-healing: a worker NotReady for 10 minutes is replaced in its group and zone."
          />
          <Table className="text-sm">
            <TableHead
              className="border-y border-border bg-subtle"
              cellClassName="px-5 py-2"
              columns={[
                "Node",
                "Kubelet",
                "CPU requested",
                "CPU used",
                <span key="a" className="sr-only">
                  Actions
                </span>,
              ]}
            />
            <tbody className="divide-y divide-border">
              {emulated.nodes.map((n) => {
                const worker = c.status.nodes.some((x) => x.name === n.name && x.role === "worker");
                return (
                  <tr key={n.name}>
                    <td className="px-5 py-2 font-mono text-xs text-fg">{n.name}</td>
                    <td className="px-5 py-2">
                      {n.failedAt ? (
                        <Badge tone="danger">Broken since {new Date(n.failedAt).toLocaleTimeString()}</Badge>
                      ) : n.ready ? (
                        <Badge tone="success">Ready</Badge>
                      ) : (
                        <Badge tone="neutral">Not ready</Badge>
                      )}
                    </td>
                    <td className="px-5 py-2">
                      <Meter
                        label={`CPU requested on ${n.name}`}
                        value={n.requested.cpuMilli}
                        of={n.allocatable.cpuMilli}
                        unit="cores"
                      />
                    </td>
                    <td className="px-5 py-2">
                      {n.usage ? (
                        <Meter
                          label={`CPU used on ${n.name}`}
                          value={n.usage.cpuMilli}
                          of={n.allocatable.cpuMilli}
                          unit="cores"
                        />
                      ) : (
                        "—"
                      )}
                    </td>
                    <td className="px-5 py-2 text-right">
                      {canEdit && worker && (
                        <NodeFailureButton
                          projectId={projectId}
                          clusterId={c.id}
                          node={n.name}
                          broken={Boolean(n.failedAt)}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        </Card>
      )}
    </div>
  );
}

function LoadCard({ projectId, cluster: c, canEdit, view }: ClusterTabProps & { view: WorkloadView }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [profile, setProfile] = useState<Profile>(view.load.profile);
  const [base, setBase] = useState(String(view.load.base));
  const [peak, setPeak] = useState(String(view.load.peak));
  const [period, setPeriod] = useState(String(view.load.periodMinutes));
  const set = useMutation(trpc.workload.setLoad.mutationOptions({ meta: { inlineErrors: true } }));
  const errors = fieldErrorsOf(set.error);
  const fieldErr = (k: string) => errors[`load.${k}`] ?? errors[k];
  const general = set.error && Object.keys(errors).length === 0 ? set.error.message : null;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    set.mutate(
      {
        projectId,
        clusterId: c.id,
        load: { profile, base: Number(base), peak: Number(peak), periodMinutes: Number(period) },
      },
      {
        onSuccess: () => {
          toast({ variant: "success", title: `Load set: ${profile}` });
          void qc.invalidateQueries({ queryKey: trpc.workload.get.queryKey({ projectId, clusterId: c.id }) });
        },
      },
    );
  }
  const elastic = view.deployments.filter((d) => d.elastic);
  const rv = refusalsView(c.status.policies);
  const refusals = rv.kind === "list" ? rv.refusals : [];
  return (
    <Card>
      <CardHeader
        title="Load (built-in emulator)"
        description={
          <>
            The customer&apos;s traffic: the elastic deployments follow it like a HorizontalPodAutoscaler.
            Load now:{" "}
            <span className="font-medium text-fg tabular-nums" data-testid="load-factor">
              {view.load.factor}×
            </span>
          </>
        }
      />
      <div className="grid gap-5 px-5 pb-5 lg:grid-cols-[1fr_1fr]">
        <form onSubmit={onSubmit} className="grid grid-cols-2 gap-3" noValidate aria-label="Load profile">
          <SelectField
            label="Profile"
            fieldClassName="col-span-2"
            hint={PROFILES[profile]}
            value={profile}
            onChange={(e) => setProfile(e.target.value as Profile)}
            disabled={!canEdit}
          >
            <Options values={Object.keys(PROFILES)} />
          </SelectField>
          <FactorField
            label="Base load (×)"
            errors={fieldErr("base")}
            value={base}
            onChange={setBase}
            disabled={!canEdit}
          />
          <FactorField
            label="Peak load (×)"
            errors={fieldErr("peak")}
            value={peak}
            onChange={setPeak}
            disabled={!canEdit || profile === "steady"}
          />
          <InputField
            label="Period (minutes)"
            errors={fieldErr("periodMinutes")}
            type="number"
            min={1}
            value={period}
            onChange={(e) => setPeriod(e.target.value)}
            disabled={!canEdit || profile === "steady"}
          />
          <div className="flex items-end">
            {canEdit && (
              <Button type="submit" loading={set.isPending}>
                Apply load
              </Button>
            )}
          </div>
          {general && (
            <p role="alert" className="col-span-2 text-sm font-medium text-danger">
              {general}
            </p>
          )}
        </form>
        <Table
          className="self-start text-sm"
          caption="Elastic deployments"
          captionClassName="mb-1 text-left text-xs text-muted"
        >
          <TableHead
            cellClassName="py-1"
            spacing="pr-3"
            columns={["Deployment", "Replicas", "Running", "Pending"]}
          />
          <tbody className="divide-y divide-border">
            {elastic.map((d) => (
              <tr key={`${d.namespace}/${d.name}`}>
                <td className="py-1.5 pr-3 text-fg">
                  {d.namespace}/{d.name} <span className="text-xs text-muted">{d.cpuMilli}m each</span>
                  <RefusedNote refusals={refusalsOfDeployment(d, refusals)} />
                </td>
                <td className="py-1.5 pr-3 tabular-nums">{d.replicas}</td>
                <td className="py-1.5 pr-3 tabular-nums">{d.running}</td>
                <td className={`py-1.5 tabular-nums ${d.pending ? "font-medium text-danger" : ""}`}>
                  {d.pending}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      </div>
    </Card>
  );
}

/** Why a deployment has fewer pods than replicas: admission refused them (a link to the refusals card). */
function RefusedNote({ refusals }: { refusals: AdmissionRefusal[] }) {
  if (refusals.length === 0) return null;
  const by = [...new Set(refusals.flatMap((r) => r.constraints))];
  const down = refusals.some((r) => explainRefusal(r).kind === "unavailable");
  return (
    <a
      href={tabHref("health", REFUSALS_ID)}
      className="mt-0.5 block w-fit rounded-sm text-xs text-danger underline-offset-2 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
    >
      {by.length > 0
        ? `Pods refused by ${by.join(", ")}`
        : down
          ? "Pods refused: Gatekeeper's webhook not answering"
          : "Pods refused at admission"}
    </a>
  );
}

/** A load factor (×, in tenths), kept as the text typed. */
function FactorField({
  onChange,
  ...props
}: {
  label: string;
  errors: string[] | undefined;
  value: string;
  onChange: (v: string) => void;
  disabled: boolean;
}) {
  return (
    <InputField {...props} type="number" step="0.1" min={0} onChange={(e) => onChange(e.target.value)} />
  );
}

function LbRow({
  name,
  health: h,
  canFail,
  projectId,
  clusterId,
}: {
  name: string;
  health: NonNullable<ClusterTabProps["cluster"]["status"]["loadBalancers"]>[string];
  canFail: boolean;
  projectId: string;
  clusterId: string;
}) {
  const trpc = useTRPC();
  const fail = useMutation(trpc.workload.failAmphora.mutationOptions());
  const online = h.members.filter((m) => m.status === "ONLINE").length;
  return (
    <li className="flex flex-wrap items-start gap-4 px-5 py-3" data-testid={`lb-${name}`}>
      <div className="min-w-56 flex-1">
        <div className="font-mono text-xs text-fg">{name}</div>
        <div className="mt-1 flex flex-wrap gap-1.5">
          <Badge tone={h.provisioning === "ACTIVE" ? "success" : "warning"}>{h.provisioning}</Badge>
          <Badge tone={h.operating === "ONLINE" ? "success" : "danger"}>{h.operating}</Badge>
        </div>
      </div>
      <div className="text-sm text-fg">
        <div className="tabular-nums">
          Members: {online} of {h.members.length} online
        </div>
        <ul className="mt-0.5 text-xs text-muted">
          {h.members.slice(0, 6).map((m) => (
            <li key={`${m.pool}-${m.address}`}>
              {m.address} <span className={m.status === "ONLINE" ? "" : "text-danger"}>{m.status}</span>
            </li>
          ))}
        </ul>
      </div>
      <div className="text-sm text-fg">
        <div>
          MASTER <span className="font-mono text-xs">{h.master?.slice(0, 8) ?? "—"}</span>
        </div>
        <div className="text-xs text-muted">
          standby {h.standby ? `${h.standby.id.slice(0, 8)} (${h.standby.status})` : "—"} · failovers{" "}
          <span className="tabular-nums">{h.failovers}</span> · {h.activeConnections} active connections
        </div>
      </div>
      {canFail && (
        <Button
          variant="secondary"
          size="sm"
          loading={fail.isPending}
          onClick={() =>
            fail.mutate(
              { projectId, clusterId, loadBalancer: name },
              {
                onSuccess: () => toast({ variant: "success", title: `Failed the MASTER amphora of ${name}` }),
              },
            )
          }
        >
          Fail active amphora
        </Button>
      )}
    </li>
  );
}

function NodeFailureButton({
  projectId,
  clusterId,
  node,
  broken,
}: {
  projectId: string;
  clusterId: string;
  node: string;
  broken: boolean;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const opts = {
    onSuccess: () =>
      void qc.invalidateQueries({ queryKey: trpc.workload.get.queryKey({ projectId, clusterId }) }),
  };
  const fail = useMutation(trpc.workload.failNode.mutationOptions(opts));
  const recover = useMutation(trpc.workload.recoverNode.mutationOptions(opts));
  return broken ? (
    <Button
      variant="secondary"
      size="sm"
      loading={recover.isPending}
      onClick={() => recover.mutate({ projectId, clusterId, node })}
    >
      Repair kubelet
    </Button>
  ) : (
    <Button
      variant="secondary"
      size="sm"
      loading={fail.isPending}
      onClick={() => fail.mutate({ projectId, clusterId, node })}
      aria-label={`Break the kubelet of ${node}`}
    >
      Break kubelet
    </Button>
  );
}
