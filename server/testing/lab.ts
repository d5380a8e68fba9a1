import { randomBytes } from "node:crypto";
import { createCloud, type CloudConfig, type CloudOptions, type OpenStackCloud } from "@/server/openstack";

/**
 * The real OpenStack Zed lab (`../shared/openstack-lab/`, brought up by
 * `npm run test:openstack`): what its demo project sees, and a sweep that
 * lists — with the real API, not the adapter's schemas — whatever a test run
 * left behind.
 */
export const LAB_AUTH_URL = process.env.OPENSTACK_LAB_AUTH_URL ?? "http://127.0.0.1:5000/v3";

/** The lab's seed data (up.sh defaults; NOTES.md "Seed data"). */
export const LAB = {
  region: "RegionOne",
  /** Nova zones (LAB_ZONES); Cinder has one zone of its own. */
  computeZones: (process.env.LAB_ZONES ?? "GZ1,MS1").split(",").map((z) => z.trim()),
  volumeZone: "nova",
  flavors: ["small", "medium", "large"],
  image: "cirros-fake",
  externalNetwork: "public",
  volumeType: "high-iops",
} as const;

/** The demo user's binding, as an operator would configure it (password auth, project by name). */
export function labCloudConfig(): CloudConfig {
  return {
    authUrl: LAB_AUTH_URL,
    region: LAB.region,
    interface: "public",
    auth: {
      type: "password",
      username: "demo",
      password: "demopass",
      userDomainName: "Default",
      projectName: "demo",
      projectDomainName: "Default",
    },
  };
}

export function labCloud(opts: CloudOptions = {}): OpenStackCloud {
  return createCloud(labCloudConfig(), opts);
}

/** True when the lab's Keystone answers. */
export async function labAnswers(timeoutMs = 3000): Promise<boolean> {
  try {
    const res = await fetch(LAB_AUTH_URL, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}

/** A name prefix unique to one test run: everything the run creates is named `<prefix>…`. */
export function runPrefix(label = "t"): string {
  return `kclab-${label}-${randomBytes(3).toString("hex")}-`;
}

/** Poll until `check` returns a value other than undefined; an error thrown by `check` ends the wait. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 120_000, intervalMs = 1000 } = {},
): Promise<T> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) {
      console.info(`[lab] ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return v;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export type LeftoverKind =
  | "server"
  | "volume"
  | "port"
  | "floatingip"
  | "router"
  | "subnet"
  | "network"
  | "security_group"
  | "server_group"
  | "loadbalancer"
  | "listener"
  | "pool"
  | "healthmonitor";

export interface Leftover {
  kind: LeftoverKind;
  id: string;
  name: string;
  status: string | null;
}

type Raw = Record<string, unknown>;

/** GET a collection as raw JSON, following Nova/Neutron/Octavia `<key>_links` and Cinder's `volumes_links`. */
async function rawList(cloud: OpenStackCloud, service: string, path: string, key: string): Promise<Raw[]> {
  const out: Raw[] = [];
  let next: string | null = path;
  for (let page = 0; next && page < 1000; page++) {
    const res = await cloud.session.request(service, {
      method: "GET",
      path: next,
      headers: service === "compute" ? { "OpenStack-API-Version": "compute 2.79" } : {},
    });
    const body = (res.body ?? {}) as Raw;
    const items = body[key];
    if (!Array.isArray(items))
      throw new Error(`${service} GET ${path}: no '${key}' list in ${JSON.stringify(body).slice(0, 200)}`);
    out.push(...(items as Raw[]));
    const links = (body[`${key}_links`] ?? []) as Array<{ rel?: string; href?: string }>;
    next = links.find((l) => l.rel === "next")?.href ?? null;
  }
  return out;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const statusOf = (r: Raw): string | null =>
  str(r.status) || str(r.provisioning_status) || str(r.operating_status) || null;
const leftover = (kind: LeftoverKind, r: Raw): Leftover => ({
  kind,
  id: str(r.id),
  name: str(r.name) || str(r.description) || str(r.floating_ip_address),
  status: statusOf(r),
});

/** Every resource of the demo project, raw, one list per kind (one request each, in parallel). */
async function everything(cloud: OpenStackCloud) {
  const nw = (path: string, key: string) => rawList(cloud, "network", `/v2.0${path}`, key);
  const lb = (path: string, key: string) => rawList(cloud, "load-balancer", `/v2/lbaas${path}`, key);
  const { projectId } = await cloud.session.auth();
  const [servers, volumes, serverGroups, ports, fips, routers, subnets, networks, sgs] = await Promise.all([
    rawList(cloud, "compute", "/servers/detail", "servers"),
    rawList(cloud, "block-storage", "/volumes/detail", "volumes"),
    rawList(cloud, "compute", "/os-server-groups", "server_groups"),
    nw(`/ports?project_id=${projectId}`, "ports"),
    nw(`/floatingips?project_id=${projectId}`, "floatingips"),
    nw(`/routers?project_id=${projectId}`, "routers"),
    nw(`/subnets?project_id=${projectId}`, "subnets"),
    nw(`/networks?project_id=${projectId}`, "networks"),
    nw(`/security-groups?project_id=${projectId}`, "security_groups"),
  ]);
  const [lbs, listeners, pools, hms] = await Promise.all([
    lb(`/loadbalancers?project_id=${projectId}`, "loadbalancers"),
    lb(`/listeners?project_id=${projectId}`, "listeners"),
    lb(`/pools?project_id=${projectId}`, "pools"),
    lb(`/healthmonitors?project_id=${projectId}`, "healthmonitors"),
  ]);
  return {
    servers,
    volumes,
    serverGroups,
    ports,
    fips,
    routers,
    subnets,
    networks,
    sgs,
    lbs,
    listeners,
    pools,
    hms,
  };
}

/** Ids a test knows it created that carry no name of its own (a boot volume Nova made, an LB's VIP port). */
export type KnownIds = Partial<Record<LeftoverKind, string[]>>;

function sweep(
  all: Awaited<ReturnType<typeof everything>>,
  mine: (r: Raw) => boolean,
  known: KnownIds,
): Leftover[] {
  const isKnown = (kind: LeftoverKind, r: Raw) => (known[kind] ?? []).includes(str(r.id));
  const pick = (kind: LeftoverKind, items: Raw[], extra: (r: Raw) => boolean = () => false) =>
    items.filter((r) => mine(r) || isKnown(kind, r) || extra(r)).map((r) => leftover(kind, r));
  const servers = pick("server", all.servers);
  const serverIds = new Set(servers.map((s) => s.id));
  const lbs = pick("loadbalancer", all.lbs);
  const vipPorts = new Set(
    all.lbs.filter((l) => lbs.some((x) => x.id === l.id)).map((l) => str(l.vip_port_id)),
  );
  const ports = pick(
    "port",
    all.ports,
    (p) =>
      serverIds.has(str(p.device_id)) ||
      vipPorts.has(str(p.id)) ||
      (known.loadbalancer ?? []).some((id) => str(p.name) === `octavia-lb-${id}`),
  );
  const portIds = new Set([...ports.map((p) => p.id), ...vipPorts]);
  return [
    ...servers,
    // Volumes by name, plus any attached to a leftover server (Nova's boot volumes have no name).
    ...pick("volume", all.volumes, (v) =>
      ((v.attachments ?? []) as Raw[]).some((a) => serverIds.has(str(a.server_id))),
    ),
    ...ports,
    // Floating IPs have no name: the console describes them with the resource's name, or they sit on its port.
    ...pick("floatingip", all.fips, (f) => mine({ name: f.description }) || portIds.has(str(f.port_id))),
    ...pick("router", all.routers),
    ...pick("subnet", all.subnets),
    ...pick("network", all.networks),
    ...pick("security_group", all.sgs),
    ...pick("server_group", all.serverGroups),
    ...lbs,
    ...pick("listener", all.listeners),
    ...pick("pool", all.pools),
    ...pick("healthmonitor", all.hms),
  ];
}

/**
 * What is left in the lab's demo project of one test run: every resource
 * whose name (a floating IP's description) starts with `prefix`, what sits
 * on a leftover server or load balancer, and the `known` ids. Empty when the
 * run cleaned up after itself.
 */
export async function sweepLab(
  cloud: OpenStackCloud,
  prefix: string,
  known: KnownIds = {},
): Promise<Leftover[]> {
  if (prefix.length < 6) throw new Error(`sweepLab: prefix '${prefix}' is too short to be a run's own`);
  return sweep(await everything(cloud), (r) => str(r.name).startsWith(prefix), known);
}

/**
 * What is left of one console cluster: everything tagged `kc-cluster=<id>`
 * (Neutron, Nova servers, Octavia), Cinder volumes with metadata
 * `kc-cluster=<id>`, and Nova server groups (which have no tags) named
 * `<cluster name>-…`.
 */
export async function sweepLabCluster(
  cloud: OpenStackCloud,
  cluster: { id: string; name: string },
  known: KnownIds = {},
): Promise<Leftover[]> {
  const tag = `kc-cluster=${cluster.id}`;
  const all = await everything(cloud);
  const meta = (r: Raw, key: string) =>
    typeof r.metadata === "object" && r.metadata !== null && (r.metadata as Raw)[key] === cluster.id;
  // Also what the cluster's own cloud controller and CSI would make: OCCM's LB names and FIP descriptions, CSI's metadata.
  const mine = (r: Raw) =>
    (Array.isArray(r.tags) && r.tags.includes(tag)) ||
    meta(r, "kc-cluster") ||
    meta(r, "cinder.csi.openstack.org/cluster") ||
    str(r.name).startsWith(`kube_service_${cluster.id}_`) ||
    (str(r.description).startsWith("Floating IP for Kubernetes external service") &&
      str(r.description).endsWith(`from cluster ${cluster.id}`));
  const groups = all.serverGroups.filter((g) => str(g.name).startsWith(`${cluster.name}-`));
  return [
    ...sweep({ ...all, serverGroups: [] }, mine, known),
    ...groups.map((g) => leftover("server_group", g)),
  ];
}

/** One line per leftover, for a failing assertion's message. */
export function describeLeftovers(left: Leftover[]): string {
  return left.map((l) => `${l.kind} ${l.name || "(no name)"} ${l.id} [${l.status ?? "-"}]`).join("\n");
}

/**
 * Best-effort removal of what a sweep found, in dependency order, with the
 * raw API (so a schema the adapter gets wrong cannot stop the clean-up).
 * For a failed run's afterAll: the assertion on the sweep comes first.
 */
export async function purgeLab(cloud: OpenStackCloud, left: Leftover[]): Promise<void> {
  const del = (service: string, path: string) =>
    cloud.session.request(service, { method: "DELETE", path }).catch(() => undefined);
  const of = (kind: LeftoverKind) => left.filter((l) => l.kind === kind);
  const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await Promise.all(of("floatingip").map((f) => del("network", `/v2.0/floatingips/${f.id}`)));
  await Promise.all(
    of("loadbalancer").map((l) => del("load-balancer", `/v2/lbaas/loadbalancers/${l.id}?cascade=true`)),
  );
  await Promise.all(of("server").map((s) => del("compute", `/servers/${s.id}`)));
  if (of("loadbalancer").length || of("server").length) await settle(20_000);
  await Promise.all(of("volume").map((v) => del("block-storage", `/volumes/${v.id}`)));
  await Promise.all(of("port").map((p) => del("network", `/v2.0/ports/${p.id}`)));
  await Promise.all(of("server_group").map((g) => del("compute", `/os-server-groups/${g.id}`)));
  await Promise.all(of("security_group").map((g) => del("network", `/v2.0/security-groups/${g.id}`)));
  for (const r of of("router")) {
    const ports = await rawList(cloud, "network", `/v2.0/ports?device_id=${r.id}`, "ports").catch(() => []);
    for (const p of ports.filter((x) => x.device_owner === "network:router_interface"))
      await cloud.session
        .request("network", {
          method: "PUT",
          path: `/v2.0/routers/${r.id}/remove_router_interface`,
          body: { port_id: p.id },
        })
        .catch(() => undefined);
    await del("network", `/v2.0/routers/${r.id}`);
  }
  await Promise.all(of("subnet").map((s) => del("network", `/v2.0/subnets/${s.id}`)));
  await Promise.all(of("network").map((n) => del("network", `/v2.0/networks/${n.id}`)));
}
