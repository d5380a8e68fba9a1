"use client";

import { Progress } from "@/components/ui/progress";
import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, ArrowLeft } from "lucide-react";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useLivePollInterval } from "@/components/live/live-updates";
import { useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Banner } from "@/components/ui/banner";
import { LoadingBlock } from "@/components/ui/load-state";
import { TabsContent, TabsList, TabsRoot } from "@/components/ui/tabs";
import { roleAtLeast } from "@/server/contracts/roles";
import { PHASE_TONE, TOPOLOGY_LABEL } from "./labels";
import { EolBanner, UpgradeProgress } from "./lifecycle-actions";
import { MaintenanceBanner, Schedules } from "./schedules";
import { formatMoney } from "@/components/ui/format";
import { CancelOperationButton } from "./cancel-operation";
import { ClusterActions } from "./cluster-actions";
import { OverviewTab } from "./overview-tab";
import { useTabHash } from "./use-tab-hash";

// Every tab but the Overview loads when first opened (its charts, YAML editor and tables are their own
// chunks), so the page's first load carries the Overview only.
const tabLoading = (label: string) =>
  function TabLoading() {
    return <LoadingBlock label={`Loading ${label}…`} className="py-10" />;
  };
const NodeGroupsTab = dynamic(() => import("./node-groups-tab").then((m) => m.NodeGroupsTab), {
  loading: tabLoading("node groups"),
});
const HealthTab = dynamic(() => import("./health-tab").then((m) => m.HealthTab), {
  loading: tabLoading("health and load"),
});
const AddonsTab = dynamic(() => import("./addons-tab").then((m) => m.AddonsTab), {
  loading: tabLoading("addons"),
});
const PoliciesTab = dynamic(() => import("./policies-tab").then((m) => m.PoliciesTab), {
  loading: tabLoading("policies"),
});
const OperationsTab = dynamic(() => import("./operations-tab").then((m) => m.OperationsTab), {
  loading: tabLoading("operations"),
});
const EventsTab = dynamic(() => import("./events-tab").then((m) => m.EventsTab), {
  loading: tabLoading("events"),
});

const TABS = [
  { value: "overview", label: "Overview" },
  { value: "nodes", label: "Node groups" },
  { value: "health", label: "Health & load" },
  { value: "addons", label: "Addons" },
  { value: "policies", label: "Policies" },
  { value: "schedules", label: "Schedules" },
  { value: "operations", label: "Operations" },
  { value: "events", label: "Events" },
];
const TAB_VALUES = TABS.map((t) => t.value);

export function ClusterPage({ projectId, clusterId }: { projectId: string; clusterId: string }) {
  const trpc = useTRPC();
  const poll = useLivePollInterval();
  const project = useQuery(trpc.project.get.queryOptions({ projectId }));
  const cluster = useQuery({
    ...trpc.cluster.get.queryOptions({ projectId, clusterId }),
    refetchInterval: poll,
    retry: false,
  });
  const canEdit = project.data ? roleAtLeast(project.data.role, "member") : false;
  // The open tab lives in the URL's hash, so links (a refusal's constraint → the Policies tab) can open one.
  const { tab, setTab } = useTabHash(TAB_VALUES, "overview", cluster.isSuccess);

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
            <h1 className="truncate text-xl font-semibold tracking-tight text-fg" title={c.name}>
              {c.name}
            </h1>
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
          <Progress className="mt-2 h-2" label="Operation progress" value={p.done} max={p.total} />
          <div className="mt-2 flex items-start justify-between gap-4">
            <p className="text-xs text-muted">
              {p.currentStep ?? "Waiting for the cloud"}
              {p.attempts > 0 && ` · retrying (attempt ${p.attempts + 1})`}
            </p>
            {canEdit && <CancelOperationButton projectId={projectId} cluster={c} />}
          </div>
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
            <div className="mt-1 flex items-center justify-between gap-4">
              <span className="text-xs text-muted">
                Fix the cause (for example the quota) and press Retry, or change the cluster
                {p?.cancel.possible ? ", or cancel the change" : ""}.
              </span>
              {canEdit && <CancelOperationButton projectId={projectId} cluster={c} />}
            </div>
          )}
        </Banner>
      )}

      <TabsRoot value={tab} onValueChange={setTab}>
        <TabsList label="Cluster sections" items={TABS} />
        <TabsContent value="overview">
          <OverviewTab projectId={projectId} cluster={c} canEdit={canEdit} />
        </TabsContent>
        <TabsContent value="nodes">
          <NodeGroupsTab projectId={projectId} cluster={c} canEdit={canEdit} />
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
          <OperationsTab projectId={projectId} clusterId={clusterId} />
        </TabsContent>
        <TabsContent value="events">
          <EventsTab projectId={projectId} clusterId={clusterId} />
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
