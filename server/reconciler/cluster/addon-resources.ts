import type { ClusterSpec } from "@/server/contracts/cluster";
import { addonEntry, addonResources, checkValues, type AddonEntry } from "@/server/domain/addons";
import type { OpenStackCloud } from "@/server/openstack";
import { clusterTag, META_CLUSTER } from "../names";
import { ADDON_TAG, addonOf, type AddonLb, type Observed } from "./observe";
import type { Action } from "./scope";
import type { Step } from "./steps";

/**
 * Addons' cloud side (steps in the cluster's graph): the load balancers and
 * volumes an addon's values ask for, named `<cluster>-<addon>-<resource>`
 * and tagged with the cluster and `kc-addon=<id>`, so they are found again
 * and removed with the addon or the cluster. The Kubernetes side is the
 * addons phase (phases/addons.ts).
 */

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
      for (const l of r.listeners)
        steps.push(
          ...listenerSteps({
            cloud,
            lbName: name,
            key,
            proxyProtocol: r.proxyProtocol,
            listener: l,
            x,
            tags,
            workers,
            subnetId: args.subnetId,
          }),
        );
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

/** One listener of an addon's load balancer: listener, pool (PROXY or TCP), members on the workers' NodePort, monitor. */
function listenerSteps(args: {
  cloud: OpenStackCloud;
  lbName: string;
  key: string;
  proxyProtocol: boolean;
  listener: { port: number; nodePort: number };
  x: AddonLb | undefined;
  tags: string[];
  workers: Array<{ name: string; ip: string }>;
  subnetId: () => string;
}): Step[] {
  const { cloud, lbName, key, proxyProtocol, listener: l, x, tags, workers, subnetId } = args;
  const out: Step[] = [];
  const child = `${lbName}-${l.port}`;
  const listener = x?.listeners.find((y) => y.name === child);
  const pool = x?.pools.find((y) => y.name === child);
  const protocol = proxyProtocol ? "PROXY" : "TCP";
  const st = (p: string | undefined) => (!p ? "missing" : p === "ACTIVE" ? "done" : "pending");
  out.push({
    key: `${key}:listener:${l.port}`,
    label: `Create TCP ${l.port} listener on ${lbName}`,
    deps: [`${key}:lb`],
    lbMutation: true,
    lbKey: lbName,
    state: st(listener?.provisioningStatus),
    run: () =>
      cloud.loadBalancer.createListener({
        name: child,
        loadBalancerId: x!.lb.id,
        protocol: "TCP",
        port: l.port,
        tags,
      }),
  });
  // The PROXY protocol is a property of the pool: switching it replaces the pool.
  const wrongProtocol = pool !== undefined && pool.protocol !== protocol;
  out.push({
    key: `${key}:pool:${l.port}`,
    label: wrongProtocol
      ? `Replace pool ${child} (${pool.protocol} → ${protocol})`
      : `Create ${protocol} pool ${child} (NodePort ${l.nodePort})`,
    deps: [`${key}:listener:${l.port}`],
    lbMutation: true,
    lbKey: lbName,
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
  out.push({
    key: `${key}:members:${l.port}`,
    label: `Point ${child} at ${workers.length} worker${workers.length === 1 ? "" : "s"} on NodePort ${l.nodePort}`,
    deps: [`${key}:pool:${l.port}`],
    lbMutation: true,
    lbKey: lbName,
    state: !same ? "missing" : members.every((m) => m.provisioningStatus === "ACTIVE") ? "done" : "pending",
    run: () =>
      cloud.loadBalancer.setMembers(
        pool!.id,
        workers.map((w) => ({
          name: w.name,
          address: w.ip,
          port: l.nodePort,
          subnetId: subnetId(),
          tags,
        })),
      ),
  });
  const monitor = pool ? x?.monitors.find((m) => m.id === pool.healthMonitorId) : undefined;
  out.push({
    key: `${key}:hm:${l.port}`,
    label: `Create health monitor for ${child}`,
    deps: [`${key}:pool:${l.port}`],
    lbMutation: true,
    lbKey: lbName,
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
  return out;
}

/** Cloud resources of addons the spec no longer wants (or resources an addon's values dropped). */
export function addonPruneActions(
  cloud: OpenStackCloud,
  cluster: { name: string; spec: ClusterSpec },
  o: Observed,
): Action[] {
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
        event: { type: "Warning", reason: "AddonResourceRemoved", kind: "FloatingIP", name: f.address },
      });
  for (const x of o.addonLbs)
    if (
      !lbNames.has(x.lb.name) &&
      (x.lb.provisioningStatus === "ACTIVE" || x.lb.provisioningStatus === "ERROR")
    )
      out.push({
        label: `Delete load balancer ${x.lb.name} (addon ${x.addon})`,
        run: () => cloud.loadBalancer.deleteLoadBalancer(x.lb.id, true),
        event: { type: "Warning", reason: "AddonResourceRemoved", kind: "LoadBalancer", name: x.lb.name },
      });
  for (const v of o.volumes.values())
    if (v.metadata["kc-addon"] && !volNames.has(v.name) && ["available", "error"].includes(v.status))
      out.push({
        label: `Delete volume ${v.name} (addon ${v.metadata["kc-addon"]})`,
        run: () => cloud.blockStorage.deleteVolume(v.id),
        event: { type: "Warning", reason: "AddonResourceRemoved", kind: "Volume", name: v.name },
      });
  return out;
}

/** What each addon's cloud resources look like, for its card ("LB 203.0.113.7 (ACTIVE/ONLINE)"). */
export function resourceSummary(o: Observed, id: string): string[] {
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
