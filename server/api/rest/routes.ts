import { z } from "zod";
import {
  CreateClusterInput,
  DeleteClusterInput,
  ListClustersInput,
  MaintenanceWindowInput,
  NodeGroupInput,
  ScaleNodeGroupInput,
  StopScheduleInput,
  UpdateClusterInput,
  UpgradeClusterInput,
  UpgradeReadinessInput,
  ListEventsInput,
} from "@/server/contracts/cluster";
import { InstallAddonInput } from "@/server/contracts/addon";
import { KubeconfigRequest } from "@/server/contracts/kubeconfig";
import { NodeActionInput } from "@/server/contracts/node-actions";
import type { ProjectRole } from "@/server/contracts/roles";
import type { createCaller } from "../root";
import * as S from "./schemas";

export type Caller = ReturnType<typeof createCaller>;
type Method = "GET" | "POST" | "PUT" | "DELETE";

/** What a route's handler receives: path parameters, the parsed query and body, the precondition. */
export interface RouteArgs<Q, B> {
  params: Record<string, string>;
  query: Q;
  body: B;
  /** From If-Match (or the body's `generation`); routes marked `precondition` always get one. */
  generation: number;
}

export interface RestRoute {
  method: Method;
  /** OpenAPI path template under /api/v1, e.g. `/projects/{projectId}/clusters`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: "Projects" | "Clusters" | "Node groups" | "Addons" | "Operations";
  /** The lowest project role allowed (documentation: the procedure's builder enforces it). */
  minRole: ProjectRole;
  query?: z.ZodObject;
  body?: z.ZodType;
  status: 200 | 202;
  response: z.ZodType;
  /** Changes a cluster's spec: needs If-Match with its ETag (or `generation` in the body). */
  precondition?: boolean;
  /**
   * The answer holds a secret (a kubeconfig's private key): never stored for
   * Idempotency-Key replays, so the header is not offered.
   */
  secretResponse?: boolean;
  /** The response carries the cluster's generation as ETag. */
  etag?: (out: unknown) => number | null;
  run: (c: Caller, a: RouteArgs<unknown, unknown>) => Promise<unknown>;
}

function route<Q extends z.ZodObject | undefined, B extends z.ZodType | undefined>(
  r: Omit<RestRoute, "query" | "body" | "run"> & {
    query?: Q;
    body?: B;
    run: (
      c: Caller,
      a: RouteArgs<
        Q extends z.ZodObject ? z.output<Q> : undefined,
        B extends z.ZodType ? z.output<B> : undefined
      >,
    ) => Promise<unknown>;
  },
): RestRoute {
  return r as unknown as RestRoute;
}

const P = "/projects/{projectId}";
const C = `${P}/clusters/{clusterId}`;
const ref = (a: { params: Record<string, string> }) => ({
  projectId: a.params.projectId!,
  clusterId: a.params.clusterId!,
});

/** A cluster after an accepted change, and the operation that converges it. */
async function accepted(c: Caller, a: { params: Record<string, string> }) {
  const cluster = await c.cluster.get(ref(a));
  const [operation] = await c.operation.list({ ...ref(a), limit: 1 });
  return { cluster, operation: operation ?? null };
}
const clusterEtag = (out: unknown) => {
  const o = out as { generation?: unknown; cluster?: { generation?: unknown } };
  const g = o.cluster?.generation ?? o.generation;
  return typeof g === "number" ? g : null;
};

/** Query strings are text: numbers and booleans are read from it, then the procedure's contract checks them again. */
const limit = (max: number) => z.coerce.number().int().min(1).max(max).optional();
const bool = z.enum(["true", "false"]).transform((v) => v === "true");

export const ROUTES: RestRoute[] = [
  route({
    method: "GET",
    path: "/projects",
    operationId: "listProjects",
    summary: "The projects this token reaches",
    tag: "Projects",
    minRole: "viewer",
    status: 200,
    response: S.ProjectList,
    run: async (c) => ({ items: await c.project.list() }),
  }),
  route({
    method: "GET",
    path: P,
    operationId: "getProject",
    summary: "A project",
    tag: "Projects",
    minRole: "viewer",
    status: 200,
    response: S.Project,
    run: (c, a) => c.project.get({ projectId: a.params.projectId! }),
  }),
  route({
    method: "GET",
    path: `${P}/members`,
    operationId: "listMembers",
    summary: "The project's members and open invitations",
    tag: "Projects",
    minRole: "viewer",
    status: 200,
    response: S.Report("Members", "`members` (userId, email, name, role, addedAt) and `invitations`."),
    run: (c, a) => c.member.list({ projectId: a.params.projectId! }),
  }),
  route({
    method: "GET",
    path: `${P}/quotas`,
    operationId: "getQuotas",
    summary: "The cloud project's quotas and usage",
    tag: "Projects",
    minRole: "viewer",
    status: 200,
    response: S.Report("Quotas", "Quotas, usage and when they were read from the cloud."),
    run: (c, a) => c.cloud.quotas({ projectId: a.params.projectId! }),
  }),
  route({
    method: "POST",
    path: `${P}/estimate`,
    operationId: "estimateCluster",
    summary: "What a cluster spec would cost per hour and month",
    tag: "Clusters",
    minRole: "viewer",
    body: CreateClusterInput.omit({ projectId: true }),
    status: 200,
    response: S.Report("Estimate", "Hourly and monthly cost, by line."),
    run: (c, a) => c.cluster.estimate({ projectId: a.params.projectId!, ...a.body }),
  }),
  route({
    method: "GET",
    path: `${P}/clusters`,
    operationId: "listClusters",
    summary: "Clusters, newest first, with cursor paging",
    tag: "Clusters",
    minRole: "viewer",
    query: z.object({
      search: ListClustersInput.shape.search,
      phase: ListClustersInput.shape.phase,
      cursor: ListClustersInput.shape.cursor.describe("`nextCursor` of the previous page"),
      limit: limit(200),
    }),
    status: 200,
    response: S.ClusterList,
    run: (c, a) => c.cluster.listDetailed({ projectId: a.params.projectId!, ...a.query }),
  }),
  route({
    method: "POST",
    path: `${P}/clusters`,
    operationId: "createCluster",
    summary: "Create a cluster (the same spec as the wizard's YAML)",
    description: "Send `Idempotency-Key` so that a retried request never creates two clusters.",
    tag: "Clusters",
    minRole: "member",
    body: CreateClusterInput.omit({ projectId: true }),
    status: 202,
    response: S.Accepted,
    etag: clusterEtag,
    run: async (c, a) => {
      const cluster = await c.cluster.create({ projectId: a.params.projectId!, ...a.body });
      return accepted(c, { params: { ...a.params, clusterId: cluster.id } });
    },
  }),
  route({
    method: "GET",
    path: C,
    operationId: "getCluster",
    summary: "A cluster: spec, phase, conditions, progress, cost",
    tag: "Clusters",
    minRole: "viewer",
    status: 200,
    response: S.Cluster,
    etag: clusterEtag,
    run: (c, a) => c.cluster.get(ref(a)),
  }),
  route({
    method: "PUT",
    path: C,
    operationId: "updateCluster",
    summary: "Change a cluster's spec",
    description: "Needs `If-Match` with the ETag of the cluster you read (412 when it changed since).",
    tag: "Clusters",
    minRole: "member",
    body: UpdateClusterInput.omit({ projectId: true, clusterId: true }).partial({ generation: true }),
    precondition: true,
    status: 202,
    response: S.Accepted,
    etag: clusterEtag,
    run: async (c, a) => {
      await c.cluster.update({ ...ref(a), spec: a.body.spec, generation: a.generation });
      return accepted(c, a);
    },
  }),
  route({
    method: "DELETE",
    path: C,
    operationId: "deleteCluster",
    summary: "Delete a cluster and everything it made in the cloud",
    description:
      "`confirmName` must repeat the cluster's name. `keepVolumes=true` keeps its claims' volumes.",
    tag: "Clusters",
    minRole: "member",
    query: z.object({
      confirmName: DeleteClusterInput.shape.confirmName,
      keepVolumes: bool.optional(),
    }),
    status: 202,
    response: S.Deleted,
    run: async (c, a) => {
      await c.cluster.delete({
        ...ref(a),
        confirmName: a.query.confirmName,
        keepVolumes: a.query.keepVolumes,
      });
      return accepted(c, a);
    },
  }),
  ...(
    [
      ["stop", "stopCluster", "Stop a cluster (servers shut off; disks and addresses stay)"],
      ["start", "startCluster", "Start a stopped cluster"],
      ["retry", "retryCluster", "Retry a failed operation"],
      ["rotate-ca", "rotateClusterCa", "Rotate the cluster's certificate authority"],
    ] as const
  ).map(([verb, operationId, summary]) =>
    route({
      method: "POST",
      path: `${C}/${verb}`,
      operationId,
      summary,
      tag: "Clusters",
      minRole: verb === "rotate-ca" ? "admin" : "member",
      status: 202,
      response: S.Accepted,
      etag: clusterEtag,
      run: async (c, a) => {
        if (verb === "stop") await c.cluster.stop(ref(a));
        else if (verb === "start") await c.cluster.start(ref(a));
        else if (verb === "retry") await c.cluster.retry(ref(a));
        else await c.cluster.rotateCa(ref(a));
        return accepted(c, a);
      },
    }),
  ),
  route({
    method: "GET",
    path: `${C}/upgrade-options`,
    operationId: "getUpgradeOptions",
    summary: "The versions the cluster may move to (one minor at a time)",
    tag: "Clusters",
    minRole: "viewer",
    status: 200,
    response: S.Report("UpgradeOptions", "Current version and the versions on offer."),
    run: (c, a) => c.cluster.upgradeOptions(ref(a)),
  }),
  route({
    method: "GET",
    path: `${C}/upgrade-readiness`,
    operationId: "getUpgradeReadiness",
    summary: "What could go wrong upgrading to `target`",
    tag: "Clusters",
    minRole: "viewer",
    query: z.object({ target: UpgradeReadinessInput.shape.target }),
    status: 200,
    response: S.Report("UpgradeReadiness", "Findings (blocking or not) with what to do about each."),
    run: (c, a) => c.cluster.upgradeReadiness({ ...ref(a), target: a.query.target }),
  }),
  route({
    method: "POST",
    path: `${C}/upgrade`,
    operationId: "upgradeCluster",
    summary: "Upgrade the cluster to `target`",
    tag: "Clusters",
    minRole: "member",
    body: UpgradeClusterInput.omit({ projectId: true, clusterId: true }).partial({ generation: true }),
    precondition: true,
    status: 202,
    response: S.Accepted,
    etag: clusterEtag,
    run: async (c, a) => {
      await c.cluster.upgrade({ ...ref(a), ...a.body, generation: a.generation });
      return accepted(c, a);
    },
  }),
  route({
    method: "PUT",
    path: `${C}/stop-schedule`,
    operationId: "setStopSchedule",
    summary: "Stop and start the cluster on a weekly schedule (null turns it off)",
    tag: "Clusters",
    minRole: "member",
    body: StopScheduleInput.omit({ projectId: true, clusterId: true }),
    status: 200,
    response: S.Cluster,
    etag: clusterEtag,
    run: async (c, a) => {
      await c.cluster.setStopSchedule({ ...ref(a), ...a.body });
      return c.cluster.get(ref(a));
    },
  }),
  route({
    method: "PUT",
    path: `${C}/maintenance-window`,
    operationId: "setMaintenanceWindow",
    summary: "When automatic maintenance may run (null: any time)",
    tag: "Clusters",
    minRole: "member",
    body: MaintenanceWindowInput.omit({ projectId: true, clusterId: true }),
    status: 200,
    response: S.Cluster,
    etag: clusterEtag,
    run: async (c, a) => {
      await c.cluster.setMaintenanceWindow({ ...ref(a), ...a.body });
      return c.cluster.get(ref(a));
    },
  }),
  route({
    method: "POST",
    path: `${C}/kubeconfig`,
    operationId: "getKubeconfig",
    summary: "A kubeconfig for kubectl (audited; the same validities as the console)",
    tag: "Clusters",
    minRole: "member",
    secretResponse: true,
    body: KubeconfigRequest,
    status: 200,
    response: S.Kubeconfig,
    run: (c, a) => c.cluster.kubeconfig({ ...ref(a), ...a.body }),
  }),
  route({
    method: "GET",
    path: `${C}/events`,
    operationId: "listEvents",
    summary: "The cluster's events, newest first",
    description:
      "Filter by `type` (Normal, Warning), `objectKind` (Node, LoadBalancer, …) or `search` (object name, reason, message); page with `cursor`, the id of the last event of the previous page.",
    tag: "Clusters",
    minRole: "viewer",
    query: z.object({
      limit: limit(500),
      type: ListEventsInput.shape.type,
      objectKind: ListEventsInput.shape.objectKind,
      search: ListEventsInput.shape.search,
      cursor: z.coerce.number().int().positive().optional(),
    }),
    status: 200,
    response: S.EventList,
    run: async (c, a) => ({ items: await c.cluster.events({ ...ref(a), ...a.query }) }),
  }),
  route({
    method: "POST",
    path: `${C}/node-groups`,
    operationId: "addNodeGroup",
    summary: "Add a node group",
    tag: "Node groups",
    minRole: "member",
    body: NodeGroupInput.omit({ projectId: true, clusterId: true }).partial({ generation: true }),
    precondition: true,
    status: 202,
    response: S.Accepted,
    etag: clusterEtag,
    run: async (c, a) => {
      await c.nodeGroup.add({ ...ref(a), nodeGroup: a.body.nodeGroup, generation: a.generation });
      return accepted(c, a);
    },
  }),
  route({
    method: "PUT",
    path: `${C}/node-groups/{name}/scaling`,
    operationId: "scaleNodeGroup",
    summary: "Change a node group's size or autoscaling",
    tag: "Node groups",
    minRole: "member",
    body: ScaleNodeGroupInput.pick({ scaling: true, generation: true }).partial({ generation: true }),
    precondition: true,
    status: 202,
    response: S.Accepted,
    etag: clusterEtag,
    run: async (c, a) => {
      await c.nodeGroup.update({
        ...ref(a),
        name: a.params.name!,
        scaling: a.body.scaling,
        generation: a.generation,
      });
      return accepted(c, a);
    },
  }),
  route({
    method: "DELETE",
    path: `${C}/node-groups/{name}`,
    operationId: "removeNodeGroup",
    summary: "Remove a node group (its nodes are drained first)",
    tag: "Node groups",
    minRole: "member",
    precondition: true,
    status: 202,
    response: S.Accepted,
    etag: clusterEtag,
    run: async (c, a) => {
      await c.nodeGroup.remove({ ...ref(a), name: a.params.name!, generation: a.generation });
      return accepted(c, a);
    },
  }),
  route({
    method: "POST",
    path: `${C}/addons`,
    operationId: "installAddon",
    summary: "Install an addon (or change its values)",
    tag: "Addons",
    minRole: "member",
    body: InstallAddonInput.omit({ projectId: true, clusterId: true }).partial({ generation: true }),
    precondition: true,
    status: 202,
    response: S.Accepted,
    etag: clusterEtag,
    run: async (c, a) => {
      await c.addon.install({ ...ref(a), addon: a.body.addon, generation: a.generation });
      return accepted(c, a);
    },
  }),
  route({
    method: "DELETE",
    path: `${C}/addons/{addonId}`,
    operationId: "uninstallAddon",
    summary: "Uninstall an addon",
    tag: "Addons",
    minRole: "member",
    precondition: true,
    status: 202,
    response: S.Accepted,
    etag: clusterEtag,
    run: async (c, a) => {
      await c.addon.uninstall({ ...ref(a), id: a.params.addonId!, generation: a.generation });
      return accepted(c, a);
    },
  }),
  route({
    method: "GET",
    path: `${C}/operations`,
    operationId: "listOperations",
    summary: "The cluster's operations, newest first",
    tag: "Operations",
    minRole: "viewer",
    query: z.object({ limit: limit(200) }),
    status: 200,
    response: S.OperationList,
    run: async (c, a) => ({ items: await c.operation.list({ ...ref(a), ...a.query }) }),
  }),
  route({
    method: "POST",
    path: `${C}/nodes/{node}/actions`,
    operationId: "requestNodeAction",
    summary: "Cordon, uncordon, drain or replace one node",
    description:
      "Stored as the node's newest request and carried out by the reconciler; its progress is in the cluster's `status.nodeActions[node]`. Masters may be cordoned or uncordoned only.",
    tag: "Clusters",
    minRole: "member",
    body: NodeActionInput.pick({ action: true }),
    status: 202,
    response: S.Report("NodeActionRequest", "The request's id, node and action."),
    run: (c, a) => c.nodeGroup.nodeAction({ ...ref(a), node: a.params.node!, action: a.body.action }),
  }),
  route({
    method: "POST",
    path: `${C}/operations/{operationId}/cancel`,
    operationId: "cancelOperation",
    summary: "Cancel a running or failed operation",
    description:
      "Writes new intent that undoes the operation's change: an update or scale goes back to the spec before it, a stop starts the cluster again, a start stops it. Creates, deletions, upgrades and CA rotations cannot be cancelled (412 with the reason).",
    tag: "Operations",
    minRole: "member",
    status: 202,
    response: S.Accepted,
    etag: clusterEtag,
    run: async (c, a) => {
      await c.cluster.cancelOperation({ ...ref(a), operationId: a.params.operationId! });
      return accepted(c, a);
    },
  }),
  route({
    method: "GET",
    path: `${C}/operations/{operationId}`,
    operationId: "getOperation",
    summary: "One operation; `wait` long-polls until it ends (at most 60 s)",
    description:
      "With `wait=N` the answer comes when the operation succeeds, fails, is superseded or cancelled, or after N seconds with its state then.",
    tag: "Operations",
    minRole: "viewer",
    query: z.object({ wait: z.coerce.number().int().min(0).max(60).optional() }),
    status: 200,
    response: S.Operation,
    run: async (c, a) => {
      const input = { ...ref(a), operationId: a.params.operationId! };
      const deadline = Date.now() + (a.query.wait ?? 0) * 1000;
      for (;;) {
        const op = await c.operation.get(input);
        if (op.status !== "pending" && op.status !== "running") return op;
        if (Date.now() >= deadline) return op;
        await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
      }
    },
  }),
];
