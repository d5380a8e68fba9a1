import { namespaceNames } from "./applied";
import { pdbStatus, podReady } from "../model";
import {
  fieldMatch,
  inAnyNamespace,
  iso,
  list,
  type KubeCall,
  type KubeResponse,
  type KubeRouter,
} from "./common";

/** Read-only lists: events, namespaces, disruption budgets and deployments (services: objects.ts). */
export function workloadRoutes(router: KubeRouter): void {
  inAnyNamespace(router, "GET", "/api/v1", "events", events);
  router.on("GET", "/api/v1/namespaces", namespaces);
  inAnyNamespace(router, "GET", "/apis/policy/v1", "poddisruptionbudgets", disruptionBudgets);
  inAnyNamespace(router, "GET", "/apis/apps/v1", "deployments", deployments);
}

function events({ ctx: { k }, req }: KubeCall, ns: string | null): KubeResponse {
  const sel = k.events.filter(
    (e) =>
      (!ns || e.namespace === ns) &&
      fieldMatch(req.query.get("fieldSelector"), {
        "involvedObject.kind": e.kind,
        "involvedObject.name": e.name,
        "involvedObject.namespace": e.kind === "Node" ? "" : e.namespace,
        reason: e.reason,
        type: e.type,
      }),
  );
  const limit = Number(req.query.get("limit") ?? "0");
  const items = (limit > 0 ? sel.slice(-limit) : sel).map((e) => ({
    kind: "Event",
    apiVersion: "v1",
    metadata: {
      name: `${e.name}.${e.id.toString(16).padStart(16, "0")}`,
      namespace: e.namespace,
      uid: `${k.id.slice(0, 8)}-ev-${e.id}`,
      resourceVersion: String(e.id),
      creationTimestamp: iso(e.at),
    },
    involvedObject: {
      kind: e.kind,
      name: e.name,
      ...(e.kind === "Node" ? { uid: e.name } : { namespace: e.namespace }),
      apiVersion: "v1",
    },
    reason: e.reason,
    message: e.message,
    source: { component: e.component },
    firstTimestamp: iso(e.at),
    lastTimestamp: iso(e.at),
    count: 1,
    type: e.type,
    eventTime: null,
    reportingComponent: e.component,
    reportingInstance: "",
  }));
  return { status: 200, body: list("Event", "v1", items, k.resourceVersion) };
}

function namespaces({ ctx: { k } }: KubeCall): KubeResponse {
  const names = namespaceNames(k);
  return {
    status: 200,
    body: list(
      "Namespace",
      "v1",
      names.map((name) => ({
        kind: "Namespace",
        apiVersion: "v1",
        metadata: { name, creationTimestamp: iso(k.createdAt) },
        status: { phase: "Active" },
      })),
      k.resourceVersion,
    ),
  };
}

function disruptionBudgets({ ctx: { engine, k }, nodes }: KubeCall, ns: string | null): KubeResponse {
  const items = k.pdbs
    .filter((b) => !ns || b.namespace === ns)
    .map((b) => {
      const st = pdbStatus(engine, k, b, nodes);
      return {
        kind: "PodDisruptionBudget",
        apiVersion: "policy/v1",
        metadata: { name: b.name, namespace: b.namespace, creationTimestamp: iso(k.createdAt) },
        spec: {
          selector: { matchLabels: { app: b.app } },
          ...(b.minAvailable !== undefined ? { minAvailable: b.minAvailable } : {}),
          ...(b.maxUnavailable !== undefined ? { maxUnavailable: b.maxUnavailable } : {}),
        },
        status: {
          currentHealthy: st.healthy,
          desiredHealthy: st.desired,
          expectedPods: st.expected,
          disruptionsAllowed: st.allowed,
          observedGeneration: 1,
        },
      };
    });
  return { status: 200, body: list("PodDisruptionBudget", "policy/v1", items, k.resourceVersion) };
}

function deployments({ ctx: { engine, k }, nodes }: KubeCall, ns: string | null): KubeResponse {
  const items = k.deployments
    .filter((d) => !ns || d.namespace === ns)
    .map((d) => {
      const pods = k.pods.filter((x) => x.app === d.name && x.namespace === d.namespace);
      const ready = pods.filter((x) => podReady(engine, x, nodes)).length;
      return {
        kind: "Deployment",
        apiVersion: "apps/v1",
        metadata: {
          name: d.name,
          namespace: d.namespace,
          creationTimestamp: iso(k.createdAt),
          generation: 1,
          ...(d.release
            ? {
                labels: { "app.kubernetes.io/managed-by": "Helm" },
                annotations: {
                  "meta.helm.sh/release-name": d.release,
                  "meta.helm.sh/release-namespace": d.namespace,
                },
              }
            : {}),
        },
        spec: { replicas: d.replicas, selector: { matchLabels: { app: d.name } } },
        status: {
          replicas: pods.length,
          readyReplicas: ready,
          availableReplicas: ready,
          observedGeneration: 1,
        },
      };
    });
  return { status: 200, body: list("Deployment", "apps/v1", items, k.resourceVersion) };
}
