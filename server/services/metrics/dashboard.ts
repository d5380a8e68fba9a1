import { and, desc, eq, gte, inArray, isNull, lt } from "drizzle-orm";
import { clusterEvents, clusters } from "@/db/schema";
import { PANELS, type PanelId } from "@/server/metrics/panels";
import { nodeStateChanges, queryRange, stepFor, type Point } from "@/server/metrics/store";
import type { DashboardInput, OverviewInput } from "@/server/contracts/metrics";
import type { ServiceContext } from "../context";
import { loadCluster } from "../cluster/view";
import type { ProjectAccess } from "../project/access";

/** Points per series a panel asks for: about one per two pixels of a wide chart. */
const PANEL_POINTS = 600;
/** Events drawn as markers on the time series. */
const ANNOTATED = [
  "NotReady",
  "Terminated",
  "ScaledDown",
  "ServerFailed",
  "LoadBalancerStatus",
  "AddonInstalling",
  "AddonRemoving",
  "ConstraintUpdated",
  "CARotation",
  "DrainBlocked",
  "Failed",
  "ScaleUp",
  "ScaleDown",
  "NotTriggerScaleUp",
  "ScaleDownFailed",
  "AutoHealing",
  "Failover",
];

export interface NodeSegment {
  state: string;
  from: number;
  to: number;
}

/**
 * Everything a cluster's dashboard draws for a time range: each panel's
 * series (downsampled in SQL), the events to mark on them, and each node's
 * state timeline (from the node state changes the reconciler records).
 */
export async function dashboardData(args: {
  ctx: ServiceContext;
  project: ProjectAccess;
  input: DashboardInput;
}) {
  const { db } = args.ctx;
  const c = await loadCluster(db, args.project.id, args.input.clusterId);
  const context = {
    groups: c.spec.nodeGroups.map((g) => g.name),
    loadBalancers: [
      ...new Set([
        ...Object.keys(c.status.resources ?? {})
          .filter((k) => k.startsWith("LoadBalancer:"))
          .map((k) => k.slice("LoadBalancer:".length)),
        ...Object.keys(c.status.loadBalancers ?? {}),
      ]),
    ].sort(),
  };
  const stepS = stepFor(args.input.from.getTime(), args.input.to.getTime(), PANEL_POINTS);
  const panels = {} as Record<PanelId, { title: string; series: Record<string, Point[]> }>;
  await Promise.all(
    (Object.keys(PANELS) as PanelId[]).map(async (id) => {
      const r = await queryRange(db, {
        clusterId: c.id,
        series: PANELS[id].series(context),
        from: args.input.from,
        to: args.input.to,
        maxPoints: PANEL_POINTS,
      });
      panels[id] = { title: PANELS[id].title, series: r.series };
    }),
  );

  const annotations = await db
    .select({
      at: clusterEvents.at,
      type: clusterEvents.type,
      reason: clusterEvents.reason,
      kind: clusterEvents.objectKind,
      name: clusterEvents.objectName,
      message: clusterEvents.message,
    })
    .from(clusterEvents)
    .where(
      and(
        eq(clusterEvents.clusterId, c.id),
        gte(clusterEvents.at, args.input.from),
        lt(clusterEvents.at, args.input.to),
        inArray(clusterEvents.reason, ANNOTATED),
      ),
    )
    .orderBy(desc(clusterEvents.at))
    .limit(200);

  // Node timelines: each node's state before the range, then its changes within it.
  const { before, changes } = await nodeStateChanges(db, {
    clusterId: c.id,
    from: args.input.from,
    to: args.input.to,
  });
  const open = new Map<string, { state: string; since: number }>();
  const timelines = new Map<string, NodeSegment[]>();
  const start = args.input.from.getTime();
  const end = Math.min(args.input.to.getTime(), Date.now());
  for (const r of before) if (r.reason !== "Terminated") open.set(r.name, { state: r.reason, since: start });
  for (const e of changes) {
    const cur = open.get(e.name);
    const at = e.at.getTime();
    if (cur && at > cur.since)
      (timelines.get(e.name) ?? timelines.set(e.name, []).get(e.name)!).push({
        state: cur.state,
        from: cur.since,
        to: at,
      });
    if (e.reason === "Terminated") {
      open.delete(e.name);
      (timelines.get(e.name) ?? timelines.set(e.name, []).get(e.name)!).push({
        state: "Terminated",
        from: at,
        to: at,
      });
    } else open.set(e.name, { state: e.reason, since: at });
  }
  for (const [name, cur] of open)
    (timelines.get(name) ?? timelines.set(name, []).get(name)!).push({
      state: cur.state,
      from: cur.since,
      to: end,
    });

  return {
    cluster: { id: c.id, name: c.name },
    from: args.input.from,
    to: args.input.to,
    stepS,
    panels,
    annotations: annotations.map((a) => ({ ...a, at: a.at.getTime() })),
    nodes: [...timelines.entries()]
      .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
      .slice(0, 200)
      .map(([name, segments]) => ({ name, segments })),
  };
}

/** The project overview's panels: one series per cluster. */
const OVERVIEW = {
  "overview-ready": { title: "Ready nodes per cluster", series: "nodes.Ready" },
  "overview-notready": { title: "NotReady nodes per cluster", series: "nodes.NotReady" },
  "overview-pending": { title: "Pending pods per cluster", series: "pods.pending" },
  "overview-violations": { title: "Policy violations per cluster", series: "policies.violations" },
} as const;

/**
 * A project's clusters side by side: each overview panel has one series
 * per live cluster (named after it), downsampled like the cluster panels,
 * plus each cluster's phase and its autoscaler's latest figures.
 */
export async function projectOverview(args: {
  ctx: ServiceContext;
  project: ProjectAccess;
  input: OverviewInput;
}) {
  const { db } = args.ctx;
  const rows = await db
    .select()
    .from(clusters)
    .where(and(eq(clusters.projectId, args.project.id), isNull(clusters.deletedAt)))
    .orderBy(clusters.name)
    .limit(50);
  const stepS = stepFor(args.input.from.getTime(), args.input.to.getTime(), PANEL_POINTS);
  const results = await Promise.all(
    rows.map((c) =>
      queryRange(db, {
        clusterId: c.id,
        series: Object.values(OVERVIEW).map((p) => p.series),
        from: args.input.from,
        to: args.input.to,
        maxPoints: PANEL_POINTS,
      }),
    ),
  );
  const panels = Object.fromEntries(
    Object.entries(OVERVIEW).map(([id, p]) => [
      id,
      {
        title: p.title,
        series: Object.fromEntries(
          rows.flatMap((c, i) => {
            const s = results[i]!.series[p.series];
            return s ? [[c.name, s] as const] : [];
          }),
        ),
      },
    ]),
  ) as Record<keyof typeof OVERVIEW, { title: string; series: Record<string, Point[]> }>;
  return {
    stepS,
    panels,
    clusters: rows.map((c) => ({
      id: c.id,
      name: c.name,
      phase: c.phase,
      nodes: c.status.nodes.length,
      ready: c.status.nodes.filter((n) => n.state === "Ready").length,
      pending: c.status.autoscaler?.pending ?? null,
      cpuRequested: Object.values(c.status.autoscaler?.groups ?? {}).reduce((n, g) => n + g.cpuRequested, 0),
      cpuAllocatable: Object.values(c.status.autoscaler?.groups ?? {}).reduce(
        (n, g) => n + g.cpuAllocatable,
        0,
      ),
    })),
  };
}
