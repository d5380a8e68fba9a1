import type { OpenStackCloud } from "@/server/openstack";
import type { Volume } from "@/server/openstack/blockstorage";
import { CSI_META_PVC_NAME, CSI_META_PVC_NAMESPACE, serviceOfLb } from "../../names";
import { addonOf, isEmpty, type Observed } from "../observe";
import type { Action, ClusterScope, PhaseResult } from "../scope";

/**
 * Reverse order: what still has dependents waits for them to go. 404 on
 * delete is success. What the cluster made for itself (its cloud
 * controller's load balancers and addresses, Cinder CSI's volumes) goes
 * once the servers are: until then the cloud controller would make again
 * what was deleted under it.
 */
function teardownActions(cloud: OpenStackCloud, o: Observed, clusterId: string): Action[] {
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
        event: { type: "Normal", reason: "Deleting", kind: "LoadBalancer", name: x.lb.name },
      });
  if (o.lb && (o.lb.provisioningStatus === "ACTIVE" || o.lb.provisioningStatus === "ERROR")) {
    a.push({
      label: "Delete the API load balancer",
      run: () => cloud.loadBalancer.deleteLoadBalancer(o.lb!.id, true),
      event: { type: "Normal", reason: "Deleting", kind: "LoadBalancer", name: o.lb.name },
    });
  }
  for (const s of o.servers.values()) {
    if (s.taskState !== "deleting")
      a.push({
        label: `Delete server ${s.name}`,
        run: () => cloud.compute.deleteServer(s.id),
        event: { type: "Normal", reason: "Deleting", kind: "Server", name: s.name },
      });
  }
  const serversGone = o.servers.size === 0;
  if (serversGone) {
    for (const v of o.volumes.values()) {
      if (["available", "error"].includes(v.status))
        a.push({
          label: `Delete volume ${v.name}`,
          run: () => cloud.blockStorage.deleteVolume(v.id),
          event: { type: "Normal", reason: "Deleting", kind: "Volume", name: v.name },
        });
    }
    for (const v of o.csiVolumes)
      if (["available", "error", "error_deleting"].includes(v.status))
        a.push({
          label: `Delete volume ${v.name} (made for ${claimOf(v)})`,
          run: () => cloud.blockStorage.deleteVolume(v.id),
          event: { type: "Normal", reason: "Deleting", kind: "Volume", name: v.name },
        });
    for (const f of o.strayServiceFips)
      a.push({
        label: `Release the address ${f.address} the cluster's cloud controller left`,
        run: () => cloud.network.deleteFloatingIp(f.id),
      });
    for (const x of o.serviceLbs) {
      // Its address first: deleting the load balancer would leave the floating IP allocated (and billed).
      for (const f of x.floatingIps)
        a.push({
          label: `Release the address ${f.address} of load balancer ${x.lb.name}`,
          run: () => cloud.network.deleteFloatingIp(f.id),
        });
      if (
        x.floatingIps.length === 0 &&
        (x.lb.provisioningStatus === "ACTIVE" || x.lb.provisioningStatus === "ERROR")
      )
        a.push({
          label: `Delete load balancer ${x.lb.name} (made for ${serviceLabel(clusterId, x.lb.name)})`,
          run: () => cloud.loadBalancer.deleteLoadBalancer(x.lb.id, true),
          event: { type: "Normal", reason: "Deleting", kind: "LoadBalancer", name: x.lb.name },
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
    o.addonFips.length === 0 &&
    // The subnet and security groups wait for the cloud controller's load balancers (their VIPs are on the subnet).
    o.serviceLbs.length === 0;
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
    // Last: the cloud controller and CSI keep their credential until the servers are gone.
    if (o.appCredential && o.csiVolumes.length === 0)
      a.push({
        label: "Delete the cluster's application credential",
        run: () => cloud.identity.deleteApplicationCredential(o.appCredential!.id).then(() => undefined),
      });
  }
  return a;
}

function claimOf(v: Volume): string {
  const ns = v.metadata[CSI_META_PVC_NAMESPACE];
  const name = v.metadata[CSI_META_PVC_NAME];
  return ns && name ? `claim ${ns}/${name}` : "a claim";
}

function serviceLabel(clusterId: string, lbName: string): string {
  const svc = serviceOfLb(clusterId, lbName);
  return svc ? `Service ${svc.namespace}/${svc.name}` : "a Service";
}

/**
 * Everything tagged with the cluster, in reverse dependency order, until
 * nothing remains; with `keepVolumes`, Cinder CSI's volumes stay (nothing
 * of the cluster uses them any more).
 */
export function teardownPhase(scope: ClusterScope): PhaseResult {
  const o: Observed = scope.cluster.keepVolumes ? { ...scope.observed, csiVolumes: [] } : scope.observed;
  if (isEmpty(o)) return { actions: [], done: true, waiting: null };
  const actions = teardownActions(scope.cloud, o, scope.cluster.id);
  const remaining = countResources(o);
  const total = Math.max(scope.operation?.stepsTotal ?? 0, remaining);
  return {
    actions,
    done: false,
    waiting: actions[0]?.label ?? "Waiting for the cloud to finish deleting",
    progress: { done: Math.max(0, total - remaining), total },
  };
}

function countResources(o: Observed): number {
  return (
    [o.network, o.subnet, o.router, o.lb, o.floatingIp].filter(Boolean).length +
    o.addonLbs.length +
    o.addonFips.length +
    o.serviceLbs.reduce((n, x) => n + 1 + x.floatingIps.length, 0) +
    o.strayServiceFips.length +
    o.csiVolumes.length +
    (o.appCredential ? 1 : 0) +
    o.secGroups.size +
    o.serverGroups.size +
    o.ports.size +
    o.servers.size +
    o.volumes.size
  );
}
