import type { Engine } from "../engine";
import { admissionDenials, recordDenied } from "./gatekeeper";
import { syncCloudProvider, volumePlacement } from "./cloud-provider";
import { syncHelm } from "./helm";
import {
  allNodes,
  apiServers,
  NOT_READY_EVICTION_MS,
  recordEvent,
  removePod,
  scaled,
  type NodeView,
} from "./model";
import { newCluster, sampleWorkload } from "./sample";
import type { KubeClusterState, Pod } from "./types";
import { DEFAULT_LOAD, elasticReplicas, loadFactor, schedulePods } from "./workload";

/**
 * Bring every emulated cluster up to date with the cloud: register nodes,
 * record readiness changes as events, forget removed nodes, and let the
 * deployments' controllers and the scheduler place pods. Idempotent; called
 * before every request. Returns the nodes it saw, by cluster.
 */
export function syncKube(engine: Engine): Map<string, NodeView[]> {
  const now = engine.now();
  const byCluster = allNodes(engine);
  const state = engine.state.kube;
  for (const [clusterId, nodes] of byCluster) {
    const first = nodes[0]!;
    const k = (state[clusterId] ??= newCluster(first.config, now));
    upgradeSaved(k, now);
    const byName = new Map(nodes.map((n) => [n.name, n]));
    trackNodes(k, nodes, byName, now);
    // Controllers and the scheduler run on the masters: nothing moves while no API server is up.
    if (apiServers(nodes).length === 0) continue;
    evictPods(engine, k, nodes, byName, now);
    syncHelm(engine, k, nodes);
    syncCloudProvider(engine, k, nodes);
    runDeployments(engine, k, clusterId, byName, now);
    schedulePods(
      engine,
      k,
      nodes,
      (e) => recordEvent(k, now, e),
      (p) => volumePlacement(k, p),
    );
  }
  // Clusters whose servers are all gone are gone.
  for (const id of Object.keys(state)) if (!byCluster.has(id)) delete state[id];
  return byCluster;
}

/** State saved by an older emulator lacks what later versions added. */
function upgradeSaved(k: KubeClusterState, now: number): void {
  k.configMaps ??= {};
  k.templates ??= {};
  k.constraints ??= {};
  k.admissionDenied ??= {};
  k.services ??= sampleWorkload().services;
  k.load ??= { ...DEFAULT_LOAD, since: now };
  k.failed ??= {};
}

/** Register new nodes, record readiness changes, forget removed nodes (events as the node controller writes them). */
function trackNodes(
  k: KubeClusterState,
  nodes: NodeView[],
  byName: Map<string, NodeView>,
  now: number,
): void {
  for (const n of nodes) {
    const was = k.seen[n.name];
    if (!was) {
      k.seen[n.name] = { ready: n.ready, createdAt: now, since: now };
      recordEvent(k, now, {
        namespace: "default",
        kind: "Node",
        name: n.name,
        reason: "RegisteredNode",
        message: `Node ${n.name} event: Registered Node ${n.name} in Controller`,
        type: "Normal",
        component: "node-controller",
      });
      if (n.ready)
        recordEvent(k, now, {
          namespace: "default",
          kind: "Node",
          name: n.name,
          reason: "NodeReady",
          message: `Node ${n.name} status is now: NodeReady`,
          type: "Normal",
          component: "kubelet",
        });
    } else if (was.ready !== n.ready) {
      was.ready = n.ready;
      was.since = now;
      recordEvent(k, now, {
        namespace: "default",
        kind: "Node",
        name: n.name,
        reason: n.ready ? "NodeReady" : "NodeNotReady",
        message: `Node ${n.name} status is now: ${n.ready ? "NodeReady" : "NodeNotReady"}`,
        type: n.ready ? "Normal" : "Warning",
        component: n.ready ? "kubelet" : "node-controller",
      });
    }
  }
  for (const name of Object.keys(k.seen)) {
    if (byName.has(name)) continue;
    delete k.seen[name];
    delete k.cordoned[name];
    delete k.initialized?.[name];
    delete k.failed[name];
    delete k.nodeLabels?.[name];
    recordEvent(k, now, {
      namespace: "default",
      kind: "Node",
      name,
      reason: "RemovingNode",
      message: `Node ${name} event: Removing Node ${name} from Controller`,
      type: "Normal",
      component: "node-controller",
    });
  }
}

/** Pods of removed nodes, and of nodes NotReady too long, are gone (their deployments replace them). */
function evictPods(
  engine: Engine,
  k: KubeClusterState,
  nodes: NodeView[],
  byName: Map<string, NodeView>,
  now: number,
): void {
  // Pods of removed nodes are gone; their deployments replace them.
  for (const p of [...k.pods]) if (p.node && !byName.has(p.node)) removePod(engine, k, p, "node removed");
  // Taint-based eviction: pods of a node NotReady for 5 minutes are deleted (their deployments replace them).
  for (const n of nodes) {
    const since = k.seen[n.name]?.since ?? now;
    if (n.ready || n.server.status !== "ACTIVE" || now - since < scaled(engine, NOT_READY_EVICTION_MS))
      continue;
    for (const p of k.pods.filter((x) => x.node === n.name)) {
      removePod(engine, k, p, `node ${n.name} NotReady: evicted by the taint manager`);
      recordEvent(k, now, {
        namespace: p.namespace,
        kind: "Pod",
        name: p.name,
        reason: "TaintManagerEviction",
        message: `Marking for deletion Pod ${p.namespace}/${p.name}`,
        type: "Normal",
        component: "taint-eviction-controller",
      });
    }
  }
}

/** The deployments' controllers: follow the load (HPA), scale down, create pods unless admission refuses them. */
function runDeployments(
  engine: Engine,
  k: KubeClusterState,
  clusterId: string,
  byName: Map<string, NodeView>,
  now: number,
): void {
  const load = loadFactor(k.load, now);
  for (const d of k.deployments) {
    if (d.elastic) {
      const want = elasticReplicas(d, load);
      if (want !== d.replicas) {
        recordEvent(k, now, {
          namespace: d.namespace,
          kind: "HorizontalPodAutoscaler",
          name: d.name,
          reason: "SuccessfulRescale",
          message: `New size: ${want}; reason: cpu resource utilization (percentage of request) ${want > d.replicas ? "above" : "below"} target`,
          type: "Normal",
          component: "horizontal-pod-autoscaler",
        });
        d.replicas = want;
      }
    }
    const have = k.pods.filter((p) => p.namespace === d.namespace && p.app === d.name);
    // Scaled down: unscheduled pods go first, then the newest.
    if (have.length > d.replicas) {
      const doomed = [...have]
        .sort((a, b) => Number(a.node !== null) - Number(b.node !== null) || b.createdAt - a.createdAt)
        .slice(0, have.length - d.replicas);
      for (const p of doomed) removePod(engine, k, p, "scaled down");
      continue;
    }
    for (let i = have.length; i < d.replicas; i++) {
      const suffix = (k.podSeq + 1).toString(36).padStart(5, "0").slice(-5);
      const pod: Pod = {
        namespace: d.namespace,
        name: `${d.name}-${suffix}`,
        app: d.name,
        uid: `${clusterId.slice(0, 8)}-${k.podSeq + 1}`,
        node: null,
        createdAt: now,
        scheduledAt: null,
      };
      // Gatekeeper's admission webhook: a deny constraint refuses the pod.
      const denied = admissionDenials(engine, k, pod, byName);
      if (denied.length > 0) {
        recordDenied(engine, k, d, denied);
        break;
      }
      k.podSeq++;
      k.pods.push(pod);
      k.resourceVersion++;
    }
  }
}
