import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { clusterEvents, clusters, operations, type ClusterStatus } from "@/db/schema";
import type { ClusterSpec } from "@/server/contracts/cluster";
import { desiredGroupSize } from "@/server/domain/placement";
import { BadRequest, NotFound, OpenStackError, QuotaExceeded, type OpenStackCloud } from "@/server/openstack";
import { groupFromTags, groupTag, resourceNames, workerIndex } from "./names";
import { addonOf, isEmpty, observe, type Observed } from "./observe";
import type { KubeClient, KubeNode, KubeTarget } from "@/server/kube/client";
import { issueCertificate } from "@/server/kube/pki";
import { completeCaRotation, ensureClusterPki } from "@/server/kube/store";
import { versionInfo } from "@/server/domain/versions";
import {
  DrainBlocked,
  emptyUpgradeStatus,
  outdated,
  startPlan,
  stopPlan,
  upgradePlan,
  type LifecycleAction,
} from "./lifecycle";
import { conditionsFrom, nodesOf, phaseOf } from "./status";
import { addonPruneActions, addonSteps, kubeAddonPlan, kubeSyncFresh, type KubeAddonPlan } from "./addons";
import { buildSteps, TerminalError, type Catalog, type Step } from "./steps";
import { nodeUserData } from "./user-data";
import { autoscalerPass } from "./autoscaler";
import { LB_HEALTH_MS, lbHealth } from "./lb-health";

export interface ReconcileDeps {
  db: Db;
  cloudFor: (projectId: string) => Promise<OpenStackCloud>;
  /** CONSOLE_ENCRYPTION_KEY: the cluster CA's key is decrypted to sign serving certificates. */
  encryptionKey: string;
  /** The Kubernetes API client (tests may wrap it). */
  kubeFor?: (target: KubeTarget) => KubeClient;
  /** Cluster time, for the autoscaler's and auto-healing's timers (tests: the emulator's test clock). */
  clock?: () => number;
}

export interface PassResult {
  /** Intent and cloud agree (or, when deleting, nothing remains). */
  converged: boolean;
  /** When to look again; null: only on new intent or the periodic resync. */
  requeueAfterMs: number | null;
  actions: string[];
}

type Action = {
  label: string;
  run: () => Promise<unknown>;
  event?: { reason: string; kind: string; name: string };
};

/** How long an operation waits for the Kubernetes API to answer before converging without it. */
const API_WAIT_MS = 10 * 60_000;
/** While the cloud works on something (BUILD, PENDING_*), look again after this long. */
const POLL_MS = 2_000;
/** After a pass that made progress, the next steps are often ready at once (a subnet after its network). */
const PROGRESS_MS = 200;
/** While addon pods start or Gatekeeper's first audit is due. */
const WARMING_MS = 5_000;
/** A running cluster with workers is looked at this often (the autoscaler's scan interval). */
const AUTOSCALE_SCAN_MS = 10_000;

function classify(err: unknown): { terminal: boolean; message: string } {
  if (err instanceof TerminalError) return { terminal: true, message: err.message };
  if (err instanceof QuotaExceeded)
    return { terminal: true, message: `Quota exceeded for ${err.resource}: ${err.message}` };
  if (err instanceof BadRequest)
    return { terminal: true, message: `The cloud refused the request: ${err.message}` };
  if (err instanceof OpenStackError) return { terminal: false, message: `${err.name}: ${err.message}` };
  return { terminal: false, message: err instanceof Error ? err.message : String(err) };
}

const CATALOG_TTL_MS = 5 * 60_000;
const catalogs = new WeakMap<OpenStackCloud, { at: number; catalog: Promise<Catalog> }>();

/** Flavors and images change rarely: read them once per cloud every few minutes, not on every pass. */
function catalogOf(cloud: OpenStackCloud): Promise<Catalog> {
  const cached = catalogs.get(cloud);
  if (cached && Date.now() - cached.at < CATALOG_TTL_MS) return cached.catalog;
  const catalog = Promise.all([cloud.compute.listFlavors(), cloud.image.listImages()]).then(
    ([flavors, images]) => ({
      flavors,
      imageId: (name: string) => images.find((i) => i.name === name && i.status === "active")?.id ?? null,
    }),
  );
  catalogs.set(cloud, { at: Date.now(), catalog });
  catalog.catch(() => catalogs.delete(cloud));
  return catalog;
}

/** Actions that remove what intent no longer wants: extra workers (newest first), removed groups, failed servers. */
function pruneActions(
  cloud: OpenStackCloud,
  cluster: { name: string; spec: ClusterSpec },
  o: Observed,
  sizeOverride: Map<string, number> = new Map(),
): Action[] {
  const n = resourceNames(cluster.name);
  const actions: Action[] = [];
  const groups = new Map(cluster.spec.nodeGroups.map((g) => [g.name, g]));
  const workers = [...o.servers.values()].filter((s) => s.tags.includes("kc-role=worker"));
  const byGroup = new Map<string, typeof workers>();
  for (const w of workers) {
    const g = groupFromTags(w.tags) ?? "";
    byGroup.set(g, [...(byGroup.get(g) ?? []), w]);
  }
  const doomed = new Set<string>();
  for (const [gname, servers] of byGroup) {
    const g = groups.get(gname);
    const live = servers.filter((s) => s.taskState !== "deleting");
    const keep = g ? (sizeOverride.get(g.name) ?? desiredGroupSize(g, live.length)) : 0;
    // Newest first: the last created go first when scaling down.
    const extra = [...live]
      .sort(
        (a, b) =>
          b.createdAt.localeCompare(a.createdAt) ||
          b.name.localeCompare(a.name, undefined, { numeric: true }),
      )
      .slice(0, Math.max(0, live.length - keep));
    for (const s of extra) doomed.add(s.name);
  }
  for (const s of o.servers.values()) {
    if (s.status === "ERROR" && s.taskState !== "deleting" && !doomed.has(s.name)) {
      actions.push({
        label: `Replace failed server ${s.name}: ${s.fault?.message ?? "ERROR"}`,
        run: () => cloud.compute.deleteServer(s.id),
        event: { reason: "ServerFailed", kind: "Server", name: s.name },
      });
    }
  }
  for (const name of doomed) {
    const s = o.servers.get(name)!;
    actions.push({
      label: `Remove worker ${name}`,
      run: () => cloud.compute.deleteServer(s.id),
      event: { reason: "ScaledDown", kind: "Server", name },
    });
  }
  // Ports of workers no longer wanted, once their server is gone.
  for (const p of o.ports.values()) {
    if (!p.tags.includes("kc-role=worker") || o.servers.has(p.name)) continue;
    const gname = groupFromTags(p.tags) ?? "";
    const g = groups.get(gname);
    const idx = workerIndex(cluster.name, gname, p.name);
    const wanted =
      g &&
      idx !== null &&
      idx < (sizeOverride.get(gname) ?? desiredGroupSize(g, (byGroup.get(gname) ?? []).length));
    if (!wanted) actions.push({ label: `Delete port ${p.name}`, run: () => cloud.network.deletePort(p.id) });
  }
  // Server groups of removed anti-affinity groups, once empty.
  for (const [name, sg] of o.serverGroups) {
    if (name === n.masterServerGroup) continue;
    const gname = name.slice(cluster.name.length + 1);
    const still = groups.get(gname)?.antiAffinity;
    if (!still && !workers.some((w) => w.tags.includes(groupTag(gname))))
      actions.push({
        label: `Delete server group ${name}`,
        run: () => cloud.compute.deleteServerGroup(sg.id),
      });
  }
  return actions;
}

/** Reverse order: what still has dependents waits for them to go. 404 on delete is success. */
function teardownActions(cloud: OpenStackCloud, o: Observed): Action[] {
  const a: Action[] = [];
  if (o.floatingIp)
    a.push({ label: "Release the API address", run: () => cloud.network.deleteFloatingIp(o.floatingIp!.id) });
  for (const f of o.addonFips)
    a.push({
      label: `Release the address ${f.address} of addon ${addonOf(f.tags)}`,
      run: () => cloud.network.deleteFloatingIp(f.id),
    });
  for (const x of o.addonLbs)
    if (x.lb.provisioningStatus === "ACTIVE" || x.lb.provisioningStatus === "ERROR")
      a.push({
        label: `Delete load balancer ${x.lb.name} of addon ${x.addon}`,
        run: () => cloud.loadBalancer.deleteLoadBalancer(x.lb.id, true),
        event: { reason: "Deleting", kind: "LoadBalancer", name: x.lb.name },
      });
  if (o.lb && (o.lb.provisioningStatus === "ACTIVE" || o.lb.provisioningStatus === "ERROR")) {
    a.push({
      label: "Delete the API load balancer",
      run: () => cloud.loadBalancer.deleteLoadBalancer(o.lb!.id, true),
      event: { reason: "Deleting", kind: "LoadBalancer", name: o.lb.name },
    });
  }
  for (const s of o.servers.values()) {
    if (s.taskState !== "deleting")
      a.push({
        label: `Delete server ${s.name}`,
        run: () => cloud.compute.deleteServer(s.id),
        event: { reason: "Deleting", kind: "Server", name: s.name },
      });
  }
  const serversGone = o.servers.size === 0;
  if (serversGone) {
    for (const v of o.volumes.values()) {
      if (["available", "error"].includes(v.status))
        a.push({
          label: `Delete volume ${v.name}`,
          run: () => cloud.blockStorage.deleteVolume(v.id),
          event: { reason: "Deleting", kind: "Volume", name: v.name },
        });
    }
    for (const p of o.ports.values())
      a.push({ label: `Delete port ${p.name}`, run: () => cloud.network.deletePort(p.id) });
    for (const g of o.serverGroups.values())
      a.push({ label: `Delete server group ${g.name}`, run: () => cloud.compute.deleteServerGroup(g.id) });
  }
  const noPorts =
    serversGone &&
    o.ports.size === 0 &&
    !o.lb &&
    !o.floatingIp &&
    o.addonLbs.length === 0 &&
    o.addonFips.length === 0;
  if (noPorts) {
    for (const g of o.secGroups.values())
      a.push({
        label: `Delete security group ${g.name}`,
        run: () => cloud.network.deleteSecurityGroup(g.id),
      });
    if (o.router && o.subnet && o.routerInterface)
      a.push({
        label: "Detach subnet from router",
        run: () => cloud.network.removeRouterInterface(o.router!.id, o.subnet!.id),
      });
    if (o.router && !o.routerInterface)
      a.push({ label: "Delete router", run: () => cloud.network.deleteRouter(o.router!.id) });
    if (!o.routerInterface) {
      if (o.subnet) a.push({ label: "Delete subnet", run: () => cloud.network.deleteSubnet(o.subnet!.id) });
      if (o.network && !o.subnet)
        a.push({ label: "Delete network", run: () => cloud.network.deleteNetwork(o.network!.id) });
    }
  }
  return a;
}

async function runAll(actions: Action[]) {
  const results = await Promise.allSettled(actions.map((a) => a.run()));
  return results.map((r, i) => ({
    action: actions[i]!,
    error: r.status === "rejected" ? (r.reason as unknown) : null,
  }));
}

async function currentOperation(db: Db, clusterId: string) {
  const [op] = await db
    .select()
    .from(operations)
    .where(and(eq(operations.clusterId, clusterId), inArray(operations.status, ["pending", "running"])))
    .orderBy(desc(operations.startedAt))
    .limit(1);
  return op ?? null;
}

/**
 * One level-triggered pass over one cluster: observe by tags, run the next
 * steps, record status. Safe to repeat and to kill at any point: every
 * step first looks for its resource, so a repeat adopts instead of
 * creating twice.
 */
export async function reconcileCluster(deps: ReconcileDeps, clusterId: string): Promise<PassResult> {
  const { db } = deps;
  const [cluster] = await db.select().from(clusters).where(eq(clusters.id, clusterId));
  if (!cluster || cluster.deletedAt) return { converged: true, requeueAfterMs: null, actions: [] };
  const cloud = await deps.cloudFor(cluster.projectId);
  const now = new Date();
  // Cluster time: the autoscaler's, auto-healing's and LB health's timers (tests run them on the test clock).
  const clusterNow = deps.clock?.() ?? now.getTime();
  const op = await currentOperation(db, cluster.id);
  const events: Array<typeof clusterEvents.$inferInsert> = [];
  const event = (
    type: "Normal" | "Warning",
    reason: string,
    objectKind: string,
    objectName: string,
    message: string,
  ) => events.push({ clusterId: cluster.id, type, reason, objectKind, objectName, message });

  let observed: Observed;
  let catalog: Catalog;
  try {
    [observed, catalog] = await Promise.all([observe(cloud, cluster), catalogOf(cloud)]);
  } catch (err) {
    const c = classify(err);
    await recordError(
      db,
      cluster.id,
      op?.id ?? null,
      "Observe the cloud",
      c.message,
      c.terminal,
      cluster.status,
      now,
    );
    return { converged: false, requeueAfterMs: c.terminal ? null : backoff(op?.attempts ?? 0), actions: [] };
  }

  // ── deletion ──────────────────────────────────────────────────────────────
  if (cluster.deletionRequestedAt) {
    if (isEmpty(observed)) {
      await db.transaction(async (tx) => {
        await tx
          .update(clusters)
          .set({
            phase: "Deleted",
            deletedAt: now,
            observedGeneration: cluster.generation,
            status: { ...cluster.status, nodes: [], lastError: null },
            updatedAt: now,
          })
          .where(eq(clusters.id, cluster.id));
        if (op)
          await tx
            .update(operations)
            .set({ status: "succeeded", finishedAt: now, currentStep: null, stepsDone: op.stepsTotal })
            .where(eq(operations.id, op.id));
        await tx.insert(clusterEvents).values({
          clusterId: cluster.id,
          type: "Normal",
          reason: "Deleted",
          objectKind: "Cluster",
          objectName: cluster.name,
          message: "All cloud resources are gone",
        });
      });
      return { converged: true, requeueAfterMs: null, actions: [] };
    }
    const actions = teardownActions(cloud, observed);
    const results = await runAll(actions);
    for (const r of results)
      if (r.action.event && !r.error)
        event("Normal", r.action.event.reason, r.action.event.kind, r.action.event.name, r.action.label);
    const failed = results.filter((r) => r.error && !(r.error instanceof NotFound));
    const remaining = countResources(observed);
    await db.transaction(async (tx) => {
      await tx
        .update(clusters)
        .set({
          phase: "Deleting",
          status: {
            ...cluster.status,
            nodes: nodesOf(observed, (f) => f ?? ""),
            lastError: failed[0]
              ? {
                  step: failed[0].action.label,
                  message: classify(failed[0].error).message,
                  at: now.toISOString(),
                  attempts: (op?.attempts ?? 0) + 1,
                  terminal: false,
                }
              : null,
          },
          updatedAt: now,
        })
        .where(eq(clusters.id, cluster.id));
      if (op) {
        const total = Math.max(op.stepsTotal, remaining);
        await tx
          .update(operations)
          .set({
            status: "running",
            stepsTotal: total,
            stepsDone: Math.max(0, total - remaining),
            currentStep: actions[0]?.label ?? "Waiting for the cloud to finish deleting",
            attempts: failed.length ? op.attempts + 1 : op.attempts,
            error: failed[0] ? classify(failed[0].error).message : null,
          })
          .where(eq(operations.id, op.id));
      }
      if (events.length) await tx.insert(clusterEvents).values(events);
    });
    return {
      converged: false,
      requeueAfterMs: failed.length ? backoff(op?.attempts ?? 0) : actions.length ? PROGRESS_MS : POLL_MS,
      actions: actions.map((a) => a.label),
    };
  }

  // ── credentials and the Kubernetes API ──────────────────────────────────────
  const pki = await ensureClusterPki(db, cluster, deps.encryptionKey);
  const credentials = {
    caCertPem: pki.ca.certPem,
    issueApiServerCert: (altNames: string[]) =>
      issueCertificate({
        ca: pki.ca,
        commonName: "kube-apiserver",
        usage: "server" as const,
        altNames,
        validityMs: 365 * 86_400_000,
      }),
  };
  const publicAddress =
    observed.floatingIp && observed.lb && observed.floatingIp.portId === observed.lb.vipPortId
      ? observed.floatingIp.address
      : null;
  const anyMasterUp = [...observed.servers.values()].some(
    (s) => s.tags.includes("kc-role=master") && s.status === "ACTIVE",
  );
  let kube: KubeClient | null = null;
  let kubeNodes: Map<string, KubeNode> | null = null;
  if (publicAddress && anyMasterUp && observed.lb?.provisioningStatus === "ACTIVE") {
    // Loaded on first use: @kubernetes/client-node takes most of a second to import.
    const kubeFor = deps.kubeFor ?? (await import("@/server/kube/client")).createKubeClient;
    kube = kubeFor({
      server: `https://${publicAddress}:6443`,
      // During a CA rotation the API server may still present a certificate of the previous CA.
      caCertPem: [pki.ca.certPem, pki.previousCaCertPem].filter(Boolean).join("\n"),
      clientCertPem: pki.console.certPem,
      clientKeyPem: pki.console.keyPem,
    });
    try {
      kubeNodes = new Map((await kube.listNodes()).map((n) => [n.name, n]));
    } catch {
      kubeNodes = null; // not answering (yet): flows that need it wait
    }
  }
  // The console reaches the API only at its public address, and only without an allowlist (it may be
  // outside it). An operation waits up to API_WAIT_MS for the API to answer, then finishes without it.
  const apiForConsole = cluster.spec.apiAccess.public && cluster.spec.apiAccess.allowedCidrs.length === 0;
  const apiWaitLeft =
    kubeNodes === null && op !== null && now.getTime() - op.startedAt.getTime() < API_WAIT_MS;

  // ── create / update / scale, stop / start / upgrade ───────────────────────
  const prevStatus = cluster.status;
  // What the upgrade readiness report needs from the cluster, refreshed about once a minute.
  let workload = prevStatus.workload;
  if (kube && kubeNodes && (!workload || now.getTime() - new Date(workload.at).getTime() > 60_000)) {
    try {
      const [pdbs, deprecatedApis] = await Promise.all([kube.listPdbs(), kube.deprecatedApis()]);
      workload = { at: now.toISOString(), pdbs, deprecatedApis };
    } catch {
      // keep the previous snapshot; the report says when it is stale
    }
  }
  const liveServers = [...observed.servers.values()].filter((s) => s.taskState !== "deleting");
  const mode: "stop" | "start" | "upgrade" | "converge" =
    cluster.power === "off"
      ? "stop"
      : liveServers.some((s) => s.status === "SHUTOFF") || (prevStatus.cordonedByStop ?? []).length > 0
        ? "start"
        : outdated(cluster.spec, observed).length > 0 ||
            (prevStatus.upgrade?.to === cluster.spec.version && !prevStatus.upgrade.completedAt)
          ? "upgrade"
          : "converge";
  let steps: Step[];
  let lifecycle: {
    actions: LifecycleAction[];
    done: boolean;
    waiting: string | null;
    failure: { node: string; message: string } | null;
  } = { actions: [], done: true, waiting: null, failure: null };
  let sizeOverride = new Map<string, number>();
  let autoscale: Awaited<ReturnType<typeof autoscalerPass>> = null;
  let cordonedByStop = prevStatus.cordonedByStop ?? [];
  let upgradeStatus = prevStatus.upgrade ?? null;
  const imageFor = (version: string) => {
    const v = versionInfo(version);
    return v ? catalog.imageId(v.image) : null;
  };
  const userData = nodeUserData({ cluster, observed, credentials });
  let caRotation = prevStatus.caRotation;
  /**
   * CA rotation, in two steps through the kube-system/kc-apiserver-pki Secret:
   * trust clients of both CAs (still serving an old-CA certificate, so
   * existing kubeconfigs keep working), then serve a new-CA certificate and
   * trust only the new CA, once a new-CA client is seen to be accepted.
   */
  const caRotationPlan = () => {
    const previous = pki.previousCa;
    if (!kube || !kubeNodes || !previous)
      return {
        actions: [],
        done: false,
        waiting: "Waiting for the Kubernetes API to rotate the CA",
        failure: null,
      };
    const altNames = userData.altNames(
      [...observed.servers.values()]
        .filter((s) => s.tags.includes("kc-role=master"))
        .map((s) => s.fixedIps[0]),
    );
    const started = pki.rotationStartedAt!.toISOString();
    const trusting = caRotation?.phase === "trusting" && caRotation.at >= started;
    if (!trusting)
      return {
        actions: [
          {
            label: "Trust the new cluster CA alongside the old one",
            run: async () => {
              const serving = await issueCertificate({
                ca: previous,
                commonName: "kube-apiserver",
                usage: "server",
                altNames,
                validityMs: 365 * 86_400_000,
              });
              await kube!.putPkiSecret({
                caBundle: `${pki.ca.certPem}\n${previous.certPem}`,
                cert: serving.certPem,
                key: serving.keyPem,
              });
              caRotation = { phase: "trusting", at: new Date().toISOString() };
            },
            event: { reason: "CARotation", kind: "Cluster", name: cluster.name },
          },
        ],
        done: false,
        waiting: "Rotating the cluster CA: trusting both CAs",
        failure: null,
      };
    return {
      actions: [
        {
          label: "Complete the CA rotation: serve and trust only the new CA",
          run: async () => {
            // A client of the new CA must be accepted before the old CA goes.
            const probe = await issueCertificate({
              ca: pki.ca,
              commonName: "kube-console-probe",
              organizations: ["system:masters"],
              usage: "client",
              validityMs: 600_000,
            });
            const kubeFor = deps.kubeFor ?? (await import("@/server/kube/client")).createKubeClient;
            await kubeFor({
              server: `https://${publicAddress}:6443`,
              caCertPem: `${pki.ca.certPem}\n${previous.certPem}`,
              clientCertPem: probe.certPem,
              clientKeyPem: probe.keyPem,
            }).listNodes();
            const serving = await issueCertificate({
              ca: pki.ca,
              commonName: "kube-apiserver",
              usage: "server",
              altNames,
              validityMs: 365 * 86_400_000,
            });
            await kube!.putPkiSecret({
              caBundle: pki.ca.certPem,
              cert: serving.certPem,
              key: serving.keyPem,
            });
            await completeCaRotation(db, cluster, deps.encryptionKey);
            caRotation = { phase: "done", at: new Date().toISOString() };
          },
          event: { reason: "CARotation", kind: "Cluster", name: cluster.name },
        },
      ],
      done: false,
      waiting: "Rotating the cluster CA: retiring the old CA",
      failure: null,
    };
  };
  try {
    if (observed.duplicates.length)
      throw new TerminalError(
        `More than one cloud resource carries the name ${observed.duplicates.join(", ")} for this cluster; remove the extra one(s)`,
      );
    if (mode === "stop") {
      const p = stopPlan({ cloud, observed, kube, kubeNodes, cordonedByStop });
      cordonedByStop = p.cordoned;
      lifecycle = { ...p, failure: null };
    } else if (mode === "start") {
      const apiHealthy = kube !== null && kubeNodes !== null && (await kube.readyz());
      const p = startPlan({
        cloud,
        observed,
        kube,
        kubeNodes,
        apiHealthy,
        apiReachable: cluster.spec.apiAccess.public,
        cordonedByStop,
      });
      cordonedByStop = p.cordoned;
      lifecycle = { ...p, failure: null };
    } else if (mode === "upgrade") {
      const imageId = imageFor(cluster.spec.version);
      if (!imageId)
        throw new TerminalError(`No node image for Kubernetes ${cluster.spec.version} in this cloud`);
      const base =
        upgradeStatus && upgradeStatus.to === cluster.spec.version
          ? upgradeStatus
          : emptyUpgradeStatus(
              liveServers
                .map((s) => s.metadata["kc-version"] ?? "")
                .find((v) => v && v !== cluster.spec.version) ?? cluster.spec.version,
              cluster.spec.version,
            );
      const p = upgradePlan({
        cloud,
        spec: cluster.spec,
        observed,
        kube,
        kubeNodes,
        status: base,
        forceDrain: base.forceDrain ?? false,
        imageId,
        now,
        masterUserData: (s) => userData.master(s.fixedIps[0]),
        workerUserData: (g) => userData.worker(g),
      });
      sizeOverride = p.sizeOverride;
      upgradeStatus = p.done ? { ...p.status, completedAt: now.toISOString() } : p.status;
      lifecycle = p;
    } else if (pki.rotationStartedAt) {
      lifecycle = caRotationPlan();
    }
    // The cluster autoscaler and auto-healing, on a running cluster while nothing else moves its nodes.
    if (mode === "converge" && !pki.rotationStartedAt && kube && kubeNodes) {
      autoscale = await autoscalerPass({
        cloud,
        spec: cluster.spec,
        observed,
        catalog,
        kube,
        kubeNodes,
        prev: prevStatus.autoscaler,
        prevHealth: prevStatus.health,
        before: new Map(prevStatus.nodes.map((x) => [x.name, x.state])),
        now: clusterNow,
      });
      if (autoscale) sizeOverride = autoscale.targets;
    }
    const newNet = cluster.spec.network.mode === "new";
    steps =
      mode === "converge" || mode === "upgrade"
        ? [
            ...buildSteps({ cloud, cluster, observed, catalog, credentials, sizeOverride }),
            ...addonSteps({
              cloud,
              cluster,
              observed,
              netDeps: newNet ? ["subnet"] : [],
              subnetId: () =>
                cluster.spec.network.mode === "new" ? observed.subnet!.id : cluster.spec.network.subnetId,
            }),
          ]
        : [];
  } catch (err) {
    const c = classify(err);
    await recordError(db, cluster.id, op?.id ?? null, "Plan", c.message, c.terminal, cluster.status, now);
    return { converged: false, requeueAfterMs: c.terminal ? null : backoff(op?.attempts ?? 0), actions: [] };
  }
  const done = new Set(steps.filter((s) => s.state === "done").map((s) => s.key));
  // Octavia takes one change at a time per load balancer: one slot per LB.
  const lbTaken = new Set<string>();
  if (observed.lb && observed.lb.provisioningStatus !== "ACTIVE") lbTaken.add("api");
  for (const x of observed.addonLbs) if (x.lb.provisioningStatus !== "ACTIVE") lbTaken.add(x.lb.name);
  for (const s of steps) if (s.lbMutation && s.state === "pending") lbTaken.add(s.lbKey ?? "api");
  const runnable: Action[] = [];
  for (const s of steps) {
    if (s.state !== "missing" || !s.deps.every((d) => done.has(d))) continue;
    if (s.lbMutation && s.key !== "lb") {
      const slot = s.lbKey ?? "api";
      if (lbTaken.has(slot)) continue;
      lbTaken.add(slot);
    }
    runnable.push({ label: s.label, run: s.run });
  }
  // A failed upgrade stops here: nothing is replaced until the user retries.
  const prune =
    (mode === "converge" || mode === "upgrade") && !lifecycle.failure
      ? [
          ...pruneActions(cloud, cluster, observed, sizeOverride),
          ...addonPruneActions(cloud, cluster, observed),
        ]
      : [];
  // Addons' releases and Gatekeeper's objects in the cluster (only while nothing else moves the nodes).
  let addonPlan: KubeAddonPlan | null = null;
  if (
    mode === "converge" &&
    !pki.rotationStartedAt &&
    !kubeSyncFresh(cluster.status, cluster.generation, now)
  ) {
    const lastError = cluster.status.lastError;
    addonPlan = await kubeAddonPlan({
      kube: kube && kubeNodes ? kube : null,
      cluster,
      observed,
      steps,
      stepErrors: new Map(lastError ? [[lastError.step, lastError.message]] : []),
      prev: cluster.status,
      now,
    });
  }
  const kubeActions: Action[] = addonPlan?.actions ?? [];
  const lifecycleActions: Action[] = lifecycle.actions.map((a) => ({
    label: a.label,
    run: a.run,
    event: a.event,
  }));
  // The load balancers' members, amphorae and connections, every LB_HEALTH_MS on a running cluster.
  let loadBalancers = prevStatus.loadBalancers;
  const lbLooked = Object.values(loadBalancers ?? {})[0]?.at;
  if (
    mode === "converge" &&
    (observed.lb || observed.addonLbs.length) &&
    (!lbLooked || clusterNow - Date.parse(lbLooked) >= LB_HEALTH_MS)
  ) {
    const h = await lbHealth(cloud, observed, loadBalancers, new Date(clusterNow).toISOString());
    loadBalancers = h.health;
    for (const e of h.events) event(e.type, e.reason, e.kind, e.name, e.message);
  }
  const autoActions: Action[] = autoscale?.actions ?? [];
  for (const e of autoscale?.events ?? []) event(e.type, e.reason, e.kind, e.name, e.message);
  const allActions = [...runnable, ...prune, ...lifecycleActions, ...kubeActions, ...autoActions];
  const results = await runAll(allActions);
  for (const r of results) {
    if (r.error) continue;
    if (r.action.event)
      event(
        lifecycleActions.includes(r.action) || kubeActions.includes(r.action) ? "Normal" : "Warning",
        r.action.event.reason,
        r.action.event.kind,
        r.action.event.name,
        r.action.label,
      );
    else event("Normal", "StepDone", "Cluster", cluster.name, r.action.label);
  }
  const errors = results
    .filter((r) => r.error && !(r.error instanceof NotFound))
    .map((r) => ({ step: r.action.label, ...classify(r.error) }));
  if (lifecycle.failure)
    errors.unshift({
      step: `Upgrade ${lifecycle.failure.node}`,
      terminal: true,
      message: lifecycle.failure.message,
    });
  const terminal = errors.find((e) => e.terminal) ?? null;
  const drainBlocked = results.find((r) => r.error instanceof DrainBlocked);
  // Servers still going away (scale-down, removed groups) mean the cloud has not caught up yet.
  const settling = [...observed.servers.values()].some((s) => s.taskState === "deleting");
  // Node state changes become events (the dashboards draw them).
  const flavorName = (f: string | null) =>
    catalog.flavors.find((x) => x.id === f || x.name === f)?.name ?? f ?? "";
  const before = new Map(cluster.status.nodes.map((x) => [x.name, x.state]));
  // While the console still expects the API to answer, a node its kubelet has not reported Ready is
  // still installing (not Ready from Nova's view alone, which would later read as NotReady).
  const apiPending = apiForConsole && apiWaitLeft;
  const nodes = nodesOf(observed, flavorName).map((node) => {
    const k = kubeNodes?.get(node.name);
    if (!k) {
      const was = before.get(node.name);
      return apiPending && node.state === "Ready" && (was === undefined || was === "Installing")
        ? { ...node, state: "Installing" }
        : node;
    }
    let state = node.state;
    if (node.state === "Ready" && !k.ready)
      state = before.get(node.name) === "Installing" || !before.has(node.name) ? "Installing" : "NotReady";
    if (state === "Ready" && k.unschedulable)
      state =
        upgradeStatus?.nodes[node.name]?.state === "draining" ||
        autoscale?.status.removing?.node === node.name
          ? "Draining"
          : "Cordoned";
    return { ...node, state, version: k.kubeletVersion.replace(/^v/, "") };
  });
  for (const node of nodes) {
    const was = before.get(node.name);
    if (was !== node.state)
      event(
        node.state === "NotReady" ? "Warning" : "Normal",
        node.state,
        "Node",
        node.name,
        was ? `${was} → ${node.state}` : `${node.state} (${node.zone}, ${node.flavor})`,
      );
  }
  for (const [name, state] of before)
    if (!nodes.some((x) => x.name === name))
      event("Normal", "Terminated", "Node", name, `${state} → Terminated`);

  // An operation is done once the Kubernetes API answers too (for up to API_WAIT_MS; a cluster whose API
  // never answers still converges, with a warning, rather than hanging its operation).
  const apiExpected =
    apiForConsole && publicAddress !== null && anyMasterUp && observed.lb?.provisioningStatus === "ACTIVE";
  const waitingForApi = apiExpected && apiWaitLeft;
  if (apiExpected && kubeNodes === null && op !== null && !apiWaitLeft)
    event(
      "Warning",
      "APIUnreachable",
      "Cluster",
      cluster.name,
      `The Kubernetes API at https://${publicAddress}:6443 does not answer the console`,
    );
  const converged =
    mode === "stop"
      ? lifecycle.done && lifecycleActions.length === 0 && errors.length === 0
      : mode === "converge" &&
        !pki.rotationStartedAt &&
        lifecycleActions.length === 0 &&
        steps.every((s) => s.state === "done") &&
        prune.length === 0 &&
        runnable.length === 0 &&
        errors.length === 0 &&
        !settling &&
        // Kubelets that have not reported Ready yet: keep looking (a node that later goes NotReady does not hold this).
        !nodes.some((n) => n.state === "Installing") &&
        !waitingForApi &&
        kubeActions.length === 0 &&
        autoActions.length === 0 &&
        // Addons installed and policies applied, unless the console cannot reach the API.
        (addonPlan === null || addonPlan.settled || !apiForConsole || kubeNodes === null);
  // Addon pods starting or Gatekeeper's first audit: look again soon, if a worker can run them.
  const warming =
    addonPlan?.warming === true && [...(kubeNodes?.values() ?? [])].some((n) => n.ready && !n.controlPlane);

  // The load balancer's and the volumes' state changes are events too (the LB-health dashboard draws them).
  const resources: Record<string, string> = {};
  if (observed.lb)
    resources[`LoadBalancer:${observed.lb.name}`] =
      `${observed.lb.provisioningStatus}/${observed.lb.operatingStatus}`;
  for (const x of observed.addonLbs)
    resources[`LoadBalancer:${x.lb.name}`] = `${x.lb.provisioningStatus}/${x.lb.operatingStatus}`;
  for (const v of observed.volumes.values()) resources[`Volume:${v.name}`] = v.status;
  const seen = cluster.status.resources ?? {};
  for (const [key, state] of Object.entries(resources)) {
    if (seen[key] === state) continue;
    const [kind, name] = key.split(/:(.*)/s) as [string, string];
    const bad = /ERROR|DEGRADED|OFFLINE|error/.test(state) && !/PENDING_CREATE/.test(state);
    event(
      bad ? "Warning" : "Normal",
      kind === "LoadBalancer" ? "LoadBalancerStatus" : "VolumeStatus",
      kind,
      name,
      seen[key] ? `${seen[key]} → ${state}` : state,
    );
  }
  if (drainBlocked && !cluster.status.lastError?.message.startsWith("Draining"))
    event(
      "Warning",
      "DrainBlocked",
      "Node",
      (drainBlocked.error as DrainBlocked).node,
      (drainBlocked.error as Error).message,
    );

  const lbAddress = observed.floatingIp?.address ?? observed.lb?.vipAddress ?? null;
  const nowIso = now.toISOString();
  const everRunning = cluster.observedGeneration > 0;
  const phase =
    mode === "stop"
      ? converged
        ? "Stopped"
        : "Stopping"
      : mode === "start"
        ? "Starting"
        : mode === "upgrade"
          ? "Upgrading"
          : phaseOf({
              deleting: false,
              terminalError: terminal !== null,
              // Without an operation, a running cluster stays Running while it heals or autoscales itself.
              converged: converged || (op === null && everRunning && mode === "converge"),
              everRunning,
              current: cluster.phase,
            });
  const pendingStep = steps.find((s) => s.state !== "done");
  const status: ClusterStatus = {
    apiEndpoint: lbAddress ? `https://${lbAddress}:6443` : null,
    apiAddress: lbAddress,
    nodes,
    resources,
    upgrade: upgradeStatus,
    cordonedByStop,
    workload,
    caRotation,
    addons: addonPlan ? addonPlan.addons : prevStatus.addons,
    kubeSync:
      addonPlan?.settled && !addonPlan.warming && kubeNodes !== null
        ? { generation: cluster.generation, at: nowIso }
        : prevStatus.kubeSync,
    policies: addonPlan ? addonPlan.policies : prevStatus.policies,
    autoscaler: autoscale?.status ?? prevStatus.autoscaler,
    health: autoscale?.health ?? prevStatus.health,
    loadBalancers,
    lastError: errors[0]
      ? {
          step: (terminal ?? errors[0]).step,
          message: (terminal ?? errors[0]).message,
          at: nowIso,
          attempts: (op?.attempts ?? 0) + 1,
          terminal: terminal !== null,
        }
      : null,
  };
  const stepsTotal = mode === "converge" ? steps.length : Math.max(1, liveServers.length);
  const stepsDone =
    mode === "converge"
      ? steps.filter((s) => s.state === "done").length
      : mode === "upgrade"
        ? Object.values(upgradeStatus?.nodes ?? {}).filter((n) => n.state === "done").length
        : mode === "stop"
          ? liveServers.filter((s) => s.status === "SHUTOFF").length
          : liveServers.filter((s) => s.status === "ACTIVE" && kubeNodes?.get(s.name)?.ready).length;
  const currentStep =
    lifecycle.waiting ??
    runnable[0]?.label ??
    prune[0]?.label ??
    pendingStep?.label ??
    kubeActions[0]?.label ??
    (addonPlan && !addonPlan.settled
      ? (Object.entries(addonPlan.addons).find(([, a]) => a.phase !== "Installed")?.[1].message ?? null)
      : null);

  await db.transaction(async (tx) => {
    await tx
      .update(clusters)
      .set({
        phase,
        conditions:
          mode === "converge" || mode === "upgrade"
            ? conditionsFrom(steps, cluster.conditions, nowIso)
            : cluster.conditions,
        status,
        updatedAt: now,
        ...(converged ? { observedGeneration: cluster.generation } : {}),
      })
      .where(eq(clusters.id, cluster.id));
    if (op) {
      await tx
        .update(operations)
        .set(
          converged
            ? {
                status: "succeeded",
                stepsDone: stepsTotal,
                stepsTotal,
                currentStep: null,
                error: null,
                finishedAt: now,
              }
            : terminal
              ? {
                  status: "failed",
                  stepsDone: Math.min(stepsDone, stepsTotal),
                  stepsTotal,
                  currentStep: terminal.step,
                  error: terminal.message,
                  attempts: op.attempts + 1,
                  finishedAt: now,
                }
              : {
                  status: "running",
                  stepsDone: Math.min(stepsDone, stepsTotal),
                  stepsTotal,
                  currentStep,
                  error: errors[0]?.message ?? null,
                  attempts: errors.length ? op.attempts + 1 : op.attempts,
                },
        )
        .where(eq(operations.id, op.id));
    }
    if (events.length) await tx.insert(clusterEvents).values(events);
  });

  return {
    converged,
    requeueAfterMs:
      converged && warming
        ? WARMING_MS
        : converged && autoscale && liveServers.some((s) => s.tags.includes("kc-role=worker"))
          ? AUTOSCALE_SCAN_MS
          : converged || terminal
            ? null
            : errors.length
              ? backoff(op?.attempts ?? 0)
              : allActions.length > 0
                ? PROGRESS_MS
                : POLL_MS,
    actions: allActions.map((a) => a.label),
  };
}

function countResources(o: Observed): number {
  return (
    [o.network, o.subnet, o.router, o.lb, o.floatingIp].filter(Boolean).length +
    o.addonLbs.length +
    o.addonFips.length +
    o.secGroups.size +
    o.serverGroups.size +
    o.ports.size +
    o.servers.size +
    o.volumes.size
  );
}

/** Exponential backoff with a cap: 2 s, 4 s, 8 s … 60 s. */
export function backoff(attempts: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.min(attempts, 5));
}

async function recordError(
  db: Db,
  clusterId: string,
  opId: string | null,
  step: string,
  message: string,
  terminal: boolean,
  prev: ClusterStatus,
  now: Date,
) {
  await db.transaction(async (tx) => {
    const [op] = opId ? await tx.select().from(operations).where(eq(operations.id, opId)) : [];
    await tx
      .update(clusters)
      .set({
        ...(terminal ? { phase: "Error" as const } : {}),
        status: {
          ...prev,
          lastError: { step, message, at: now.toISOString(), attempts: (op?.attempts ?? 0) + 1, terminal },
        },
        updatedAt: now,
      })
      .where(eq(clusters.id, clusterId));
    if (op)
      await tx
        .update(operations)
        .set({
          attempts: op.attempts + 1,
          error: message,
          currentStep: step,
          ...(terminal ? { status: "failed" as const, finishedAt: now } : {}),
        })
        .where(eq(operations.id, op.id));
    await tx.insert(clusterEvents).values({
      clusterId,
      type: "Warning",
      reason: terminal ? "Failed" : "Retrying",
      objectKind: "Cluster",
      objectName: step,
      message,
    });
  });
}
