"use client";

import dynamic from "next/dynamic";
import { Table, TableHead } from "@/components/ui/table";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { BarChart3, RefreshCw } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { EmptyState } from "@/components/ui/empty-state";
import { InlineField, Input, Options, Select } from "@/components/ui/field";
import { LoadingBlock } from "@/components/ui/load-state";
import type { AppRouter } from "@/server/api/root";
import { firstSampleOf, fitStart, formatClock, formatDay, formatRange, needsDates } from "./time-axis";
import type { Annotation } from "./time-series-panel";

// The charts (recharts) load apart from the page: its first load carries the controls and the cards, and each
// panel keeps its frame while the chart code arrives.
const TimeSeriesPanel = dynamic(() => import("./time-series-panel").then((m) => m.TimeSeriesPanel), {
  loading: () => (
    <section className="rounded-lg border border-border bg-surface p-4 shadow-xs" aria-busy="true">
      <div className="mb-2 h-9" />
      <p className="flex h-52 items-center justify-center text-sm text-muted">Loading the chart…</p>
    </section>
  ),
});

const RANGES = {
  "15m": 15 * 60_000,
  "1h": 3_600_000,
  "6h": 6 * 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
};
type RangeKey = keyof typeof RANGES | "custom";
const REFRESH = { off: 0, "10s": 10_000, "30s": 30_000, "1m": 60_000 } as const;
type RefreshKey = keyof typeof REFRESH;

const STATE_COLOR: Record<string, string> = {
  Installing: "#93c5fd",
  Ready: "#16a34a",
  NotReady: "#dc2626",
  Draining: "#d97706",
  Cordoned: "#a16207",
  Stopped: "#6b7280",
  Terminated: "#a855f7",
};

const localInput = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

/** A local date and time, picked as epoch milliseconds (an emptied field picks nothing). */
function DateTimeField({
  label,
  value,
  onPick,
}: {
  label: string;
  value: number;
  onPick: (ms: number) => void;
}) {
  return (
    <InlineField label={label}>
      <Input
        type="datetime-local"
        value={localInput(value)}
        onChange={(e) => e.target.value && onPick(new Date(e.target.value).getTime())}
      />
    </InlineField>
  );
}

/** Series names as people say them: `group.web.nodes_ready` → "web ready". */
function labelOf(series: string): string {
  const parts = series.split(".");
  if (parts[0] === "nodes") return parts[1] ?? series;
  if (parts[0] === "group")
    return `${parts[1]} ${(parts[2] ?? "").replace(/^nodes_|^res_/, "").replace(/_/g, " ")}`;
  if (parts[0] === "lb") return `${parts.slice(1, -1).join(".")} ${(parts.at(-1) ?? "").replace(/_/g, " ")}`;
  if (series === "pods.pending") return "pending pods";
  if (series === "policies.violations") return "violations";
  return series;
}

/**
 * The dashboards page: a cluster picker, a time range (presets or custom)
 * and an auto-refresh interval, all in the URL; a grid of panels with a
 * shared crosshair; the node state timeline; and recent events.
 */
export function ClusterDashboards({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const clusters = useQuery(trpc.cluster.list.queryOptions({ projectId, limit: 200 }));
  const live = (clusters.data?.items ?? []).filter((c) => c.phase !== "Deleted");
  const picked = params.get("cluster") ?? live[0]?.id ?? null;
  const overview = picked === "all";
  const clusterId = overview ? null : picked;
  const range = (params.get("range") as RangeKey | null) ?? "1h";
  const refresh = (params.get("refresh") as RefreshKey | null) ?? "30s";
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const every = REFRESH[refresh] ?? 0;
    if (!every || range === "custom") return;
    const t = setInterval(() => setNow(Date.now()), every);
    return () => clearInterval(t);
  }, [refresh, range]);
  const to = range === "custom" ? Number(params.get("to") ?? now) : now;
  const from = range === "custom" ? Number(params.get("from") ?? now - 3_600_000) : now - RANGES[range];
  const set = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) next.set(k, v);
    router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  };
  const data = useQuery({
    ...trpc.metrics.dashboard.queryOptions(
      {
        projectId,
        clusterId: clusterId ?? "00000000-0000-4000-8000-000000000000",
        from: new Date(from),
        to: new Date(to),
      },
      { placeholderData: keepPreviousData },
    ),
    enabled: clusterId !== null && to > from,
  });
  const summary = useQuery({
    ...trpc.metrics.overview.queryOptions(
      { projectId, from: new Date(from), to: new Date(to) },
      { placeholderData: keepPreviousData },
    ),
    enabled: overview && to > from,
  });

  if (clusters.isPending) return <LoadingBlock label="Loading clusters" />;
  if (live.length === 0)
    return (
      <EmptyState
        icon={<BarChart3 className="size-6" aria-hidden />}
        title="Nothing to chart yet"
        description="Dashboards fill in as soon as a cluster in this project is running: node states, node groups and load balancers over time."
      />
    );
  const d = data.data;
  const annotations: Annotation[] = d?.annotations ?? [];
  // The charts start at the first sample when it is later than the range (a young cluster has no 24 h
  // of data): its samples fill the width instead of a sliver at the right edge.
  const shown = overview ? summary.data : d;
  const firstSample = shown ? firstSampleOf(Object.values(shown.panels).map((p) => p.series)) : null;
  const viewFrom = fitStart(from, to, firstSample);
  const at = (ms: number) =>
    needsDates(viewFrom, to) ? `${formatDay(ms)}, ${formatClock(ms)}` : formatClock(ms);
  const panel = (
    id: keyof NonNullable<typeof d>["panels"],
    opts: { stacked?: boolean; unit?: string } = {},
  ) =>
    d ? (
      <TimeSeriesPanel
        id={id}
        title={d.panels[id].title}
        series={d.panels[id].series}
        label={labelOf}
        from={viewFrom}
        to={to}
        annotations={annotations}
        {...opts}
      />
    ) : null;

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end gap-3" role="toolbar" aria-label="Dashboard controls">
        <InlineField label="Cluster">
          <Select
            value={picked ?? ""}
            onChange={(e) => set({ cluster: e.target.value })}
            className="w-auto max-w-sm min-w-56"
            title={picked === "all" ? "All clusters (overview)" : live.find((c) => c.id === picked)?.name}
          >
            <option value="all">All clusters (overview)</option>
            {live.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </Select>
        </InlineField>
        <div className="text-sm">
          <span className="mb-1 block font-medium text-fg" id="range-label">
            Time range
          </span>
          <div
            className="flex overflow-hidden rounded-md border border-border"
            role="group"
            aria-labelledby="range-label"
          >
            {([...Object.keys(RANGES), "custom"] as RangeKey[]).map((r) => (
              <button
                key={r}
                type="button"
                aria-pressed={range === r}
                onClick={() =>
                  set(r === "custom" ? { range: r, from: String(from), to: String(to) } : { range: r })
                }
                className={`h-9 px-3 text-sm ${range === r ? "bg-primary text-primary-fg" : "bg-surface text-fg hover:bg-surface-2"}`}
              >
                {r}
              </button>
            ))}
          </div>
        </div>
        {range === "custom" && (
          <>
            <DateTimeField label="From" value={from} onPick={(ms) => set({ from: String(ms) })} />
            <DateTimeField label="To" value={to} onPick={(ms) => set({ to: String(ms) })} />
          </>
        )}
        <InlineField label="Auto-refresh">
          <Select value={refresh} onChange={(e) => set({ refresh: e.target.value })} className="w-28">
            <Options values={Object.keys(REFRESH)} />
          </Select>
        </InlineField>
        <span className="ml-auto flex items-center gap-2 text-xs text-muted" aria-live="polite">
          {data.isFetching && <RefreshCw className="size-3.5 animate-spin" aria-hidden />}
          {d && (
            <span>
              {formatRange(from, to)} · {d.stepS >= 60 ? `${d.stepS / 60} min` : `${d.stepS} s`} buckets
              {firstSample !== null && firstSample > from && ` · first sample ${at(firstSample)}`}
            </span>
          )}
        </span>
      </div>
      {to <= from && (
        <p role="alert" className="text-sm text-danger">
          The range must end after it starts.
        </p>
      )}
      {data.error && (
        <p role="alert" className="text-sm text-danger">
          {data.error.message}
        </p>
      )}
      {overview ? (
        <ProjectOverview projectId={projectId} data={summary.data} from={viewFrom} to={to} />
      ) : !d ? (
        <LoadingBlock label="Loading the dashboard" />
      ) : (
        <>
          <div className="grid grid-cols-2 gap-4">
            {panel("node-lifecycle", { stacked: true })}
            {panel("autoscaler-groups")}
            {panel("pending-pods")}
            {panel("lb-health")}
            {panel("lb-connections")}
            {panel("utilization")}
            {panel("utilization-memory")}
            {panel("violations")}
          </div>
          <Decisions annotations={annotations} />
          <NodeTimeline nodes={d.nodes} from={viewFrom} to={to} />
          <section
            className="rounded-lg border border-border bg-surface p-4 shadow-xs"
            aria-labelledby="events-title"
          >
            <h3 id="events-title" className="mb-2 text-sm font-semibold text-fg">
              Events in this range (drawn as markers above)
            </h3>
            {annotations.length === 0 ? (
              <p className="text-sm text-muted">No scaling, failure or load-balancer events in this range.</p>
            ) : (
              <EventRows rows={annotations.slice(0, 30)} />
            )}
            <p className="mt-2 text-xs text-muted">
              All events: the cluster&apos;s{" "}
              <Link className="underline" href={`/projects/${projectId}/clusters/${clusterId}`}>
                Events tab
              </Link>
              .
            </p>
          </section>
        </>
      )}
    </div>
  );
}

function NodeTimeline({
  nodes,
  from,
  to,
}: {
  nodes: Array<{ name: string; segments: Array<{ state: string; from: number; to: number }> }>;
  from: number;
  to: number;
}) {
  const span = Math.max(1, to - from);
  const x = (t: number) => `${((Math.min(Math.max(t, from), to) - from) / span) * 100}%`;
  const w = (a: number, b: number) =>
    `${Math.max(0.4, ((Math.min(b, to) - Math.max(a, from)) / span) * 100)}%`;
  return (
    <section
      className="rounded-lg border border-border bg-surface p-4 shadow-xs"
      aria-labelledby="timeline-title"
      data-testid="panel-node-timeline"
    >
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h3 id="timeline-title" className="text-sm font-semibold text-fg">
          Node state timeline
        </h3>
        <ul className="flex flex-wrap gap-3 text-xs text-muted" aria-label="States">
          {Object.entries(STATE_COLOR).map(([s, c]) => (
            <li key={s} className="flex items-center gap-1">
              <span className="inline-block size-2.5 rounded-sm" style={{ background: c }} aria-hidden />
              {s}
            </li>
          ))}
        </ul>
      </div>
      {nodes.length === 0 ? (
        <p className="text-sm text-muted">No node changed state in this range.</p>
      ) : (
        <ul className="space-y-1">
          {nodes.map((n) => (
            <li key={n.name} className="grid grid-cols-[12rem_1fr] items-center gap-3 text-xs">
              <span className="truncate font-mono text-fg" title={n.name}>
                {n.name}
              </span>
              <span
                className="relative h-3.5 rounded bg-surface-2"
                aria-label={`${n.name}: ${n.segments.map((s) => `${s.state} from ${new Date(s.from).toLocaleTimeString()}`).join(", ")}`}
                role="img"
              >
                {n.segments.map((s, i) => (
                  <span
                    key={i}
                    className="absolute top-0 h-full rounded-sm"
                    style={{
                      left: x(s.from),
                      width: w(s.from, s.to),
                      background: STATE_COLOR[s.state] ?? "#9ca3af",
                    }}
                    title={`${s.state}: ${new Date(s.from).toLocaleString()} – ${new Date(s.to).toLocaleString()}`}
                  />
                ))}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const DECISIONS = new Set([
  "ScaleUp",
  "ScaleDown",
  "NotTriggerScaleUp",
  "ScaleDownFailed",
  "AutoHealing",
  "Failover",
]);

/** The autoscaler's and auto-healing's recent decisions, with their reasons. */
function Decisions({ annotations }: { annotations: Annotation[] }) {
  const rows = annotations.filter((a) => DECISIONS.has(a.reason)).slice(0, 50);
  return (
    <section
      className="rounded-lg border border-border bg-surface p-4 shadow-xs"
      aria-labelledby="decisions-title"
      data-testid="panel-decisions"
    >
      <h3 id="decisions-title" className="mb-2 text-sm font-semibold text-fg">
        Autoscaler and auto-healing decisions
      </h3>
      {rows.length === 0 ? (
        <p className="text-sm text-muted">No scale-up, scale-down, healing or failover in this range.</p>
      ) : (
        <EventRows rows={rows} header />
      )}
    </section>
  );
}

type Overview = inferRouterOutputs<AppRouter>["metrics"]["overview"];

/** All of a project's clusters side by side: one series per cluster, and a table of where each stands. */
function ProjectOverview({
  projectId,
  data,
  from,
  to,
}: {
  projectId: string;
  data: Overview | undefined;
  from: number;
  to: number;
}) {
  if (!data) return <LoadingBlock label="Loading the overview" />;
  return (
    <>
      <div className="grid grid-cols-2 gap-4">
        {Object.entries(data.panels).map(([id, p]) => (
          <TimeSeriesPanel
            key={id}
            id={id}
            title={p.title}
            series={p.series}
            label={(s) => s}
            from={from}
            to={to}
            annotations={[]}
          />
        ))}
      </div>
      <section
        className="rounded-lg border border-border bg-surface p-4 shadow-xs"
        aria-labelledby="overview-title"
        data-testid="panel-overview-clusters"
      >
        <h3 id="overview-title" className="mb-2 text-sm font-semibold text-fg">
          Clusters
        </h3>
        <Table className="text-sm">
          <TableHead
            className="text-left"
            cellClassName="py-1"
            spacing="pr-3"
            columns={["Cluster", "Phase", "Ready nodes", "Pending pods", "CPU requested"]}
          />
          <tbody>
            {data.clusters.map((c) => (
              <tr key={c.id} className="border-t border-border">
                <td className="py-1.5 pr-3">
                  <Link
                    className="font-medium text-primary underline-offset-2 hover:underline"
                    href={`/projects/${projectId}/dashboards?cluster=${c.id}`}
                  >
                    {c.name}
                  </Link>
                </td>
                <td className="py-1.5 pr-3 text-fg">{c.phase}</td>
                <td className="py-1.5 pr-3 tabular-nums">
                  {c.ready} / {c.nodes}
                </td>
                <td className="py-1.5 pr-3 tabular-nums">{c.pending ?? "—"}</td>
                <td className="py-1.5 tabular-nums">
                  {c.cpuAllocatable > 0
                    ? `${Math.round((c.cpuRequested / c.cpuAllocatable) * 100)}% of ${(c.cpuAllocatable / 1000).toFixed(1)} cores`
                    : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      </section>
    </>
  );
}

/** Events as rows: when, what (warnings in red), on what, and why. */
function EventRows({ rows, header = false }: { rows: Annotation[]; header?: boolean }) {
  return (
    <Table className="text-xs">
      {header && (
        <TableHead
          className="text-left"
          cellClassName="py-1"
          spacing="pr-3"
          columns={["When", "Decision", "Object", "Reason"]}
        />
      )}
      <tbody>
        {rows.map((a, i) => (
          <tr key={i} className="border-t border-border align-top">
            <td className="py-1 pr-3 whitespace-nowrap text-muted">{new Date(a.at).toLocaleString()}</td>
            <td className={`py-1 pr-3 font-medium ${a.type === "Warning" ? "text-danger" : "text-fg"}`}>
              {a.reason}
            </td>
            <td className="py-1 pr-3 text-fg">
              {a.kind} {a.name}
            </td>
            <td className="py-1 text-muted">{a.message}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
