import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { JoinState } from "./kube/join";
import type { KubeClusterState } from "./kube/types";

/**
 * The emulator's whole world, JSON-serialisable so it can be saved to disk
 * and survive restarts. Asynchronous state changes are entries in
 * `schedule`, applied in time order when the clock passes them
 * (see engine.ts), never timers.
 */

export const REGION = "RegionOne";
export const ZONES = ["ru-msk-a", "ru-msk-b", "ru-msk-c"] as const;
export const DOMAIN_ID = "default";
export const DOMAIN_NAME = "Default";

export interface Project {
  id: string;
  name: string;
}
export interface User {
  id: string;
  name: string;
  password: string;
  projectIds: string[];
}
/** Keystone's global roles (ids fixed, so tokens and application credentials agree across restarts). */
export const ROLES = [
  { id: "1".repeat(32), name: "member" },
  { id: "2".repeat(32), name: "reader" },
  { id: "3".repeat(32), name: "load-balancer_member" },
  { id: "4".repeat(32), name: "admin" },
  { id: "5".repeat(32), name: "service" },
] as const;
/** The roles every user has on each of its projects (`reader` is implied by `member`, as in Keystone). */
export const PROJECT_ROLE_IDS: readonly string[] = ROLES.filter((r) =>
  ["member", "reader", "load-balancer_member"].includes(r.name),
).map((r) => r.id);

/**
 * An application credential: only a salted hash of its secret is kept,
 * as Keystone does; the secret is shown once, in the create response.
 */
export interface AppCredential {
  id: string;
  name: string;
  /** `sha256$<salt>$<hex digest>` (see hashSecret). */
  secretHash: string;
  userId: string;
  projectId: string;
  description?: string | null;
  /** Delegated role ids; all the user's roles on the project when absent (the seeded ones). */
  roleIds?: string[];
  /** Null when the create request left it out (Keystone stores NULL, which counts as restricted). */
  unrestricted?: boolean | null;
  /** Epoch ms; null or absent: never expires. */
  expiresAt?: number | null;
  /** Set by emulators before secrets were hashed; replaced by secretHash when the state is loaded. */
  secret?: string;
}

export function hashSecret(secret: string): string {
  const salt = randomBytes(16).toString("hex");
  return `sha256$${salt}$${createHash("sha256").update(`${salt}$${secret}`).digest("hex")}`;
}

/** Whether `secret` is the one `hash` was made from (constant time). */
export function secretMatches(secret: string, hash: string): boolean {
  const [kind, salt, digest] = hash.split("$");
  if (kind !== "sha256" || salt === undefined || digest === undefined) return false;
  const want = Buffer.from(digest, "hex");
  const got = createHash("sha256").update(`${salt}$${secret}`).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * State saved before secrets were hashed kept them in plain text: hash them
 * now and drop the plain text. True when something changed.
 */
export function upgradeAppCredentials(state: EmuState): boolean {
  let changed = false;
  for (const cred of Object.values(state.appCredentials)) {
    if (typeof cred.secret === "string") {
      if (!cred.secretHash) cred.secretHash = hashSecret(cred.secret);
      delete cred.secret;
      changed = true;
    }
    // The operator-issued bindings (the demo's, each added project's) became unrestricted so that the
    // console can make each cluster a credential of its own; ones the console made stay as made.
    if (cred.unrestricted === undefined && (cred.name === "demo" || cred.name.endsWith("-console"))) {
      cred.unrestricted = true;
      changed = true;
    }
  }
  return changed;
}

export interface Token {
  userId: string;
  projectId: string;
  methods: string[];
  issuedAt: number;
  expiresAt: number;
  /** Set for a token issued for an application credential: its roles and restriction apply. */
  appCredentialId?: string;
}

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  extraSpecs: Record<string, string>;
}
export interface Image {
  id: string;
  name: string;
  createdAt: number;
  properties: Record<string, string>;
}
export interface VolumeType {
  id: string;
  name: string;
  description: string;
  extraSpecs: Record<string, string>;
}

/** Standard attributes of Neutron, Nova, Cinder and Octavia resources. */
export interface Base {
  id: string;
  projectId: string;
  name: string;
  description: string;
  tags: string[];
  createdAt: number;
  updatedAt: number;
  revision: number;
}

export interface Network extends Base {
  external: boolean;
  shared: boolean;
  mtu: number;
  adminStateUp: boolean;
}
export interface Subnet extends Base {
  networkId: string;
  cidr: string;
  gatewayIp: string | null;
  enableDhcp: boolean;
  dnsNameservers: string[];
  pool: { start: string; end: string };
}
export interface Port extends Base {
  networkId: string;
  macAddress: string;
  fixedIps: Array<{ subnetId: string; ipAddress: string }>;
  deviceId: string;
  deviceOwner: string;
  securityGroupIds: string[];
  adminStateUp: boolean;
  /** Created by Nova for a server booted on a network (deleted with the server). */
  createdByNova?: boolean;
}
export interface Router extends Base {
  gateway: { networkId: string; subnetId: string; ipAddress: string } | null;
  interfaceSubnetIds: string[];
}
export interface SecurityGroupRule {
  id: string;
  securityGroupId: string;
  projectId: string;
  direction: "ingress" | "egress";
  ethertype: "IPv4" | "IPv6";
  protocol: string | null;
  portRangeMin: number | null;
  portRangeMax: number | null;
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
  description: string;
  createdAt: number;
}
export interface SecurityGroup extends Base {
  ruleIds: string[];
}
export interface FloatingIp extends Base {
  address: string;
  networkId: string;
  portId: string | null;
  fixedIpAddress: string | null;
  routerId: string | null;
}

export type ServerStatus = "BUILD" | "ACTIVE" | "SHUTOFF" | "REBUILD" | "ERROR" | "DELETED";
export interface Server extends Base {
  status: ServerStatus;
  taskState: string | null;
  flavorId: string;
  imageId: string;
  az: string;
  metadata: Record<string, string>;
  userData: string | null;
  keyName: string | null;
  portIds: string[];
  securityGroupNames: string[];
  serverGroupId: string | null;
  hostId: string;
  launchedAt: number | null;
  fault: { code: number; message: string } | null;
  /** Scheduled to fail to build (fault injection, AZ outage). */
  failBuild: boolean;
  /** Booted from a volume (block_device_mapping_v2): Nova then reports `image: ""`. */
  bootFromVolume?: boolean;
}
export interface ServerGroup {
  id: string;
  projectId: string;
  name: string;
  policy: "affinity" | "anti-affinity" | "soft-affinity" | "soft-anti-affinity";
  members: string[];
}

export type VolumeStatus =
  | "creating"
  | "available"
  | "reserved"
  | "attaching"
  | "in-use"
  | "detaching"
  | "extending"
  | "deleting"
  | "error";
export interface Volume extends Base {
  status: VolumeStatus;
  size: number;
  az: string;
  volumeTypeName: string;
  metadata: Record<string, string>;
  attachment: { attachmentId: string; serverId: string; device: string; attachedAt: number } | null;
  pendingSize: number | null;
  /** A root volume Nova created from an image (boot from volume). */
  bootable?: boolean;
  /** The image such a volume was created from, as Cinder shows it (`volume_image_metadata`); absent otherwise. */
  imageMetadata?: Record<string, string>;
  /** Deleted together with the server it is attached to. */
  deleteOnTermination?: boolean;
}

export type ProvisioningStatus =
  "ACTIVE" | "PENDING_CREATE" | "PENDING_UPDATE" | "PENDING_DELETE" | "ERROR" | "DELETED";
interface LbChild extends Base {
  provisioningStatus: ProvisioningStatus;
  adminStateUp: boolean;
}
export interface LoadBalancer extends LbChild {
  vipAddress: string;
  vipPortId: string;
  vipSubnetId: string;
  vipNetworkId: string;
  provider: string;
  az: string | null;
  /** Octavia active/standby: which amphora is MASTER, and failovers so far. */
  activeAmphora: 0 | 1;
  /** How many times each amphora slot was rebuilt (its id changes each time). */
  amphoraGen?: [number, number];
  failovers: number;
  failoverUntil: number | null;
}
export interface Listener extends LbChild {
  loadBalancerId: string;
  protocol: string;
  protocolPort: number;
  defaultPoolId: string | null;
  allowedCidrs: string[] | null;
  connectionLimit: number;
}
export interface Pool extends LbChild {
  loadBalancerId: string;
  listenerId: string | null;
  protocol: string;
  lbAlgorithm: string;
  healthMonitorId: string | null;
}
export interface Member extends LbChild {
  poolId: string;
  address: string;
  protocolPort: number;
  subnetId: string | null;
  weight: number;
}
export interface HealthMonitor extends LbChild {
  poolId: string;
  type: string;
  delay: number;
  timeout: number;
  maxRetries: number;
  maxRetriesDown: number;
  httpMethod: string | null;
  urlPath: string | null;
  expectedCodes: string | null;
}

export const QUOTA_KEYS = [
  "instances",
  "cores",
  "ram",
  "server_groups",
  "volumes",
  "gigabytes",
  "loadbalancers",
  "floatingips",
  "security_groups",
  "networks",
  "subnets",
  "routers",
  "ports",
] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];
export type Quota = Record<QuotaKey, number>;

export const DEFAULT_QUOTA: Quota = {
  instances: 60,
  cores: 240,
  ram: 983_040,
  server_groups: 30,
  volumes: 60,
  gigabytes: 6_000,
  loadbalancers: 20,
  floatingips: 30,
  security_groups: 60,
  networks: 30,
  subnets: 30,
  routers: 15,
  ports: 600,
};

export interface ScheduledChange {
  at: number;
  kind: string;
  id: string;
  seq: number;
}

export interface EmuState {
  version: 1;
  projects: Record<string, Project>;
  users: Record<string, User>;
  appCredentials: Record<string, AppCredential>;
  tokens: Record<string, Token>;
  flavors: Flavor[];
  images: Image[];
  volumeTypes: VolumeType[];
  zonesDown: string[];
  networks: Record<string, Network>;
  subnets: Record<string, Subnet>;
  ports: Record<string, Port>;
  routers: Record<string, Router>;
  securityGroups: Record<string, SecurityGroup>;
  securityGroupRules: Record<string, SecurityGroupRule>;
  floatingIps: Record<string, FloatingIp>;
  servers: Record<string, Server>;
  serverGroups: Record<string, ServerGroup>;
  volumes: Record<string, Volume>;
  loadBalancers: Record<string, LoadBalancer>;
  listeners: Record<string, Listener>;
  pools: Record<string, Pool>;
  members: Record<string, Member>;
  healthMonitors: Record<string, HealthMonitor>;
  quotas: Record<string, Quota>;
  schedule: ScheduledChange[];
  seq: number;
  /** Emulated Kubernetes clusters (see kube/), by cluster id. */
  kube: Record<string, KubeClusterState>;
  /** Whether each server's boot joined its cluster, and kubeadm's reason when it did not (kube/join.ts). */
  nodeJoins?: Record<string, JoinState>;
}

export const hexId = () => randomBytes(16).toString("hex");
export const uuid = () => randomUUID();
export const mac = () =>
  "fa:16:3e:" +
  Array.from(randomBytes(3))
    .map((b) => b.toString(16).padStart(2, "0"))
    .join(":");

/** vCPU / RAM (MiB) / root disk (GB) / price per hour (EUR), like a public cloud's catalog. */
const FLAVORS: Array<[string, number, number, number, number]> = [
  ["STD2-1-2", 1, 2048, 20, 0.0111],
  ["STD2-2-4", 2, 4096, 40, 0.0222],
  ["STD2-2-8", 2, 8192, 40, 0.0333],
  ["STD2-4-8", 4, 8192, 50, 0.0444],
  ["STD2-4-16", 4, 16384, 50, 0.0666],
  ["STD3-8-16", 8, 16384, 80, 0.0888],
  ["STD3-8-32", 8, 32768, 80, 0.1332],
  ["STD3-16-32", 16, 32768, 100, 0.1776],
  ["STD3-16-64", 16, 65536, 100, 0.2664],
  ["HIGHMEM-8-64", 8, 65536, 80, 0.222],
  ["HIGHCPU-16-16", 16, 16384, 80, 0.1554],
];

export const DEMO = {
  projectName: "demo",
  userName: "demo",
  password: "demo-password",
  appCredentialId: "demo-app-credential",
  appCredentialSecret: "demo-app-credential-secret",
};

/**
 * `externalCidr`: the provider network's loopback range (a /16 or /24 inside
 * 127.0.0.0/8). Tests give each emulator its own, so emulated Kubernetes
 * APIs of parallel test files never share an address.
 */
export function seedState(externalCidr = "127.64.0.0/16"): EmuState {
  const [base, bits] = externalCidr.split("/");
  const octets = (base ?? "127.64.0.0").split(".").map(Number);
  const prefix = Number(bits);
  if (octets[0] !== 127 || !(prefix === 16 || prefix === 24))
    throw new Error(`externalCidr must be a /16 or /24 inside 127.0.0.0/8, got ${externalCidr}`);
  const net = prefix === 16 ? `${octets[0]}.${octets[1]}` : `${octets[0]}.${octets[1]}.${octets[2]}`;
  const gatewayIp = prefix === 16 ? `${net}.0.1` : `${net}.1`;
  const pool =
    prefix === 16
      ? { start: `${net}.0.10`, end: `${net}.255.250` }
      : { start: `${net}.10`, end: `${net}.250` };
  const now = Date.now();
  const project: Project = { id: hexId(), name: DEMO.projectName };
  const user: User = { id: hexId(), name: DEMO.userName, password: DEMO.password, projectIds: [project.id] };
  const state: EmuState = {
    version: 1,
    projects: { [project.id]: project },
    users: { [user.id]: user },
    appCredentials: {
      [DEMO.appCredentialId]: {
        id: DEMO.appCredentialId,
        name: "demo",
        secretHash: hashSecret(DEMO.appCredentialSecret),
        userId: user.id,
        projectId: project.id,
        // The console's binding makes each cluster a credential of its own (cloud controller, CSI).
        unrestricted: true,
      },
    },
    tokens: {},
    flavors: FLAVORS.map(([name, vcpus, ram, disk, price]) => ({
      id: uuid(),
      name,
      vcpus,
      ram,
      disk,
      extraSpecs: {
        "console:price_per_hour": price.toFixed(4),
        "console:currency": "EUR",
        "hw:cpu_policy": "shared",
      },
    })),
    images: [
      ["22.04", "1.33.2"],
      ["24.04", "1.34.4"],
      ["24.04", "1.34.6"],
      ["24.04", "1.35.1"],
      ["24.04", "1.35.3"],
      ["24.04", "1.36.1"],
    ].map(([os, v], i) => ({
      id: uuid(),
      name: `k8s-node-ubuntu-${os}-v${v}`,
      createdAt: now - (6 - i) * 86_400_000 * 30,
      properties: {
        os_distro: "ubuntu",
        os_version: os!,
        kubernetes_version: v!,
        container_runtime: "containerd",
      },
    })),
    volumeTypes: [
      {
        id: uuid(),
        name: "ceph-ssd",
        description: "SSD (default)",
        extraSpecs: { "console:price_per_gb_month": "0.0900" },
      },
      {
        id: uuid(),
        name: "high-iops",
        description: "High-IOPS SSD, for etcd",
        extraSpecs: { "console:price_per_gb_month": "0.2000" },
      },
      {
        id: uuid(),
        name: "ceph-hdd",
        description: "HDD",
        extraSpecs: { "console:price_per_gb_month": "0.0400" },
      },
    ],
    zonesDown: [],
    networks: {},
    subnets: {},
    ports: {},
    routers: {},
    securityGroups: {},
    securityGroupRules: {},
    floatingIps: {},
    servers: {},
    serverGroups: {},
    volumes: {},
    loadBalancers: {},
    listeners: {},
    pools: {},
    members: {},
    healthMonitors: {},
    quotas: { [project.id]: { ...DEFAULT_QUOTA } },
    schedule: [],
    seq: 0,
    kube: {},
  };
  // The provider's external network: floating IPs and router gateways come from loopback
  // 127.64.0.0/16, so anything that connects to them stays on this machine.
  const adminProject = "0".repeat(32);
  const ext: Network = {
    id: uuid(),
    projectId: adminProject,
    name: "ext-net",
    description: "Internet (emulated, loopback addresses)",
    tags: [],
    createdAt: now,
    updatedAt: now,
    revision: 1,
    external: true,
    shared: false,
    mtu: 1500,
    adminStateUp: true,
  };
  state.networks[ext.id] = ext;
  const extSubnet: Subnet = {
    id: uuid(),
    projectId: adminProject,
    name: "ext-subnet",
    description: "",
    tags: [],
    createdAt: now,
    updatedAt: now,
    revision: 0,
    networkId: ext.id,
    cidr: externalCidr,
    gatewayIp,
    enableDhcp: false,
    dnsNameservers: [],
    pool,
  };
  state.subnets[extSubnet.id] = extSubnet;
  return state;
}

/** A new project with its own user and application credential; the secret is returned here only. */
export function addProject(
  state: EmuState,
  name: string,
): { project: Project; user: User; appCredential: { id: string; secret: string } } {
  const project: Project = { id: hexId(), name };
  const user: User = {
    id: hexId(),
    name: `${name}-user`,
    password: randomBytes(12).toString("base64url"),
    projectIds: [project.id],
  };
  const appCredential = { id: hexId(), secret: randomBytes(24).toString("base64url") };
  state.projects[project.id] = project;
  state.users[user.id] = user;
  state.appCredentials[appCredential.id] = {
    id: appCredential.id,
    name: `${name}-console`,
    secretHash: hashSecret(appCredential.secret),
    userId: user.id,
    projectId: project.id,
    unrestricted: true,
  };
  state.quotas[project.id] = { ...DEFAULT_QUOTA };
  return { project, user, appCredential };
}

export function externalNetwork(state: EmuState): { network: Network; subnet: Subnet } {
  const network = Object.values(state.networks).find((n) => n.external);
  const subnet = network && Object.values(state.subnets).find((s) => s.networkId === network.id);
  if (!network || !subnet) throw new Error("emulator state has no external network");
  return { network, subnet };
}
