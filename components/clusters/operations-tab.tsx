"use client";

import { Table, TableHead } from "@/components/ui/table";
import { useQuery } from "@tanstack/react-query";
import { useLivePollInterval } from "@/components/live/live-updates";
import { useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { formatDateTime, formatDuration } from "@/components/ui/format";

export function OperationsTab({ projectId, clusterId }: { projectId: string; clusterId: string }) {
  const trpc = useTRPC();
  const poll = useLivePollInterval();
  const ops = useQuery({
    ...trpc.operation.list.queryOptions({ projectId, clusterId }),
    refetchInterval: poll,
  });
  const tone = {
    succeeded: "success",
    failed: "danger",
    running: "primary",
    pending: "neutral",
    superseded: "neutral",
    cancelled: "neutral",
  } as const;
  return (
    <Card>
      <Table className="text-sm" caption="Operations">
        <TableHead
          className="border-b border-border"
          cellClassName="px-5 py-2"
          columns={["Operation", "By", "Started", "Duration", "Outcome"]}
        />
        <tbody className="divide-y divide-border">
          {(ops.data ?? []).map((o) => (
            <tr key={o.id} className="align-top">
              <td className="px-5 py-2.5 text-fg capitalize">
                {o.kind} <span className="text-xs text-muted normal-case">(revision {o.generation})</span>
              </td>
              <td className="px-5 py-2.5 text-fg">{o.actorEmail ?? "system"}</td>
              <td className="px-5 py-2.5 text-muted tabular-nums">{formatDateTime(o.startedAt)}</td>
              <td className="px-5 py-2.5 text-muted tabular-nums">
                {formatDuration(o.startedAt, o.finishedAt)}
              </td>
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
      </Table>
    </Card>
  );
}
