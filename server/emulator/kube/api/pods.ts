import { jobPodObjects, removeJobPod } from "./applied";
import { ANY_METHOD } from "../../http";
import { podManifest } from "../gatekeeper";
import { evictionBlockedBy, podReady, removePod, type NodeView } from "../model";
import type { Pod } from "../types";
import {
  fieldMatch,
  inAnyNamespace,
  humanAge,
  iso,
  labelMatch,
  list,
  notFound,
  status,
  table,
  wantsTable,
  type ApiContext,
  type KubeCall,
  type KubeResponse,
  type KubeRouter,
} from "./common";

/** Pods: list (all or in a namespace), get, delete, and evictions that respect disruption budgets. */

function podObject(ctx: ApiContext, p: Pod, nodes: Map<string, NodeView>) {
  const ready = podReady(ctx.engine, p, nodes);
  const node = p.node ? nodes.get(p.node) : undefined;
  const m = podManifest(ctx.k, p);
  return {
    kind: "Pod",
    apiVersion: "v1",
    metadata: {
      ...m.metadata,
      uid: p.uid,
      creationTimestamp: iso(p.createdAt),
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: `${p.app}-rs`,
          uid: `${ctx.k.id.slice(0, 8)}-rs-${p.app}`,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { ...(p.node ? { nodeName: p.node } : {}), ...m.spec },
    status: {
      phase: p.node ? "Running" : "Pending",
      conditions: [
        p.node || p.unschedulableAt === undefined
          ? { type: "PodScheduled", status: p.node ? "True" : "False" }
          : {
              type: "PodScheduled",
              status: "False",
              reason: "Unschedulable",
              lastTransitionTime: iso(p.unschedulableAt),
              message: "0 nodes are available to fit this pod's requests (see its FailedScheduling event)",
            },
        { type: "Ready", status: ready ? "True" : "False" },
      ],
      ...(node?.ip ? { hostIP: node.ip } : {}),
      ...(p.scheduledAt ? { startTime: iso(p.scheduledAt) } : {}),
    },
  };
}

export function podRoutes(router: KubeRouter): void {
  inAnyNamespace(router, "GET", "/api/v1", "pods", listPods);
  router.on(ANY_METHOD, "/api/v1/namespaces/:ns/pods/:name", (call, { ns, name }) =>
    onePod(call, ns!, name!, false),
  );
  router.on(ANY_METHOD, "/api/v1/namespaces/:ns/pods/:name/eviction", (call, { ns, name }) =>
    onePod(call, ns!, name!, true),
  );
}

function listPods({ ctx, req, nodes, now }: KubeCall, ns: string | null): KubeResponse {
  const { engine, k } = ctx;
  const sel = k.pods.filter(
    (x) =>
      (!ns || x.namespace === ns) &&
      fieldMatch(req.query.get("fieldSelector"), {
        "spec.nodeName": x.node ?? "",
        "metadata.name": x.name,
        "metadata.namespace": x.namespace,
        "status.phase": x.node ? "Running" : "Pending",
      }) &&
      labelMatch(req.query.get("labelSelector"), { app: x.app }),
  );
  if (wantsTable(req.accept))
    return {
      status: 200,
      body: table(
        [
          { name: "Name", type: "string", format: "name", description: "Name" },
          { name: "Ready", type: "string", description: "The aggregate readiness state of this pod" },
          { name: "Status", type: "string", description: "The aggregate status of the containers" },
          { name: "Restarts", type: "string", description: "The number of times the containers restarted" },
          { name: "Age", type: "string", description: "CreationTimestamp" },
          { name: "Node", type: "string", description: "Node", priority: 1 },
        ],
        sel.map((x) => ({
          cells: [
            x.name,
            podReady(engine, x, nodes) ? "1/1" : "0/1",
            x.node ? (podReady(engine, x, nodes) ? "Running" : "ContainerCreating") : "Pending",
            "0",
            humanAge(now - x.createdAt),
            x.node ?? "<none>",
          ],
          metadata: { name: x.name, namespace: x.namespace, creationTimestamp: iso(x.createdAt) },
        })),
        k.resourceVersion,
      ),
    };
  return {
    status: 200,
    body: list(
      "Pod",
      "v1",
      [
        ...sel.map((x) => podObject(ctx, x, nodes)),
        ...jobPodObjects(k, ns, req.query.get("labelSelector"), req.query.get("fieldSelector")),
      ],
      k.resourceVersion,
    ),
  };
}

function onePod({ ctx, req, nodes }: KubeCall, ns: string, name: string, eviction: boolean): KubeResponse {
  const { engine, k } = ctx;
  const pod = k.pods.find((x) => x.namespace === ns && x.name === name);
  if (!pod && (req.method === "DELETE" || (eviction && req.method === "POST")) && removeJobPod(k, ns, name)) {
    engine.markDirty();
    return status(eviction ? 201 : 200, "", "");
  }
  if (!pod && req.method === "GET") {
    const job = jobPodObjects(k, ns, null, `metadata.name=${name}`)[0];
    if (job) return { status: 200, body: job };
  }
  if (!pod) return notFound("pods", name);
  if (eviction) {
    if (req.method !== "POST") return status(405, "MethodNotAllowed", "evictions are created with POST");
    const blocked = evictionBlockedBy(engine, k, pod, nodes);
    if (blocked) {
      return status(
        429,
        "TooManyRequests",
        "Cannot evict pod as it would violate the pod's disruption budget.",
        {
          causes: [
            {
              reason: "DisruptionBudget",
              message: `The disruption budget ${blocked.pdb.name} needs ${blocked.status.desired} healthy pods and has ${blocked.status.healthy} currently`,
            },
          ],
        },
      );
    }
    removePod(engine, k, pod, "evicted");
    engine.markDirty();
    return status(201, "", "");
  }
  if (req.method === "GET") return { status: 200, body: podObject(ctx, pod, nodes) };
  if (req.method === "DELETE") {
    const body = podObject(ctx, pod, nodes);
    removePod(engine, k, pod, "deleted");
    engine.markDirty();
    return { status: 200, body };
  }
  return status(405, "MethodNotAllowed", `${req.method} is not supported on pods`);
}
