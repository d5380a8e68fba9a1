"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useLivePollInterval } from "@/components/live/live-updates";
import { useTRPC } from "@/components/trpc/client";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Options, Select } from "@/components/ui/field";
import { formatDateTime, formatTime } from "@/components/ui/format";

export function EventsTab({ projectId, clusterId }: { projectId: string; clusterId: string }) {
  const trpc = useTRPC();
  const poll = useLivePollInterval();
  const [kind, setKind] = useState("");
  const events = useQuery({
    ...trpc.cluster.events.queryOptions({ projectId, clusterId, limit: 300 }),
    refetchInterval: poll,
  });
  const kinds = [...new Set((events.data ?? []).map((e) => e.objectKind))].sort();
  const rows = (events.data ?? []).filter((e) => !kind || e.objectKind === kind);
  return (
    <div className="space-y-3">
      <label className="inline-block w-56">
        <span className="sr-only">Filter events by object</span>
        <Select value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="">All objects</option>
          <Options values={kinds} />
        </Select>
      </label>
      <Card>
        <ul className="divide-y divide-border text-sm">
          {rows.length === 0 && <li className="px-5 py-4 text-muted">No events yet.</li>}
          {rows.map((e) => (
            <li key={e.id} className="grid grid-cols-[6rem_10rem_1fr] gap-3 px-5 py-2.5">
              <span className="text-xs text-muted tabular-nums" title={formatDateTime(e.at)}>
                {formatTime(e.at)}
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
