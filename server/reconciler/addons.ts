import { createHash } from "node:crypto";
import type { AddonStatus, ClusterStatus, PolicyStatus } from "@/db/schema";
import type { ClusterSpec } from "@/server/contracts/cluster";
import {
  addonEntry,
  addonResources,
  addonWorkloads,
  checkValues,
  type AddonEntry,
} from "@/server/domain/addons";
import {
  constraintManifest,
  LIBRARY_TEMPLATES,
  parseTemplateYaml,
  templatesOf,
} from "@/server/domain/policies";
import type { KubeClient } from "@/server/kube/client";
import type { OpenStackCloud } from "@/server/openstack";
import { clusterTag, META_CLUSTER } from "./names";
import { ADDON_TAG, addonOf, type AddonLb, type Observed } from "./observe";
import type { Step } from "./steps";

/**
 * Addons and Gatekeeper, in two halves. Cloud side (steps in the cluster's
 * graph): the load balancers and volumes an addon's values ask for, named
 * `<cluster>-<addon>-<resource>` and tagged with the cluster and
 * `kc-addon=<id>`, so they are found again and removed with the addon or
 * the cluster. Kubernetes side (when the API answers): one release
 * ConfigMap per addon (kube-system/kc-addon-<id>) carrying the rendered
 * workloads, then Gatekeeper's templates and constraints, each stamped
 * with the hash of what was applied so a repeat pass changes nothing.
 */

export const GATEKEEPER = {
  id: "gatekeeper",
  namespace: "gatekeeper-system",
  version: "3.20.1",
  deployments: [
    { name: "gatekeeper-controller-manager", replicas: 2, cpuMilli: 100, memoryMi: 256 },
    { name: "gatekeeper-audit", replicas: 1, cpuMilli: 100, memoryMi: 256 },
  ],
} as const;

const hash = (v: unknown) => createHash("sha256").update(JSON.stringify(v)).digest("hex").slice(0, 16);

export const addonLbName = (cluster: string, addon: string, resource: string) =>
  `${cluster}-${addon}-${resource}`;
export const addonVolumeName = (cluster: string, addon: string, resource: string) =>
  `${cluster}-${addon}-${resource}`;

interface Wanted {
  id: string;
  entry: AddonEntry;
  version: string;
  values: Record<string, unknown>;
}

/** The addons the spec wants, with parsed values (invalid ones were refused at the API). */
export function wantedAddons(spec: ClusterSpec): Wanted[] {
  const out: Wanted[] = [];
  for (const a of spec.addons ?? []) {
    const entry = addonEntry(a.id);
    const values = entry ? checkValues(entry, a.values).value : null;
    if (entry && values) out.push({ id: a.id, entry, version: a.version, values });
  }
  return out;
}

// ── cloud side ──────────────────────────────────────────────────────────────────

export function addonSteps(args: {
  cloud: OpenStackCloud;
  cluster: { id: string; name: string; spec: ClusterSpec };
  observed: Observed;
  netDeps: string[];
  subnetId: () => string;
}): Step[] {
  const { cloud, cluster, observed: o } = args;
  const steps: Step[] = [];
  const workers = [...o.servers.values()]
    .filter((s) => s.tags.includes("kc-role=worker") && s.taskState !== "deleting")
    .map((s) => ({ name: s.name, ip: o.ports.get(s.name)?.fixedIps[0]?.ipAddress ?? null }))
    .filter((w): w is { name: string; ip: string } => w.ip !== null)
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const a of wantedAddons(cluster.spec)) {
    const tags = [clusterTag(cluster.id), `${ADDON_TAG}${a.id}`];
    const { loadBalancers, volumes } = addonResources(a.entry, a.values);
    for (const r of loadBalancers) {
      const name = addonLbName(cluster.name, a.id, r.name);
      const key = `addon:${a.id}:${r.name}`;
      const x: AddonLb | undefined = o.addonLbs.find((l) => l.lb.name === name);
      const lb = x?.lb;
      steps.push({
        key: `${key}:lb`,
        label: `Create load balancer ${name} for ${a.entry.name}`,
        deps: args.netDeps,
        state: !lb ? "missing" : lb.provisioningStatus === "ACTIVE" ? "done" : "pending",
        run: () =>
          cloud.loadBalancer.createLoadBalancer({
            name,
            vipSubnetId: args.subnetId(),
            description: `${a.entry.name} of ${cluster.name}`,
            tags,
          }),
      });
      for (const l of r.listeners) {
        const child = `${name}-${l.port}`;
        const listener = x?.listeners.find((y) => y.name === child);
        const pool = x?.pools.find((y) => y.name === child);
        const protocol = r.proxyProtocol ? "PROXY" : "TCP";
        const st = (p: string | undefined) => (!p ? "missing" : p === "ACTIVE" ? "done" : "pending");
        steps.push({
          key: `${key}:listener:${l.port}`,
          label: `Create TCP ${l.port} listener on ${name}`,
          deps: [`${key}:lb`],
          lbMutation: true,
          lbKey: name,
          state: st(listener?.provisioningStatus),
          run: () =>
            cloud.loadBalancer.createListener({
              name: child,
              loadBalancerId: lb!.id,
              protocol: "TCP",
              port: l.port,
              tags,
            }),
        });
        // The PROXY protocol is a property of the pool: switching it replaces the pool.
        const wrongProtocol = pool !== undefined && pool.protocol !== protocol;
        steps.push({
          key: `${key}:pool:${l.port}`,
          label: wrongProtocol
            ? `Replace pool ${child} (${pool.protocol} → ${protocol})`
            : `Create ${protocol} pool ${child} (NodePort ${l.nodePort})`,
          deps: [`${key}:listener:${l.port}`],
          lbMutation: true,
          lbKey: name,
          state: wrongProtocol ? "missing" : st(pool?.provisioningStatus),
          run: () =>
            wrongProtocol
              ? cloud.loadBalancer.deletePool(pool.id)
              : cloud.loadBalancer.createPool({ name: child, listenerId: listener!.id, protocol, tags }),
        });
        const members = (pool && x?.members.get(pool.id)) ?? [];
        const same =
          members.length === workers.length &&
          workers.every((w) => members.some((m) => m.address === w.ip && m.protocolPort === l.nodePort));
        steps.push({
          key: `${key}:members:${l.port}`,
          label: `Point ${child} at ${workers.length} worker${workers.length === 1 ? "" : "s"} on NodePort ${l.nodePort}`,
          deps: [`${key}:pool:${l.port}`],
          lbMutation: true,
          lbKey: name,
          state: !same
            ? "missing"
            : members.every((m) => m.provisioningStatus === "ACTIVE")
              ? "done"
              : "pending",
          run: () =>
            cloud.loadBalancer.setMembers(
              pool!.id,
              workers.map((w) => ({
                name: w.name,
                address: w.ip,
                port: l.nodePort,
                subnetId: args.subnetId(),
                tags,
              })),
            ),
        });
        const monitor = pool ? x?.monitors.find((m) => m.id === pool.healthMonitorId) : undefined;
        steps.push({
          key: `${key}:hm:${l.port}`,
          label: `Create health monitor for ${child}`,
          deps: [`${key}:pool:${l.port}`],
          lbMutation: true,
          lbKey: name,
          state: st(monitor?.provisioningStatus),
          run: () =>
            cloud.loadBalancer.createHealthMonitor({
              name: child,
              poolId: pool!.id,
              type: "TCP",
              delay: 5,
              timeout: 3,
              maxRetries: 3,
              tags,
            }),
        });
      }
      const fip = o.addonFips.find((f) => addonOf(f.tags) === a.id);
      if (r.public) {
        steps.push({
          key: `${key}:fip`,
          label: `Allocate a public address for ${a.entry.name}`,
          deps: args.netDeps.length ? ["router-interface"] : [],
          state: fip ? "done" : "missing",
          run: () => {
            if (!o.externalNetwork) throw new Error("The cloud has no external network for a public address");
            return cloud.network.createFloatingIp({
              networkId: o.externalNetwork.id,
              description: `${name} (${a.entry.name})`,
              tags,
            });
          },
        });
        steps.push({
          key: `${key}:fip-associate`,
          label: `Point ${fip?.address ?? "the public address"} at ${name}`,
          deps: [`${key}:lb`, `${key}:fip`],
          state: fip && lb && fip.portId === lb.vipPortId ? "done" : "missing",
          run: () => cloud.network.associateFloatingIp(fip!.id, lb!.vipPortId),
        });
      }
    }
    for (const v of volumes) {
      const name = addonVolumeName(cluster.name, a.id, v.name);
      const vol = o.volumes.get(name);
      const grow = vol && vol.sizeGb < v.sizeGb && vol.status === "available";
      steps.push({
        key: `addon:${a.id}:volume:${v.name}`,
        label: grow
          ? `Extend ${name} to ${v.sizeGb} GB`
          : `Create ${v.sizeGb} GB volume ${name} for ${a.entry.name}`,
        deps: [],
        state:
          !vol || grow
            ? "missing"
            : vol.status === "creating" || vol.status === "extending"
              ? "pending"
              : "done",
        run: () =>
          grow
            ? cloud.blockStorage.extendVolume(vol.id, v.sizeGb)
            : cloud.blockStorage.createVolume({
                name,
                sizeGb: v.sizeGb,
                volumeType: v.volumeType,
                availabilityZone: cluster.spec.masterZone,
                metadata: { [META_CLUSTER]: cluster.id, "kc-addon": a.id, "kc-role": "addon-volume" },
                description: `${a.entry.name} data of ${cluster.name}`,
              }),
      });
    }
  }
  return steps;
}

/** Cloud resources of addons the spec no longer wants (or resources an addon's values dropped). */
export function addonPruneActions(
  cloud: OpenStackCloud,
  cluster: { name: string; spec: ClusterSpec },
  o: Observed,
): Array<{
  label: string;
  run: () => Promise<unknown>;
  event: { reason: string; kind: string; name: string };
}> {
  const lbNames = new Set<string>();
  const fipAddons = new Set<string>();
  const volNames = new Set<string>();
  for (const a of wantedAddons(cluster.spec)) {
    const { loadBalancers, volumes } = addonResources(a.entry, a.values);
    for (const r of loadBalancers) {
      lbNames.add(addonLbName(cluster.name, a.id, r.name));
      if (r.public) fipAddons.add(a.id);
    }
    for (const v of volumes) volNames.add(addonVolumeName(cluster.name, a.id, v.name));
  }
  const out: ReturnType<typeof addonPruneActions> = [];
  for (const f of o.addonFips)
    if (!fipAddons.has(addonOf(f.tags) ?? ""))
      out.push({
        label: `Release ${f.address} (addon ${addonOf(f.tags)})`,
        run: () => cloud.network.deleteFloatingIp(f.id),
        event: { reason: "AddonResourceRemoved", kind: "FloatingIP", name: f.address },
      });
  for (const x of o.addonLbs)
    if (
      !lbNames.has(x.lb.name) &&
      (x.lb.provisioningStatus === "ACTIVE" || x.lb.provisioningStatus === "ERROR")
    )
      out.push({
        label: `Delete load balancer ${x.lb.name} (addon ${x.addon})`,
        run: () => cloud.loadBalancer.deleteLoadBalancer(x.lb.id, true),
        event: { reason: "AddonResourceRemoved", kind: "LoadBalancer", name: x.lb.name },
      });
  for (const v of o.volumes.values())
    if (v.metadata["kc-addon"] && !volNames.has(v.name) && ["available", "error"].includes(v.status))
      out.push({
        label: `Delete volume ${v.name} (addon ${v.metadata["kc-addon"]})`,
        run: () => cloud.blockStorage.deleteVolume(v.id),
        event: { reason: "AddonResourceRemoved", kind: "Volume", name: v.name },
      });
  return out;
}

/** What each addon's cloud resources look like, for its card ("LB 203.0.113.7 (ACTIVE/ONLINE)"). */
function resourceSummary(o: Observed, id: string): string[] {
  const out: string[] = [];
  for (const x of o.addonLbs.filter((l) => l.addon === id)) {
    const fip = o.addonFips.find((f) => addonOf(f.tags) === id);
    out.push(
      `Load balancer ${x.lb.name} ${fip ? `${fip.address} → ` : ""}${x.lb.vipAddress} (${x.lb.provisioningStatus}/${x.lb.operatingStatus})`,
    );
  }
  for (const v of o.volumes.values())
    if (v.metadata["kc-addon"] === id) out.push(`Volume ${v.name} ${v.sizeGb} GB (${v.status})`);
  return out;
}

// ── Kubernetes side ─────────────────────────────────────────────────────────────

/** How long a clean sync of releases and Gatekeeper objects is trusted before the cluster is read again. */
export const KUBE_SYNC_MS = 60_000;

/**
 * Whether the last pass found the cluster's releases and Gatekeeper objects
 * matching this generation, recently, with nothing still starting: then a
 * pass need not read them again (the periodic resync does, once a minute,
 * which also refreshes the audit and repairs drift).
 */
export function kubeSyncFresh(prev: ClusterStatus, generation: number, now: Date): boolean {
  const s = prev.kubeSync;
  if (!s || s.generation !== generation || now.getTime() - new Date(s.at).getTime() >= KUBE_SYNC_MS)
    return false;
  const addonsSettled = Object.values(prev.addons ?? {}).every((a) => a.phase === "Installed");
  const p = prev.policies;
  const policiesSettled =
    !p ||
    p.gatekeeper === "Off" ||
    (p.gatekeeper === "Ready" &&
      !p.error &&
      Object.values(p.constraints).every(
        (c) =>
          c.state !== "Pending" && (c.state !== "Enforced" || c.totalViolations !== null || c.auditError),
      ));
  return addonsSettled && policiesSettled;
}

interface Release {
  id: string;
  namespace: string;
  hash: string;
  data: Record<string, string>;
  deployments: Array<{ name: string; replicas: number }>;
}

function releasesOf(spec: ClusterSpec): Release[] {
  const out: Release[] = [];
  for (const a of wantedAddons(spec)) {
    const v = a.entry.versions.find((x) => x.version === a.version);
    const workloads = addonWorkloads(a.entry, a.values);
    const repo = a.entry.imageRepo ?? "registry.k8s.io";
    const { loadBalancers } = addonResources(a.entry, a.values);
    const manifest = {
      namespace: a.entry.namespace,
      deployments: workloads.map((w) => ({
        ...w,
        image: `${repo}/${w.name}:v${v?.appVersion ?? a.version}`,
      })),
      services: loadBalancers.map((lb) => ({
        name: `${a.id}-${lb.name}`,
        type: "LoadBalancer" as const,
        ports: lb.listeners.map((l) => ({ port: l.port, nodePort: l.nodePort })),
      })),
    };
    const data = {
      chart: a.id,
      version: a.version,
      appVersion: v?.appVersion ?? "",
      namespace: a.entry.namespace,
      "values.yaml": (spec.addons ?? []).find((x) => x.id === a.id)?.values ?? "",
      "manifest.json": JSON.stringify(manifest),
    };
    out.push({ id: a.id, namespace: a.entry.namespace, hash: hash(data), data, deployments: workloads });
  }
  if (spec.policies?.gatekeeper) {
    const manifest = {
      namespace: GATEKEEPER.namespace,
      deployments: GATEKEEPER.deployments.map((d) => ({
        ...d,
        image: `docker.io/openpolicyagent/gatekeeper:v${GATEKEEPER.version}`,
      })),
      services: [],
    };
    const data = {
      chart: "gatekeeper",
      version: GATEKEEPER.version,
      appVersion: GATEKEEPER.version,
      namespace: GATEKEEPER.namespace,
      "values.yaml": "auditInterval: 60\nconstraintViolationsLimit: 20\n",
      "manifest.json": JSON.stringify(manifest),
    };
    out.push({
      id: GATEKEEPER.id,
      namespace: GATEKEEPER.namespace,
      hash: hash(data),
      data,
      deployments: GATEKEEPER.deployments.map((d) => ({ name: d.name, replicas: d.replicas })),
    });
  }
  return out;
}

export interface KubeAddonPlan {
  actions: Array<{
    label: string;
    run: () => Promise<unknown>;
    event?: { reason: string; kind: string; name: string };
  }>;
  /** Releases, cloud resources and Gatekeeper objects match the intent (pods may still be starting). */
  settled: boolean;
  /** Applied, but pods are not ready or Gatekeeper has not audited yet: look again soon. */
  warming: boolean;
  addons: Record<string, AddonStatus>;
  policies: PolicyStatus | undefined;
}

/**
 * Releases to write or remove, addon status from the cloud steps and the
 * workloads' readiness, and Gatekeeper's templates and constraints with
 * their audit results. `kube` null: the API does not answer (yet).
 */
export async function kubeAddonPlan(args: {
  kube: KubeClient | null;
  cluster: { name: string; spec: ClusterSpec };
  observed: Observed;
  steps: Step[];
  stepErrors: Map<string, string>;
  prev: ClusterStatus;
  now: Date;
}): Promise<KubeAddonPlan> {
  const { kube, cluster, observed: o, now } = args;
  const spec = cluster.spec;
  const nowIso = now.toISOString();
  const prevAddons = args.prev.addons ?? {};
  const wanted = releasesOf(spec);
  const actions: KubeAddonPlan["actions"] = [];
  const addons: Record<string, AddonStatus> = {};
  let settled = true;
  let warming = false;

  let observedReleases: Map<string, string> | null = null;
  let readiness = new Map<string, boolean>();
  if (kube) {
    try {
      observedReleases = new Map((await kube.listReleases()).map((r) => [r.id, r.hash]));
      const namespaces = [...new Set(wanted.map((w) => w.namespace))];
      const lists = await Promise.all(
        namespaces.map(async (ns) => [ns, await kube.deploymentsIn(ns)] as const),
      );
      const byNs = new Map(lists);
      readiness = new Map(
        wanted.map((w) => [
          w.id,
          w.deployments.every((d) => {
            const found = byNs.get(w.namespace)?.find((x) => x.name === d.name);
            return found !== undefined && found.ready >= d.replicas;
          }),
        ]),
      );
    } catch {
      observedReleases = null;
    }
  }

  const since = (id: string, phase: AddonStatus["phase"]) =>
    prevAddons[id]?.phase === phase ? prevAddons[id]!.since : nowIso;
  for (const w of wanted) {
    const cloudSteps = args.steps.filter((s) => s.key.startsWith(`addon:${w.id}:`));
    const cloudDone = cloudSteps.every((s) => s.state === "done");
    const errorStep = cloudSteps.find((s) => args.stepErrors.has(s.label));
    // The release itself failing to apply, or a load balancer Octavia put in ERROR.
    const releaseError = [...args.stepErrors].find(
      ([label]) => label.startsWith(`Install ${w.id} `) || label.startsWith(`Update ${w.id} `),
    );
    const brokenLb = o.addonLbs.find((x) => x.addon === w.id && x.lb.provisioningStatus === "ERROR");
    const applied = observedReleases?.get(w.id) === w.hash;
    if (observedReleases && !applied)
      actions.push({
        label: `${observedReleases.has(w.id) ? "Update" : "Install"} ${w.id} ${w.data.version}`,
        run: () => kube!.putRelease(w.id, w.hash, w.data),
        event: {
          reason: observedReleases.has(w.id) ? "AddonUpdated" : "AddonInstalling",
          kind: "Addon",
          name: w.id,
        },
      });
    const ready = applied && cloudDone && readiness.get(w.id) === true;
    if (!applied || !cloudDone) settled = false;
    else if (!ready) warming = true;
    if (w.id === GATEKEEPER.id) continue;
    const failed = errorStep ?? releaseError ?? brokenLb;
    const phase: AddonStatus["phase"] = failed ? "Failed" : ready ? "Installed" : "Installing";
    addons[w.id] = {
      phase,
      version: w.data.version ?? "",
      message: errorStep
        ? `${errorStep.label}: ${args.stepErrors.get(errorStep.label)}`
        : releaseError
          ? `${releaseError[0]}: ${releaseError[1]}`
          : brokenLb
            ? `Load balancer ${brokenLb.lb.name} is in ERROR; uninstall and install the addon again to replace it`
            : !kube
              ? "Waiting for the Kubernetes API"
              : !cloudDone
                ? (cloudSteps.find((s) => s.state !== "done")?.label ?? null)
                : !applied
                  ? "Applying the release"
                  : !ready
                    ? "Waiting for its pods to be ready"
                    : null,
      since: since(w.id, phase),
      resources: resourceSummary(o, w.id),
    };
  }
  // Releases and resources the spec no longer wants: Removing until both are gone.
  const wantedIds = new Set(wanted.map((w) => w.id));
  const leftovers = new Set<string>([
    ...[...(observedReleases?.keys() ?? [])].filter((id) => !wantedIds.has(id)),
    ...o.addonLbs.map((x) => x.addon).filter((id) => !wantedIds.has(id)),
    ...o.addonFips.map((f) => addonOf(f.tags) ?? "").filter((id) => id && !wantedIds.has(id)),
    ...[...o.volumes.values()]
      .map((v) => v.metadata["kc-addon"] ?? "")
      .filter((id) => id && !wantedIds.has(id)),
  ]);
  if (!observedReleases)
    for (const id of Object.keys(prevAddons))
      if (!wantedIds.has(id) && prevAddons[id]?.phase === "Removing") leftovers.add(id);
  for (const id of leftovers) {
    settled = false;
    if (observedReleases?.has(id))
      actions.push({
        label: `Uninstall ${id}`,
        run: () => kube!.deleteRelease(id),
        event: { reason: "AddonRemoving", kind: "Addon", name: id },
      });
    if (id === GATEKEEPER.id) continue;
    addons[id] = {
      phase: "Removing",
      version: prevAddons[id]?.version ?? "",
      message: "Removing its workloads and cloud resources",
      since: since(id, "Removing"),
      resources: resourceSummary(o, id),
    };
  }

  // ── Gatekeeper objects and audit ───────────────────────────────────────────
  let policies: PolicyStatus | undefined = args.prev.policies;
  const gkWanted = spec.policies?.gatekeeper ?? false;
  const gkReady = observedReleases?.get(GATEKEEPER.id) !== undefined && readiness.get(GATEKEEPER.id) === true;
  if (!gkWanted) {
    policies = {
      at: nowIso,
      gatekeeper: observedReleases?.has(GATEKEEPER.id) ? "Removing" : "Off",
      constraints: {},
    };
  } else if (!kube || !observedReleases) {
    policies = { ...(args.prev.policies ?? { constraints: {} }), at: nowIso, gatekeeper: "Unreachable" };
  } else if (!gkReady) {
    warming = true;
    policies = { at: nowIso, gatekeeper: "Installing", constraints: args.prev.policies?.constraints ?? {} };
  } else {
    try {
      const r = await gatekeeperPlan(kube, spec, nowIso);
      actions.push(...r.actions);
      if (r.actions.length) settled = false;
      if (
        Object.values(r.status.constraints).some(
          (c) => c.state === "Enforced" && c.totalViolations === null && !c.auditError,
        )
      )
        warming = true;
      policies = r.status;
    } catch (err) {
      settled = false;
      policies = {
        ...(args.prev.policies ?? { constraints: {} }),
        at: nowIso,
        gatekeeper: "Ready",
        error: err instanceof Error ? err.message : String(err),
      };
    }
  }
  return { actions, settled, warming, addons, policies };
}

async function gatekeeperPlan(kube: KubeClient, spec: ClusterSpec, nowIso: string) {
  const actions: KubeAddonPlan["actions"] = [];
  const templates = [
    ...LIBRARY_TEMPLATES,
    ...spec.policies.templates.map((t) => parseTemplateYaml(t).template).filter((t) => t !== null),
  ];
  const known = templatesOf(spec.policies);
  const observedTemplates = (await kube.listTemplates()) ?? [];
  const tplByName = new Map(observedTemplates.map((t) => [t.name, t]));
  const wantedNames = new Set<string>();
  for (const t of templates) {
    wantedNames.add(t.name);
    const h = hash(t.manifest);
    if (tplByName.get(t.name)?.hash !== h)
      actions.push({
        label: `Apply constraint template ${t.kind}`,
        run: () => kube.applyGatekeeper(t.manifest, h),
      });
  }
  for (const t of observedTemplates)
    if (t.managed && !wantedNames.has(t.name))
      actions.push({
        label: `Delete constraint template ${t.kind}`,
        run: () => kube.deleteGatekeeper("ConstraintTemplate", t.name),
      });

  const present = new Set(observedTemplates.filter((t) => wantedNames.has(t.name)).map((t) => t.kind));
  const observedConstraints = await kube.listConstraints([...present]);
  const byKey = new Map(observedConstraints.map((c) => [`${c.kind}/${c.name}`, c]));
  const wantedKeys = new Set<string>();
  const constraints: PolicyStatus["constraints"] = {};
  for (const c of spec.policies.constraints) {
    const seen = byKey.get(`${c.kind}/${c.name}`);
    if (!c.enabled || !known.has(c.kind)) {
      constraints[c.name] = {
        state: c.enabled ? "Pending" : "Disabled",
        totalViolations: null,
        violations: [],
        auditTimestamp: null,
        auditError: null,
      };
      continue;
    }
    wantedKeys.add(`${c.kind}/${c.name}`);
    const manifest = constraintManifest(c);
    const h = hash(manifest);
    const current = seen?.hash === h;
    if (!current && present.has(c.kind))
      actions.push({
        label: `${seen ? "Update" : "Create"} constraint ${c.name} (${c.enforcementAction})`,
        run: () => kube.applyGatekeeper(manifest, h),
        event: { reason: seen ? "ConstraintUpdated" : "ConstraintCreated", kind: c.kind, name: c.name },
      });
    constraints[c.name] = {
      state: current ? "Enforced" : "Pending",
      totalViolations: current ? (seen?.totalViolations ?? null) : null,
      violations: current ? (seen?.violations ?? []) : [],
      auditTimestamp: current ? (seen?.auditTimestamp ?? null) : null,
      auditError: current ? (seen?.auditError ?? null) : null,
    };
  }
  for (const c of observedConstraints)
    if (c.managed && !wantedKeys.has(`${c.kind}/${c.name}`))
      actions.push({
        label: `Delete constraint ${c.name}`,
        run: () => kube.deleteGatekeeper(c.kind, c.name),
        event: { reason: "ConstraintDeleted", kind: c.kind, name: c.name },
      });
  return { actions, status: { at: nowIso, gatekeeper: "Ready" as const, constraints } };
}
