import type { CloudCatalog } from "@/server/contracts/cloud-catalog";
import type { ClusterSpec } from "@/server/contracts/cluster";
import { masterZones } from "@/server/domain/placement";
import type { OpenStackCloud } from "@/server/openstack";
import { volumeAttachedTo, volumeAttachPending } from "@/server/openstack/blockstorage";
import type { RuleInput } from "@/server/openstack/network";
import { clusterTag, groupTag, META_CLUSTER, resourceNames, roleTag, workerIndex } from "../names";
import type { Observed } from "./observe";
import { specGroupTargets } from "./servers";
import type { nodeUserData } from "./user-data";

/**
 * The cluster as a graph of steps. A step is `done` (exists and ready),
 * `pending` (exists, the cloud is still working: BUILD, PENDING_*, creating)
 * or `missing`. A pass runs every missing step whose dependencies are done,
 * all at once, so wall time follows the longest chain, not the sum.
 */
export type StepState = "done" | "pending" | "missing";

export interface Step {
  key: string;
  label: string;
  deps: string[];
  /** Octavia accepts one change at a time per load balancer. */
  lbMutation?: boolean;
  /** Which load balancer the mutation changes (default: the API's). */
  lbKey?: string;
  state: StepState;
  run: () => Promise<unknown>;
}

/** The project's cloud catalog (zones, flavors, types, images, networks) as the pass uses it. */
export type Catalog = CloudCatalog;

/** The node image for a Kubernetes version, from the catalog; a terminal error naming what exists otherwise. */
export function imageFor(catalog: Catalog, version: string): string {
  const image = catalog.images.find((i) => i.kubernetesVersion === version);
  if (!image)
    throw new TerminalError(
      `No node image for Kubernetes ${version} in this cloud (images for: ${catalog.images.map((i) => i.kubernetesVersion).join(", ") || "none"}); an operator adds one with the property kube_version=v${version}`,
    );
  return image.id;
}

export class TerminalError extends Error {
  override name = "TerminalError";
}

function flavorId(catalog: Catalog, name: string): string {
  const f = catalog.flavors.find((x) => x.name === name || x.id === name);
  if (!f)
    throw new TerminalError(
      `Flavor '${name}' does not exist in this cloud (has: ${catalog.flavors.map((x) => x.name).join(", ")})`,
    );
  return f.id;
}

/** A wanted rule matches an existing one when direction, protocol, ports and remote agree. */
function sameRule(
  r: {
    direction: string;
    protocol: string | null;
    portRangeMin: number | null;
    portRangeMax: number | null;
    remoteIpPrefix: string | null;
    remoteGroupId: string | null;
  },
  w: RuleInput,
): boolean {
  return (
    r.direction === w.direction &&
    (r.protocol ?? null) === (w.protocol ?? null) &&
    (r.portRangeMin ?? null) === (w.portRangeMin ?? null) &&
    (r.portRangeMax ?? null) === (w.portRangeMax ?? w.portRangeMin ?? null) &&
    (r.remoteIpPrefix ?? null) === (w.remoteIpPrefix ?? null) &&
    (r.remoteGroupId ?? null) === (w.remoteGroupId ?? null)
  );
}

const serverState = (status: string | undefined): StepState =>
  status === "ACTIVE" ? "done" : status === undefined ? "missing" : "pending";

type BuildArgs = {
  cloud: OpenStackCloud;
  cluster: { id: string; name: string; spec: ClusterSpec };
  observed: Observed;
  catalog: Catalog;
  /** Renders each node's user data (the API view's). */
  userData: ReturnType<typeof nodeUserData>;
  /** Each node group's target size (the scope's: the spec's, an autoscaler's or an upgrade's surge). */
  groupTargets?: Map<string, number>;
};

/** What every part of the step graph reads, and `add` to put a step in it. */
interface Graph {
  cloud: OpenStackCloud;
  cluster: { id: string; name: string; spec: ClusterSpec };
  spec: ClusterSpec;
  o: Observed;
  catalog: Catalog;
  n: ReturnType<typeof resourceNames>;
  tags: string[];
  steps: Step[];
  add: (s: Step) => void;
  image: () => string;
  userData: ReturnType<typeof nodeUserData>;
  targets: Map<string, number>;
  netDeps: string[];
  networkId: () => string;
  subnetId: () => string;
  /** A node's port: on the cluster subnet, in the base group plus its role's group. */
  nodePortStep: (key: string, name: string, roleGroup: "master" | "minion", portTags: string[]) => void;
  zones: string[];
}

function graphOf(args: BuildArgs): Graph {
  const { cloud, cluster, observed: o, catalog } = args;
  const spec = cluster.spec;
  const n = resourceNames(cluster.name);
  const tags = [clusterTag(cluster.id)];
  const steps: Step[] = [];
  const add = (s: Step) => {
    steps.push(s);
  };
  const image = () => imageFor(catalog, spec.version);

  const netDeps = spec.network.mode === "new" ? ["subnet"] : [];
  const networkId = () => (spec.network.mode === "new" ? o.network!.id : spec.network.networkId);
  const subnetId = () => (spec.network.mode === "new" ? o.subnet!.id : spec.network.subnetId);
  const nodePortStep = (key: string, name: string, roleGroup: "master" | "minion", portTags: string[]) =>
    add({
      key,
      label: `Create port for ${name}`,
      deps: [...netDeps, "sg-base", `sg-${roleGroup}`],
      state: o.ports.get(name) ? "done" : "missing",
      run: () =>
        cloud.network.createPort({
          name,
          networkId: networkId(),
          subnetId: subnetId(),
          securityGroupIds: [
            o.secGroups.get(n.secGroup("base"))!.id,
            o.secGroups.get(n.secGroup(roleGroup))!.id,
          ],
          tags: [...tags, ...portTags],
        }),
    });
  return {
    cloud,
    cluster,
    spec,
    o,
    catalog,
    n,
    tags,
    steps,
    add,
    image,
    userData: args.userData,
    targets: args.groupTargets ?? specGroupTargets(cluster, o),
    netDeps,
    networkId,
    subnetId,
    nodePortStep,
    zones: masterZones(spec, catalog.computeZones),
  };
}

export function buildSteps(args: BuildArgs): Step[] {
  const graph = graphOf(args);
  const { spec, catalog } = graph;
  // Fail fast on what no pass could fix: unknown flavors or a missing node image.
  flavorId(catalog, spec.masterFlavor);
  for (const g of spec.nodeGroups) flavorId(catalog, g.flavor);
  graph.image();
  networkSteps(graph);
  securityGroupSteps(graph);
  serverGroupSteps(graph);
  masterSteps(graph);
  apiLoadBalancerSteps(graph);
  workerSteps(graph);
  return graph.steps;
}

/** The cluster network, subnet and router (a new network only). */
function networkSteps(graph: Graph) {
  const { cloud, spec, o, n, tags, add, catalog } = graph;
  if (spec.network.mode === "new") {
    const cidr = spec.network.cidr;
    add({
      key: "network",
      label: "Create network",
      deps: [],
      state: o.network ? "done" : "missing",
      run: () => cloud.network.createNetwork({ name: n.network, tags }),
    });
    add({
      key: "subnet",
      label: "Create subnet",
      deps: ["network"],
      state: o.subnet ? "done" : "missing",
      run: () =>
        cloud.network.createSubnet({
          name: n.subnet,
          networkId: o.network!.id,
          cidr,
          dnsNameservers: catalog.dnsNameservers,
          tags,
        }),
    });
    add({
      key: "router",
      label: "Create router with external gateway",
      deps: [],
      state: o.router ? "done" : "missing",
      run: () => {
        if (!o.externalNetwork)
          throw new TerminalError("The cloud has no external network for the router gateway");
        return cloud.network.createRouter({ name: n.router, externalNetworkId: o.externalNetwork.id, tags });
      },
    });
    add({
      key: "router-interface",
      label: "Attach subnet to router",
      deps: ["router", "subnet"],
      state: o.routerInterface ? "done" : "missing",
      run: () => cloud.network.addRouterInterface(o.router!.id, o.subnet!.id),
    });
  }
}

/** Security groups: <name>-base (all nodes), -master, -minion, with their rules. */
function securityGroupSteps(graph: Graph) {
  const { cloud, cluster, spec, o, n, tags, add } = graph;
  const sgRules = {
    base: (id: string) => [
      { direction: "ingress" as const, remoteGroupId: id, description: "all traffic between cluster nodes" },
    ],
    master: () => [
      {
        direction: "ingress" as const,
        protocol: "tcp" as const,
        portRangeMin: 6443,
        remoteIpPrefix: "0.0.0.0/0",
        description: "Kubernetes API",
      },
      {
        direction: "ingress" as const,
        protocol: "tcp" as const,
        portRangeMin: 2379,
        portRangeMax: 2380,
        remoteIpPrefix: spec.network.mode === "new" ? spec.network.cidr : "0.0.0.0/0",
        description: "etcd peers",
      },
    ],
    minion: () => [
      {
        direction: "ingress" as const,
        protocol: "tcp" as const,
        portRangeMin: 30000,
        portRangeMax: 32767,
        remoteIpPrefix: "0.0.0.0/0",
        description: "NodePort services",
      },
    ],
  };
  for (const role of ["base", "master", "minion"] as const) {
    const name = n.secGroup(role);
    const existing = o.secGroups.get(name);
    const wanted = existing ? (role === "base" ? sgRules.base(existing.id) : sgRules[role]()) : [];
    // Done only when every rule is there: a pass killed between two rules must add the rest.
    const missingRules = existing ? wanted.filter((w) => !existing.rules.some((r) => sameRule(r, w))) : [];
    add({
      key: `sg-${role}`,
      label: `Create security group ${name}`,
      deps: [],
      state: existing && missingRules.length === 0 ? "done" : "missing",
      run: async () => {
        const sg =
          existing ??
          (await cloud.network.createSecurityGroup({
            name,
            description: `Kubernetes ${role} nodes of ${cluster.name}`,
            tags,
          }));
        const rules = existing ? missingRules : role === "base" ? sgRules.base(sg.id) : sgRules[role]();
        for (const r of rules) {
          await cloud.network.createSecurityGroupRule(sg.id, r).catch((e: unknown) => {
            if ((e as { name?: string }).name !== "Conflict") throw e; // the rule exists already
          });
        }
      },
    });
  }
}

/** Anti-affinity server groups: the masters', and each node group's that asks for one. */
function serverGroupSteps(graph: Graph) {
  const { cloud, spec, o, n, add } = graph;
  add({
    key: "sg-masters",
    label: "Create soft-anti-affinity server group for masters",
    deps: [],
    state: o.serverGroups.has(n.masterServerGroup) ? "done" : "missing",
    run: () => cloud.compute.createServerGroup(n.masterServerGroup, "soft-anti-affinity"),
  });
  for (const g of spec.nodeGroups.filter((x) => x.antiAffinity)) {
    const name = n.workerServerGroup(g.name);
    add({
      key: `sg-group-${g.name}`,
      label: `Create anti-affinity server group for ${g.name}`,
      deps: [],
      state: o.serverGroups.has(name) ? "done" : "missing",
      run: () => cloud.compute.createServerGroup(name, "anti-affinity"),
    });
  }
}

/** Masters: etcd volume, port, server, attachment, one per zone slot. */
function masterSteps(graph: Graph) {
  const { cloud, cluster, spec, o, catalog, n, tags, add, image, userData, nodePortStep, zones } = graph;
  zones.forEach((zone, i) => {
    const volName = n.etcdVolume(i);
    const vol = o.volumes.get(volName);
    add({
      key: `etcd-${i}`,
      label: `Create etcd volume ${volName} (${spec.etcd.volumeType})`,
      deps: [],
      state: !vol ? "missing" : vol.status === "creating" ? "pending" : "done",
      run: () =>
        cloud.blockStorage.createVolume({
          name: volName,
          sizeGb: spec.etcd.sizeGb,
          availabilityZone: catalog.volumeZoneOf[zone] ?? undefined,
          volumeType: spec.etcd.volumeType,
          metadata: { [META_CLUSTER]: cluster.id, "kc-role": "etcd", "kc-index": String(i) },
        }),
    });
    const name = n.master(i);
    nodePortStep(`master-port-${i}`, name, "master", [roleTag("master")]);
    const port = o.ports.get(name);
    const server = o.servers.get(name);
    add({
      key: `master-${i}`,
      label: `Boot master ${name} in ${zone}`,
      // kubeadm's config names the API's addresses (endpoint, certificate SANs) and the etcd volume's id.
      deps: [`master-port-${i}`, "sg-masters", "api-addresses", `etcd-${i}`],
      state: server?.status === "ERROR" ? "pending" : serverState(server?.status),
      run: async () =>
        cloud.compute.createServer({
          name,
          flavorId: flavorId(catalog, spec.masterFlavor),
          imageId: image(),
          availabilityZone: zone,
          network: { portId: port!.id },
          serverGroupId: o.serverGroups.get(n.masterServerGroup)!.id,
          metadata: { [META_CLUSTER]: cluster.id, "kc-role": "master", "kc-version": spec.version },
          tags: [...tags, roleTag("master")],
          rootVolume: {
            sizeGb: catalog.masterRootDiskGb,
            volumeType: catalog.nodeDiskType ?? undefined,
          },
          userData: userData.master(i, port!.fixedIps[0]?.ipAddress),
        }),
    });
    add({
      key: `etcd-attach-${i}`,
      label: `Attach ${volName} to ${name}`,
      deps: [`etcd-${i}`, `master-${i}`],
      state: !vol
        ? "missing"
        : volumeAttachPending(vol)
          ? "pending"
          : volumeAttachedTo(vol, server?.id)
            ? "done"
            : "missing",
      run: () => cloud.compute.attachVolume(server!.id, vol!.id),
    });
  });
}

/** The API load balancer: LB → listener → pool → members + health monitor; floating IP. */
function apiLoadBalancerSteps(graph: Graph) {
  const { cloud, cluster, spec, o, n, tags, add, netDeps, subnetId, zones } = graph;
  const lb = o.lb;
  const lbActive = lb?.provisioningStatus === "ACTIVE";
  add({
    key: "lb",
    label: "Create API load balancer",
    deps: netDeps,
    state: !lb ? "missing" : lbActive ? "done" : "pending",
    lbMutation: true,
    run: () =>
      cloud.loadBalancer.createLoadBalancer({
        name: n.lb,
        vipSubnetId: subnetId(),
        description: `Kubernetes API of ${cluster.name}`,
        tags,
      }),
  });
  add({
    key: "listener",
    label: "Create TCP 6443 listener",
    deps: ["lb"],
    lbMutation: true,
    state: !o.listener ? "missing" : o.listener.provisioningStatus === "ACTIVE" ? "done" : "pending",
    run: () =>
      cloud.loadBalancer.createListener({
        name: n.listener,
        loadBalancerId: lb!.id,
        protocol: "TCP",
        port: 6443,
        allowedCidrs: spec.apiAccess.allowedCidrs,
        tags,
      }),
  });
  // A changed allowlist reaches the listener (PUT), not only a new one.
  const wanted = [...spec.apiAccess.allowedCidrs].sort();
  const actual = [...(o.listener?.allowedCidrs ?? [])].sort();
  add({
    key: "listener-allowlist",
    label: wanted.length ? `Allow the API from ${wanted.join(", ")} only` : "Allow the API from anywhere",
    deps: ["listener"],
    lbMutation: true,
    state: !o.listener
      ? "missing"
      : wanted.join(",") !== actual.join(",")
        ? "missing"
        : o.listener.provisioningStatus === "ACTIVE"
          ? "done"
          : "pending",
    run: () => cloud.loadBalancer.updateListenerAllowedCidrs(o.listener!.id, wanted),
  });
  add({
    key: "pool",
    label: "Create pool of masters",
    deps: ["listener"],
    lbMutation: true,
    state: !o.pool ? "missing" : o.pool.provisioningStatus === "ACTIVE" ? "done" : "pending",
    run: () =>
      cloud.loadBalancer.createPool({ name: n.pool, listenerId: o.listener!.id, protocol: "TCP", tags }),
  });
  zones.forEach((_z, i) => {
    const port = o.ports.get(n.master(i));
    const ip = port?.fixedIps[0]?.ipAddress;
    const member = ip ? o.members.find((m) => m.address === ip) : undefined;
    add({
      key: `member-${i}`,
      label: `Add ${n.master(i)} to the API pool`,
      deps: ["pool", `master-port-${i}`],
      lbMutation: true,
      state: !member ? "missing" : member.provisioningStatus === "ACTIVE" ? "done" : "pending",
      run: () =>
        cloud.loadBalancer.createMember(o.pool!.id, {
          name: n.master(i),
          address: ip!,
          port: 6443,
          subnetId: subnetId(),
          tags,
        }),
    });
  });
  add({
    key: "health-monitor",
    label: "Create API health monitor",
    deps: ["pool"],
    lbMutation: true,
    state: !o.healthMonitor
      ? "missing"
      : o.healthMonitor.provisioningStatus === "ACTIVE"
        ? "done"
        : "pending",
    run: () =>
      cloud.loadBalancer.createHealthMonitor({
        name: n.healthMonitor,
        poolId: o.pool!.id,
        type: "TCP",
        delay: 5,
        timeout: 3,
        maxRetries: 3,
        tags,
      }),
  });
  if (spec.apiAccess.public) {
    // Allocated before the load balancer is up: the masters' certificates name it.
    add({
      key: "api-floating-ip",
      label: "Allocate the API's public address",
      deps: spec.network.mode === "new" ? ["router-interface"] : [],
      state: o.floatingIp ? "done" : "missing",
      run: async () => {
        if (!o.externalNetwork)
          throw new TerminalError("The cloud has no external network for a public API address");
        return cloud.network.createFloatingIp({
          networkId: o.externalNetwork.id,
          description: `${n.apiFloatingIp} (Kubernetes API)`,
          tags,
        });
      },
    });
    add({
      key: "api-floating-ip-associate",
      label: "Point the API's public address at the load balancer",
      deps: ["lb", "api-floating-ip"],
      state: o.floatingIp && o.floatingIp.portId === lb?.vipPortId ? "done" : "missing",
      run: () => cloud.network.associateFloatingIp(o.floatingIp!.id, lb!.vipPortId),
    });
  }
  // Gates, not actions: the API's VIP (every node's endpoint) and all its addresses (VIP, public IP) are known.
  add({
    key: "api-vip",
    label: "Wait for the API load balancer's VIP",
    deps: [],
    state: lb?.vipAddress ? "done" : "pending",
    run: async () => undefined,
  });
  add({
    key: "api-addresses",
    label: "Wait for the API's addresses",
    deps: [],
    state: lb && (!spec.apiAccess.public || o.floatingIp) ? "done" : "pending",
    run: async () => undefined,
  });
}

/** Workers per node group: keep what exists (scale-down is the prune's), fill the lowest free indices. */
function workerSteps(graph: Graph) {
  const { cloud, cluster, spec, o, catalog, n, tags, add, image, userData, targets, nodePortStep } = graph;
  for (const g of spec.nodeGroups) {
    const existing = [...o.servers.values()].filter(
      (s) => workerIndex(cluster.name, g.name, s.name) !== null && s.tags.includes(groupTag(g.name)),
    );
    const want = targets.get(g.name) ?? 0;
    const have = new Set(existing.map((s) => workerIndex(cluster.name, g.name, s.name)!));
    // Keep what exists (scale-down is a separate step); fill the lowest free indices.
    const indices: number[] = [...have];
    for (let i = 0; indices.length < want; i++) if (!have.has(i)) indices.push(i);
    for (const i of indices.sort((a, b) => a - b)) {
      const name = n.worker(g.name, i);
      const port = o.ports.get(name);
      const server = o.servers.get(name);
      if (!have.has(i)) {
        nodePortStep(`worker-port-${g.name}-${i}`, name, "minion", [roleTag("worker"), groupTag(g.name)]);
      }
      add({
        key: `worker-${g.name}-${i}`,
        label: `Boot worker ${name} in ${g.zone}`,
        deps: [
          ...(have.has(i) ? [] : [`worker-port-${g.name}-${i}`]),
          ...(g.antiAffinity ? [`sg-group-${g.name}`] : []),
          // The join configuration names the API's endpoint (the load balancer's VIP).
          "api-vip",
        ],
        state: server?.status === "ERROR" ? "pending" : serverState(server?.status),
        run: () =>
          cloud.compute.createServer({
            name,
            flavorId: flavorId(catalog, g.flavor),
            imageId: image(),
            availabilityZone: g.zone,
            network: { portId: port!.id },
            serverGroupId: g.antiAffinity ? o.serverGroups.get(n.workerServerGroup(g.name))!.id : undefined,
            metadata: {
              [META_CLUSTER]: cluster.id,
              "kc-role": "worker",
              "kc-group": g.name,
              "kc-version": spec.version,
            },
            tags: [...tags, roleTag("worker"), groupTag(g.name)],
            rootVolume: { sizeGb: g.diskGb, volumeType: g.diskType },
            userData: userData.worker(g, name),
          }),
      });
    }
  }
}
