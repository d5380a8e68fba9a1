"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useDeferredValue, useState } from "react";
import { useLivePollInterval } from "@/components/live/live-updates";
import { useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Input, Options, Select } from "@/components/ui/field";
import { formatDateTime, formatTime } from "@/components/ui/format";

const PAGE = 100;

/** The cluster's events, newest first, a page at a time, filtered by type, object kind and text. */
export function EventsTab({ projectId, clusterId }: { projectId: string; clusterId: string }) {
  const trpc = useTRPC();
  const poll = useLivePollInterval();
  const [kind, setKind] = useState("");
  const [type, setType] = useState<"" | "Normal" | "Warning">("");
  const [text, setText] = useState("");
  const search = useDeferredValue(text.trim());
  const events = useInfiniteQuery({
    ...trpc.cluster.events.infiniteQueryOptions(
      {
        projectId,
        clusterId,
        limit: PAGE,
        ...(type ? { type } : {}),
        ...(kind ? { objectKind: kind } : {}),
        ...(search ? { search } : {}),
      },
      { getNextPageParam: (last) => (last.length === PAGE ? last[last.length - 1]!.id : undefined) },
    ),
    refetchInterval: poll,
  });
  const known = useQuery(trpc.cluster.eventKinds.queryOptions({ projectId, clusterId }));
  const rows = events.data?.pages.flat() ?? [];
  const kinds = [
    ...new Set([...(known.data ?? []), ...rows.map((e) => e.objectKind), ...(kind ? [kind] : [])]),
  ].sort();
  const filtered = Boolean(kind || type || search);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <label className="w-44">
          <span className="sr-only">Filter events by type</span>
          <Select value={type} onChange={(e) => setType(e.target.value as typeof type)}>
            <option value="">All types</option>
            <option value="Warning">Warnings only</option>
            <option value="Normal">Normal only</option>
          </Select>
        </label>
        <label className="w-44">
          <span className="sr-only">Filter events by object</span>
          <Select value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">All objects</option>
            <Options values={kinds} />
          </Select>
        </label>
        <label className="w-64">
          <span className="sr-only">Search events</span>
          <Input
            type="search"
            value={text}
            maxLength={100}
            onChange={(e) => setText(e.target.value)}
            placeholder="Search name, reason, message"
          />
        </label>
        <span className="ml-auto text-xs text-muted" aria-live="polite">
          {events.isPending
            ? "Loading events…"
            : `${rows.length}${events.hasNextPage ? "+" : ""} event${rows.length === 1 ? "" : "s"}${filtered ? " match" : ""}`}
        </span>
      </div>
      {events.isError && (
        <p role="alert" className="text-sm font-medium text-danger">
          {events.error.message}
        </p>
      )}
      <Card>
        <ul className="divide-y divide-border text-sm">
          {events.isSuccess && rows.length === 0 && (
            <li className="px-5 py-4 text-muted">
              {filtered ? "No events match these filters." : "No events yet."}
            </li>
          )}
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
              <span className="min-w-0 text-fg [overflow-wrap:anywhere]">
                <span className="font-mono text-xs text-muted">
                  {e.objectKind}/{e.objectName}
                </span>{" "}
                {e.message}
              </span>
            </li>
          ))}
        </ul>
      </Card>
      {events.hasNextPage && (
        <div className="flex justify-center">
          <Button
            variant="secondary"
            size="sm"
            loading={events.isFetchingNextPage}
            onClick={() => void events.fetchNextPage()}
          >
            Show {PAGE} older events
          </Button>
        </div>
      )}
    </div>
  );
}
