import type { ClusterSpec } from "@/server/contracts/cluster";
import { addonEntry, addonResources, checkValues, type AddonEntry } from "@/server/domain/addons";
import type { OpenStackCloud } from "@/server/openstack";
import { CSI_META_PVC_NAME, CSI_META_PVC_NAMESPACE, serviceOfLb } from "../names";
import { addonOf, type Observed } from "./observe";
import type { Action } from "./scope";

/**
 * Addons' cloud side: what their charts ask the cluster's cloud controller
 * and Cinder CSI for (a LoadBalancer Service's Octavia load balancer, a
 * claim's volume), followed by where it stands; and the load balancers,
 * addresses and volumes older consoles built for addons themselves, removed
 * once nothing needs them. The Kubernetes side is the addons phase
 * (phases/addons.ts).
 */

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

/** The addon's load balancer as the cluster's cloud controller made it for the chart's Service (in the addon's namespace). */
function serviceLbOf(o: Observed, clusterId: string, namespace: string) {
  return o.serviceLbs.find((x) => serviceOfLb(clusterId, x.lb.name)?.namespace === namespace) ?? null;
}

/**
 * Where an addon's cloud side stands: its chart's LoadBalancer Service has
 * its Octavia load balancer from the cloud controller (ACTIVE, with its
 * address when public). The console makes nothing itself; it waits, by
 * name, and says when it broke. Without cloud integration (a restricted
 * binding) no load balancer can come: nothing to wait for.
 */
export function addonCloudState(
  o: Observed,
  cluster: { id: string },
  a: { entry: AddonEntry; values: Record<string, unknown> },
  cloudUnavailable: string | null,
): { done: boolean; waiting: string | null; failed: string | null } {
  const want = addonResources(a.entry, a.values).loadBalancers[0];
  if (!want || cloudUnavailable) return { done: true, waiting: null, failed: null };
  const x = serviceLbOf(o, cluster.id, a.entry.namespace);
  const svc = `the ${a.entry.name} Service in ${a.entry.namespace}`;
  if (!x)
    return {
      done: false,
      waiting: `Waiting for the cluster's cloud controller to make a load balancer for ${svc}`,
      failed: null,
    };
  if (x.lb.provisioningStatus === "ERROR")
    return {
      done: false,
      waiting: null,
      failed: `Load balancer ${x.lb.name} of ${svc} is in ERROR; the cloud controller retries it`,
    };
  const noAddress = want.public && x.floatingIps.length === 0;
  if (x.lb.provisioningStatus !== "ACTIVE" || noAddress)
    return {
      done: false,
      waiting: `Waiting for load balancer ${x.lb.name} of ${svc} (${x.lb.provisioningStatus}${noAddress ? ", no public address yet" : ""})`,
      failed: null,
    };
  return { done: true, waiting: null, failed: null };
}

/**
 * Load balancers, addresses and volumes older consoles built for addons
 * themselves (tagged `kc-addon=<id>`): an addon's chart now asks the
 * cluster's cloud controller and CSI for them. Make before break: a legacy
 * load balancer and its address go once the addon's Service has its own
 * load balancer serving (or the addon is gone), so the ingress is never
 * without one; its address changes (the new one is on the addon's card).
 * Legacy volumes were never mounted by a chart: they go at once.
 */
export function addonPruneActions(
  cloud: OpenStackCloud,
  cluster: { id: string; name: string; spec: ClusterSpec },
  o: Observed,
): Action[] {
  const wanted = new Map(wantedAddons(cluster.spec).map((a) => [a.id, a]));
  const replaced = (id: string) => {
    const a = wanted.get(id);
    return !a || addonCloudState(o, cluster, a, null).done;
  };
  const out: Action[] = [];
  for (const f of o.addonFips) {
    const id = addonOf(f.tags) ?? "";
    if (replaced(id))
      out.push({
        label: `Release ${f.address} (addon ${id}; replaced by its Service's load balancer)`,
        run: () => cloud.network.deleteFloatingIp(f.id),
        event: { type: "Warning", reason: "AddonResourceRemoved", kind: "FloatingIP", name: f.address },
      });
  }
  for (const x of o.addonLbs)
    if (
      replaced(x.addon) &&
      !o.addonFips.some((f) => f.portId === x.lb.vipPortId) &&
      (x.lb.provisioningStatus === "ACTIVE" || x.lb.provisioningStatus === "ERROR")
    )
      out.push({
        label: `Delete load balancer ${x.lb.name} (addon ${x.addon}; replaced by its Service's)`,
        run: () => cloud.loadBalancer.deleteLoadBalancer(x.lb.id, true),
        event: { type: "Warning", reason: "AddonResourceRemoved", kind: "LoadBalancer", name: x.lb.name },
      });
  for (const v of o.volumes.values())
    if (v.metadata["kc-addon"] && ["available", "error"].includes(v.status))
      out.push({
        label: `Delete volume ${v.name} (addon ${v.metadata["kc-addon"]}; its chart keeps its data on a claim)`,
        run: () => cloud.blockStorage.deleteVolume(v.id),
        event: { type: "Warning", reason: "AddonResourceRemoved", kind: "Volume", name: v.name },
      });
  return out;
}

/** What each addon's cloud resources look like, for its card ("Load balancer … 203.0.113.7 → 10.0.0.5 (ACTIVE/ONLINE)"). */
export function resourceSummary(o: Observed, clusterId: string, id: string): string[] {
  const out: string[] = [];
  const ns = addonEntry(id)?.namespace;
  for (const x of o.serviceLbs) {
    const svc = serviceOfLb(clusterId, x.lb.name);
    if (!ns || !svc || svc.namespace !== ns) continue;
    const fip = x.floatingIps[0];
    out.push(
      `Load balancer ${x.lb.name} for Service ${svc.namespace}/${svc.name}: ${fip ? `${fip.address} → ` : ""}${x.lb.vipAddress} (${x.lb.provisioningStatus}/${x.lb.operatingStatus})`,
    );
  }
  for (const v of o.csiVolumes) {
    if (!ns || v.metadata[CSI_META_PVC_NAMESPACE] !== ns) continue;
    out.push(
      `Volume ${v.name} ${v.sizeGb} GB for claim ${ns}/${v.metadata[CSI_META_PVC_NAME] ?? "?"} (${v.status})`,
    );
  }
  for (const x of o.addonLbs.filter((l) => l.addon === id)) {
    const fip = o.addonFips.find((f) => addonOf(f.tags) === id);
    out.push(
      `Load balancer ${x.lb.name} ${fip ? `${fip.address} → ` : ""}${x.lb.vipAddress} (${x.lb.provisioningStatus}/${x.lb.operatingStatus}), made by an older console: replaced by the Service's`,
    );
  }
  for (const v of o.volumes.values())
    if (v.metadata["kc-addon"] === id)
      out.push(`Volume ${v.name} ${v.sizeGb} GB (${v.status}), unused: removed`);
  return out;
}
