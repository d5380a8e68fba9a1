"use client";

import { Table, TableHead } from "@/components/ui/table";
import { formatDate, formatTime } from "@/components/ui/format";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Download, ScrollText } from "lucide-react";
import { Fragment } from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { LoadMore } from "@/components/ui/load-more";
import { EmptyState } from "@/components/ui/empty-state";
import { InputField, Options, SelectField } from "@/components/ui/field";
import { LoadError, LoadingBlock } from "@/components/ui/load-state";
import type { AuditEntryView } from "@/server/contracts/audit";
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from "@/server/contracts/audit-names";
import { auditCsv, failureMessage, targetFromDetails } from "./csv";

/** An action's name, breaking only after its dots (`cluster.kubeconfig.` / `download`), never inside a word. */
function ActionName({ action }: { action: string }) {
  const parts = action.split(".");
  return (
    <code className="inline-block max-w-full rounded bg-surface-2 px-1.5 py-0.5 font-mono text-xs break-normal text-fg">
      {parts.map((p, i) => (
        <Fragment key={i}>
          {p}
          {i < parts.length - 1 && (
            <>
              .<wbr />
            </>
          )}
        </Fragment>
      ))}
    </code>
  );
}

function downloadCsv(rows: readonly AuditEntryView[]) {
  // A byte-order mark, so spreadsheets read the file as UTF-8.
  const blob = new Blob(["\uFEFF", auditCsv(rows)], { type: "text/csv;charset=utf-8" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `audit-log-${new Date().toISOString().slice(0, 10)}.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 0);
}

const outcomeTone = { success: "success", failure: "danger", denied: "warning" } as const;
const outcomeLabel = { success: "Success", failure: "Failure", denied: "Denied" } as const;

function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export function AuditLog({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = {
    actor: params.get("actor") ?? "",
    action: params.get("action") ?? "",
    outcome: params.get("outcome") ?? "",
    from: params.get("from"),
    to: params.get("to"),
  };

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  };

  const input = {
    projectId,
    actor: filters.actor || undefined,
    action: filters.action || undefined,
    outcome: (AUDIT_OUTCOMES as readonly string[]).includes(filters.outcome)
      ? (filters.outcome as (typeof AUDIT_OUTCOMES)[number])
      : undefined,
    from: filters.from ? new Date(filters.from) : undefined,
    to: filters.to ? new Date(filters.to) : undefined,
    limit: 50,
  };
  const query = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(input, {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      refetchInterval: 15_000,
    }),
  );
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Object.values(filters).some(Boolean);

  return (
    <div className="space-y-4">
      <div className="grid grid-cols-[repeat(auto-fill,minmax(12.5rem,1fr))] items-end gap-3 rounded-lg border border-border bg-surface p-4 shadow-xs">
        <InputField
          label="Actor"
          type="search"
          placeholder="Email contains…"
          defaultValue={filters.actor}
          onChange={(e) => setFilter("actor", e.target.value)}
        />
        <SelectField
          label="Action"
          value={filters.action}
          onChange={(e) => setFilter("action", e.target.value)}
        >
          <option value="">All actions</option>
          <option value="project">project.*</option>
          <option value="member">member.*</option>
          <option value="cloud">cloud.*</option>
          <option value="cluster">cluster.*</option>
          <option value="nodeGroup">nodeGroup.*</option>
          <Options values={AUDIT_ACTIONS} />
        </SelectField>
        <SelectField
          label="Outcome"
          value={filters.outcome}
          onChange={(e) => setFilter("outcome", e.target.value)}
        >
          <option value="">Any</option>
          {AUDIT_OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {outcomeLabel[o]}
            </option>
          ))}
        </SelectField>
        <InputField
          label="From"
          type="datetime-local"
          value={toLocalInput(filters.from)}
          onChange={(e) => setFilter("from", e.target.value ? new Date(e.target.value).toISOString() : "")}
        />
        <InputField
          label="To"
          type="datetime-local"
          value={toLocalInput(filters.to)}
          onChange={(e) => setFilter("to", e.target.value ? new Date(e.target.value).toISOString() : "")}
        />
        <Button
          variant="ghost"
          disabled={!filtered}
          onClick={() => router.replace(pathname, { scroll: false })}
        >
          Clear
        </Button>
      </div>

      {query.isPending ? (
        <LoadingBlock label="Loading audit log…" />
      ) : query.isError ? (
        <LoadError>{query.error.message}</LoadError>
      ) : rows.length === 0 ? (
        <EmptyState
          icon={<ScrollText className="size-6" aria-hidden />}
          title={filtered ? "No entries match these filters" : "No audit entries yet"}
          description={
            filtered
              ? "Widen the time range or clear the filters."
              : "Changes to this project will be listed here."
          }
        />
      ) : (
        <div className="overflow-hidden rounded-lg border border-border bg-surface shadow-xs">
          <div className="flex items-center justify-between gap-3 border-b border-border px-4 py-2.5">
            <p className="text-xs text-muted">
              The export holds the {rows.length} entr{rows.length === 1 ? "y" : "ies"} loaded below; load
              older ones first to include them.
            </p>
            <Button size="sm" variant="secondary" onClick={() => downloadCsv(rows)}>
              <Download className="size-4" aria-hidden /> Download CSV
            </Button>
          </div>
          <div className="overflow-x-auto">
            <Table className="table-fixed text-sm" caption="Audit log entries, newest first">
              <colgroup>
                <col className="w-24" />
                <col className="w-40 xl:w-52" />
                <col className="w-44" />
                <col />
                <col className="w-28" />
              </colgroup>
              <TableHead
                className="border-b border-border bg-surface-2 font-medium"
                cellClassName="px-3 py-2.5 first:pl-4 last:pr-4"
                columns={["Time", "Actor and source", "Action", "Target", "Outcome"]}
              />
              <tbody className="divide-y divide-border">
                {rows.map((r) => {
                  const message = failureMessage(r.details);
                  const details = Object.entries(r.details ?? {}).filter(([k]) => k !== "message");
                  const target = r.targetLabel ?? targetFromDetails(r.details);
                  const source = `${r.clientIp ?? "no IP"}${r.requestId ? ` · ${r.requestId.slice(0, 8)}` : ""}`;
                  return (
                    <tr key={r.id} className="align-top hover:bg-surface-2/60">
                      <td
                        className="py-2.5 pr-3 pl-4 text-xs whitespace-nowrap text-muted tabular-nums"
                        title={r.at.toISOString()}
                      >
                        <div className="text-fg">{formatTime(r.at)}</div>
                        <div>{formatDate(r.at)}</div>
                      </td>
                      <td className="px-3 py-2.5">
                        <div className="truncate text-fg" title={r.actorEmail ?? "system"}>
                          {r.actorEmail ?? <span className="text-muted">system</span>}
                        </div>
                        <div
                          className="truncate font-mono text-[11px] text-muted"
                          title={
                            r.requestId ? `${r.clientIp ?? "no IP"} · request id ${r.requestId}` : source
                          }
                        >
                          {source}
                        </div>
                      </td>
                      <td className="px-3 py-2.5">
                        <ActionName action={r.action} />
                      </td>
                      <td className="px-3 py-2.5 text-fg">
                        <div className="break-words">{target ?? <span className="text-muted">—</span>}</div>
                        {details.length > 0 && (
                          <div className="mt-0.5 text-xs break-words text-muted">
                            {details.map(([k, v]) => `${k}: ${String(v)}`).join(" · ")}
                          </div>
                        )}
                        {message && <div className="mt-1 text-xs break-words text-danger">{message}</div>}
                      </td>
                      <td className="py-2.5 pr-4 pl-3">
                        <Badge tone={outcomeTone[r.outcome]}>{outcomeLabel[r.outcome]}</Badge>
                        {r.errorCode && (
                          <div className="mt-1 truncate font-mono text-[11px] text-muted" title={r.errorCode}>
                            {r.errorCode}
                          </div>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </Table>
          </div>
          <LoadMore
            shown={
              <>
                {rows.length} entr{rows.length === 1 ? "y" : "ies"} shown
              </>
            }
            hasMore={query.hasNextPage}
            loading={query.isFetchingNextPage}
            onMore={() => void query.fetchNextPage()}
            label="Load older entries"
            end={<span>End of log</span>}
          />
        </div>
      )}
    </div>
  );
}
