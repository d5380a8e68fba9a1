"use client";

import { Table, TableHead } from "@/components/ui/table";
import { Progress } from "@/components/ui/progress";
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { AlertTriangle, Plus } from "lucide-react";
import { Button } from "@/components/ui/button";
import { LoadMore } from "@/components/ui/load-more";
import { Fragment, memo, useState } from "react";
import { useLivePollInterval } from "@/components/live/live-updates";
import { useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Input, Options, Select } from "@/components/ui/field";
import { LoadError, LoadingBlock } from "@/components/ui/load-state";
import Link from "next/link";
import { PHASES } from "@/server/contracts/phases";
import { PHASE_TONE, TOPOLOGY_LABEL, type ClusterSummaryData } from "./labels";
import { formatDate, formatMoney } from "@/components/ui/format";
import { ClustersEmpty } from "./clusters-empty";
import { ClusterRowMenu } from "./cluster-row-menu";
import { roleAtLeast } from "@/server/contracts/roles";

const PAGE = 100;

/** Live list of the project's clusters: changes are pushed (polling only while the stream is down), so they show without a reload. */
export function ClustersList({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const project = useQuery(trpc.project.get.queryOptions({ projectId }));
  const canEdit = project.data ? roleAtLeast(project.data.role, "member") : false;
  const poll = useLivePollInterval();
  const [search, setSearch] = useState("");
  const [phase, setPhase] = useState("");
  const list = useInfiniteQuery({
    ...trpc.cluster.list.infiniteQueryOptions(
      { projectId, search: search || undefined, phase: phase || undefined, limit: PAGE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
    placeholderData: keepPreviousData,
    // Changes made elsewhere (another user, the API, the reconciler) are pushed; polling only while the stream is down.
    refetchInterval: poll,
  });

  if (list.isPending) {
    return <LoadingBlock label="Loading clusters…" />;
  }
  if (list.isError) {
    return <LoadError>{list.error.message}</LoadError>;
  }
  const items = list.data.pages.flatMap((p) => p.items);
  if (items.length === 0 && !search && !phase) return <ClustersEmpty projectId={projectId} />;

  return (
    <div className="space-y-4">
      <div className="flex items-end gap-3">
        <label className="w-72">
          <span className="sr-only">Search clusters</span>
          <Input
            type="search"
            placeholder="Search by name…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <label className="w-48">
          <span className="sr-only">Filter by status</span>
          <Select value={phase} onChange={(e) => setPhase(e.target.value)}>
            <option value="">All statuses</option>
            <Options values={PHASES.filter((p) => p !== "Deleted")} />
          </Select>
        </label>
        <span className="ml-auto text-xs whitespace-nowrap text-muted">
          {items.length}
          {list.hasNextPage ? "+" : ""} cluster{items.length === 1 ? "" : "s"}
        </span>
        <Button asChild>
          <Link href={`/projects/${projectId}/clusters/new`}>
            <Plus className="size-4" aria-hidden /> Create cluster
          </Link>
        </Button>
      </div>
      {/* Every column fits the main area at 1024 px: version and topology share a column, as do the
          node count and its zones, and cells are padded 8 px a side below 1280 (12 from there); a narrower
          window scrolls the table inside its frame. */}
      <div className="overflow-x-auto rounded-lg border border-border bg-surface shadow-xs">
        <Table className="text-sm" caption="Clusters">
          <TableHead
            className="border-b border-border bg-surface-2"
            cellClassName="px-2 py-2.5 first:pl-4 last:pr-4 xl:px-3"
            columns={[
              "Name",
              { label: "Status", className: "w-40 xl:w-56" },
              "Kubernetes",
              { label: "Nodes / zones", className: "text-right" },
              { label: "Per month", className: "text-right whitespace-nowrap" },
              "Created",
              ...(canEdit ? [{ label: <span className="sr-only">Actions</span>, key: "actions" }] : []),
            ]}
          />
          <tbody className="divide-y divide-border">
            {items.map((c) => (
              <ClusterListRow key={c.id} projectId={projectId} cluster={c} canEdit={canEdit} />
            ))}
            {items.length === 0 && (
              <tr>
                <td colSpan={canEdit ? 7 : 6} className="px-4 py-10 text-center text-sm text-muted">
                  No clusters match these filters.
                </td>
              </tr>
            )}
          </tbody>
        </Table>
        {list.hasNextPage && (
          <LoadMore
            shown={`${items.length} shown`}
            hasMore
            loading={list.isFetchingNextPage}
            onMore={() => void list.fetchNextPage()}
            label="Load more clusters"
          />
        )}
      </div>
    </div>
  );
}

/**
 * One row of the list. Memoized: the rows of pages already loaded keep their
 * objects (react-query shares unchanged data), so "Load more" and a pushed
 * change render only the rows that are new or changed, not all of them.
 */
const ClusterListRow = memo(function ClusterListRow({
  projectId,
  cluster: c,
  canEdit,
}: {
  projectId: string;
  cluster: ClusterSummaryData;
  canEdit: boolean;
}) {
  const p = c.progress;
  const busy = p && c.phase !== "Running" && c.phase !== "Error" && p.total > 0;
  return (
    <tr className="align-top">
      <td className="py-3 pr-2 pl-4 xl:pr-3">
        <Link
          href={`/projects/${projectId}/clusters/${c.id}`}
          className="font-medium text-fg hover:text-primary hover:underline focus-visible:ring-2 focus-visible:ring-ring outline-none rounded"
        >
          {c.name}
        </Link>
        <div className="text-xs text-muted">{c.apiEndpoint ?? "API endpoint pending"}</div>
      </td>
      {/* A fixed width: a long step name is cut with an ellipsis (full text on hover), never widening the column. */}
      <td className="w-40 max-w-40 px-2 py-3 xl:w-56 xl:max-w-56 xl:px-3">
        <Badge tone={PHASE_TONE[c.phase]}>{c.phase}</Badge>
        {busy && (
          <div className="mt-2">
            <Progress className="h-1.5" label={`${c.name} progress`} value={p.done} max={p.total} />
            <div
              className="mt-1 truncate text-xs text-muted"
              title={`${p.done}/${p.total} · ${p.currentStep ?? "Waiting for the cloud"}`}
            >
              {p.done}/{p.total} · {p.currentStep ?? "Waiting for the cloud"}
            </div>
          </div>
        )}
        {c.lastError && (
          <div className="mt-1.5 flex items-start gap-1 text-xs text-danger" title={c.lastError}>
            <AlertTriangle className="mt-0.5 size-3 shrink-0" aria-hidden />
            <span className="line-clamp-2">{c.lastError}</span>
          </div>
        )}
      </td>
      <td className="px-2 py-3 text-fg xl:px-3">
        <span className="tabular-nums">{c.version}</span>
        <div className="text-xs text-muted">
          {TOPOLOGY_LABEL[c.topology]}, {c.masterCount} master
          {c.masterCount === 1 ? "" : "s"}
        </div>
      </td>
      <td className="px-2 py-3 text-right xl:px-3">
        <span
          className="text-fg tabular-nums"
          title="Ready worker nodes / nodes the node groups ask for (autoscaling groups: their minimum)"
        >
          {c.workers.ready}/{c.workers.wanted}
        </span>
        {/* Lines break between zones, never inside a zone's name. */}
        <div className="text-xs text-muted">
          {c.zones.map((z, i) => (
            <Fragment key={z}>
              {i > 0 && ", "}
              <span className="whitespace-nowrap">{z}</span>
            </Fragment>
          ))}
        </div>
      </td>
      <td className="px-2 py-3 text-right whitespace-nowrap text-fg tabular-nums xl:px-3">
        {formatMoney(c.cost.perMonth, c.cost.currency)}
      </td>
      <td
        className="py-3 pr-4 pl-2 text-xs whitespace-nowrap text-muted xl:pl-3"
        title={c.createdAt.toISOString()}
      >
        {formatDate(c.createdAt)}
      </td>
      {canEdit && (
        <td className="w-10 py-2.5 pr-3">
          <ClusterRowMenu projectId={projectId} cluster={c} />
        </td>
      )}
    </tr>
  );
});
