"use client";

import { Table, TableHead } from "@/components/ui/table";
import { Download, EllipsisVertical, Table2 } from "lucide-react";
import { useMemo, useState } from "react";
import {
  Area,
  AreaChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { DropdownContent, DropdownItem, DropdownRoot, DropdownTrigger } from "@/components/ui/dropdown";
import { formatClock, formatDay, needsDates, timeTicks } from "./time-axis";

/** One bucket as the API sends it: start (ms), min, max, mean. */
export type Point = [number, number, number, number];

export interface Annotation {
  at: number;
  type: string;
  reason: string;
  kind: string;
  name: string;
  message: string;
}

const COLORS = [
  "#2563eb",
  "#16a34a",
  "#d97706",
  "#dc2626",
  "#7c3aed",
  "#0891b2",
  "#db2777",
  "#65a30d",
  "#ea580c",
  "#4f46e5",
];

/** The wider of a tick's lines (its time, or its day under it), for recharts to measure. */
function widestLine(ms: number, dated: boolean): string {
  const time = formatClock(ms);
  const day = dated ? formatDay(ms) : "";
  return day.length > time.length ? day : time;
}

/** An x-axis tick: the time, and under it the day when the range needs dates. */
function TimeTick({
  x,
  y,
  payload,
  dated,
}: {
  x?: number | string;
  y?: number | string;
  payload?: { value: number };
  dated: boolean;
}) {
  if (!payload) return null;
  return (
    <text x={x} y={y} dy={12} textAnchor="middle" fontSize={11} fill="var(--color-muted)">
      <tspan x={x}>{formatClock(payload.value)}</tspan>
      {dated && (
        <tspan x={x} dy={13}>
          {formatDay(payload.value)}
        </tspan>
      )}
    </text>
  );
}

function csvOf(series: Record<string, Point[]>, label: (s: string) => string): string {
  const lines = ["series,time,min,max,mean"];
  for (const [name, points] of Object.entries(series))
    for (const [t, min, max, avg] of points)
      lines.push(`"${label(name).replace(/"/g, '""')}",${new Date(t).toISOString()},${min},${max},${avg}`);
  return `${lines.join("\n")}\n`;
}

/**
 * A Grafana-style time-series panel: lines (or stacked areas) of each
 * series' bucket means, a crosshair and tooltip shared with every panel of
 * the dashboard (`syncId`), legend entries that hide and show a series,
 * events drawn as vertical markers, and a menu to read the data as a table
 * or download it as CSV.
 */
export function TimeSeriesPanel({
  id,
  title,
  series,
  label,
  from,
  to,
  annotations = [],
  stacked = false,
  unit,
}: {
  id: string;
  title: string;
  series: Record<string, Point[]>;
  label: (series: string) => string;
  from: number;
  to: number;
  annotations?: Annotation[];
  stacked?: boolean;
  unit?: string;
}) {
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [table, setTable] = useState(false);
  const names = Object.keys(series).sort();
  const rows = useMemo(() => {
    const byT = new Map<number, Record<string, number>>();
    for (const [name, points] of Object.entries(series))
      for (const [t, , , avg] of points) {
        const row = byT.get(t) ?? { t };
        row[name] = avg;
        byT.set(t, row);
      }
    return [...byT.values()].sort((a, b) => a.t! - b.t!);
  }, [series]);
  const dated = needsDates(from, to);
  const ticks = useMemo(() => timeTicks(from, to, dated ? 5 : 6), [from, to, dated]);
  const empty = names.length === 0;
  const toggle = (name: string) =>
    setHidden((h) => {
      const n = new Set(h);
      if (n.has(name)) n.delete(name);
      else n.add(name);
      return n;
    });
  const common = {
    data: rows,
    syncId: "dashboard",
    margin: { top: 8, right: 12, bottom: 0, left: -12 },
  };
  const axes = (
    <>
      <CartesianGrid stroke="var(--color-border)" strokeDasharray="3 3" vertical={false} />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={[from, to]}
        allowDataOverflow
        ticks={ticks}
        // Recharts sizes ticks by this text to thin out crowded ones; TimeTick draws them.
        tickFormatter={(v: number) => widestLine(v, dated)}
        tick={(p: { x?: number | string; y?: number | string; payload?: { value: number } }) => (
          <TimeTick {...p} dated={dated} />
        )}
        height={dated ? 36 : 24}
        stroke="var(--color-muted)"
        fontSize={11}
        minTickGap={16}
      />
      <YAxis stroke="var(--color-muted)" fontSize={11} allowDecimals={false} width={48} />
      <Tooltip
        labelFormatter={(v) => new Date(Number(v)).toLocaleString()}
        formatter={(v, name) => [
          `${Number(v).toLocaleString()}${unit ? ` ${unit}` : ""}`,
          label(String(name)),
        ]}
        contentStyle={{
          background: "var(--color-surface)",
          border: "1px solid var(--color-border)",
          borderRadius: 8,
          fontSize: 12,
          color: "var(--color-fg)",
        }}
      />
      <Legend
        formatter={(name: string) => (
          <span className={hidden.has(name) ? "text-muted line-through" : "text-fg"}>{label(name)}</span>
        )}
        onClick={(e) => toggle(String(e.dataKey))}
        wrapperStyle={{ fontSize: 12, cursor: "pointer" }}
      />
      {/* Events are context, drawn faint and thin so the data stays in front. */}
      {annotations.map((a, i) => (
        <ReferenceLine
          key={`${a.at}-${i}`}
          x={a.at}
          stroke={a.type === "Warning" ? "var(--color-danger)" : "var(--color-muted)"}
          strokeOpacity={a.type === "Warning" ? 0.45 : 0.3}
          strokeWidth={1}
          strokeDasharray="2 4"
          ifOverflow="hidden"
        />
      ))}
    </>
  );
  return (
    <section
      aria-labelledby={`${id}-title`}
      className="rounded-lg border border-border bg-surface p-4 shadow-xs"
      data-testid={`panel-${id}`}
    >
      <div className="mb-2 flex items-center justify-between gap-2">
        <h3 id={`${id}-title`} className="text-sm font-semibold text-fg">
          {title}
        </h3>
        <DropdownRoot>
          <DropdownTrigger asChild>
            <Button size="icon" variant="ghost" aria-label={`${title}: panel menu`}>
              <EllipsisVertical className="size-4" aria-hidden />
            </Button>
          </DropdownTrigger>
          <DropdownContent align="end">
            <DropdownItem onSelect={() => setTable(true)}>
              <Table2 className="size-4" aria-hidden /> View as table
            </DropdownItem>
            <DropdownItem
              onSelect={() => {
                const blob = new Blob([csvOf(series, label)], { type: "text/csv" });
                const a = document.createElement("a");
                a.href = URL.createObjectURL(blob);
                a.download = `${id}.csv`;
                a.click();
                URL.revokeObjectURL(a.href);
              }}
            >
              <Download className="size-4" aria-hidden /> Download CSV
            </DropdownItem>
          </DropdownContent>
        </DropdownRoot>
      </div>
      {empty ? (
        <p className="flex h-48 items-center justify-center text-sm text-muted">No data in this range yet.</p>
      ) : (
        <div
          className="h-52"
          role="img"
          aria-label={`${title} chart; open the panel menu to read it as a table`}
        >
          <ResponsiveContainer width="100%" height="100%">
            {stacked ? (
              <AreaChart {...common}>
                {axes}
                {names.map((n, i) => (
                  <Area
                    key={n}
                    dataKey={n}
                    name={n}
                    stackId="1"
                    type="stepAfter"
                    stroke={COLORS[i % COLORS.length]}
                    fill={COLORS[i % COLORS.length]}
                    fillOpacity={0.35}
                    hide={hidden.has(n)}
                    isAnimationActive={false}
                  />
                ))}
              </AreaChart>
            ) : (
              <LineChart {...common}>
                {axes}
                {names.map((n, i) => (
                  <Line
                    key={n}
                    dataKey={n}
                    name={n}
                    type="stepAfter"
                    stroke={COLORS[i % COLORS.length]}
                    dot={false}
                    strokeWidth={1.5}
                    hide={hidden.has(n)}
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            )}
          </ResponsiveContainer>
        </div>
      )}
      {table && (
        <Dialog
          open
          onOpenChange={setTable}
          size="lg"
          title={title}
          description="Bucket minimum, maximum and mean."
        >
          <div className="max-h-[60vh] overflow-auto">
            <Table className="text-xs">
              <TableHead
                className="sticky top-0 bg-surface text-left"
                cellClassName="py-1"
                spacing="pr-3"
                columns={[
                  "Series",
                  "Time",
                  ...["Min", "Max", "Mean"].map((label) => ({ label, className: "text-right" })),
                ]}
              />
              <tbody>
                {names.flatMap((n) =>
                  series[n]!.slice(-200).map(([t, min, max, avg]) => (
                    <tr key={`${n}-${t}`} className="border-t border-border">
                      <td className="py-1 pr-3 text-fg">{label(n)}</td>
                      <td className="py-1 pr-3 text-muted">{new Date(t).toLocaleString()}</td>
                      <td className="py-1 pr-3 text-right tabular-nums">{min}</td>
                      <td className="py-1 pr-3 text-right tabular-nums">{max}</td>
                      <td className="py-1 text-right tabular-nums">{avg}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </Table>
          </div>
        </Dialog>
      )}
    </section>
  );
}
