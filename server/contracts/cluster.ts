import { z } from "zod";
import { line } from "./text";
import { AddonChoice, PoliciesSpec } from "./policies";
import { ProjectScoped } from "./project";
import { MaintenanceWindow, StopSchedule } from "./schedule";

/** Provider limits, like a real managed Kubernetes offer. */
export const LIMITS = {
  nodesPerCluster: 100,
  nodeGroupsPerCluster: 10,
  nodesPerGroup: 100,
  antiAffinityMaxNodes: 5,
  clustersPerProject: 20,
} as const;

/** A name the cloud's catalog defines (zone, flavor, volume type): checked against it by the services. */
const catalogName = (empty: string) => line().trim().min(1, empty).max(255, "At most 255 characters");

const dns1123 = (what: string, max: number) =>
  line()
    .trim()
    .min(1, `Enter a ${what}`)
    .max(max, `The ${what} must be at most ${max} characters`)
    .regex(
      /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
      `The ${what} may contain lowercase letters, digits and '-', must start with a letter and end with a letter or digit`,
    );

export const Topology = z.enum(["single", "standard", "regional"]);
export type Topology = z.infer<typeof Topology>;

const LabelKey = line().regex(
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
  "Not a valid Kubernetes label key",
);
const LabelValue = line().regex(
  /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/,
  "Not a valid Kubernetes label value",
);

export const Taint = z.object({
  key: LabelKey,
  value: LabelValue.default(""),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
});

export const Scaling = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("fixed"),
    size: z
      .number()
      .int()
      .min(0, "Size cannot be negative")
      .max(LIMITS.nodesPerGroup, `At most ${LIMITS.nodesPerGroup} nodes per group`),
  }),
  z.object({
    mode: z.literal("autoscale"),
    min: z.number().int().min(0, "Minimum cannot be negative").max(LIMITS.nodesPerGroup),
    max: z
      .number()
      .int()
      .min(1, "Maximum must be at least 1")
      .max(LIMITS.nodesPerGroup, `At most ${LIMITS.nodesPerGroup} nodes per group`),
    /** A node whose pods request less than this share of its CPU and memory is unneeded (default 50%). */
    scaleDownUtilization: z
      .number()
      .min(0.1, "The scale-down threshold is at least 10%")
      .max(0.9, "The scale-down threshold is at most 90%")
      .optional(),
    /** How long a node stays unneeded before it is removed (default 10 minutes). */
    scaleDownUnneededMinutes: z
      .number()
      .int("Whole minutes")
      .min(1, "At least 1 minute")
      .max(120, "At most 120 minutes")
      .optional(),
  }),
]);
export type Scaling = z.infer<typeof Scaling>;
/** cluster-autoscaler's defaults: unneeded below 50% requested, for 10 minutes. */
export const AUTOSCALE_DEFAULTS = { scaleDownUtilization: 0.5, scaleDownUnneededMinutes: 10 } as const;

/**
 * How a node group moves to a new Kubernetes version. Rolling: add up to
 * maxSurge new nodes, drain and delete old ones while at most
 * maxUnavailable are missing. In-place: drain and rebuild each server
 * with the new image (same server, addresses and volumes), one at a time.
 */
export const UpgradeStrategy = z
  .object({
    mode: z.enum(["rolling", "in-place"]).default("rolling"),
    maxSurge: z
      .number()
      .int()
      .min(0, "maxSurge cannot be negative")
      .max(10, "maxSurge is at most 10")
      .default(1),
    maxUnavailable: z
      .number()
      .int()
      .min(0, "maxUnavailable cannot be negative")
      .max(10, "maxUnavailable is at most 10")
      .default(0),
  })
  .superRefine((u, ctx) => {
    if (u.mode === "rolling" && u.maxSurge + u.maxUnavailable < 1)
      ctx.addIssue({
        code: "custom",
        path: ["maxSurge"],
        message: "A rolling upgrade needs maxSurge or maxUnavailable of at least 1",
      });
    if (u.mode === "in-place" && u.maxUnavailable < 1)
      ctx.addIssue({
        code: "custom",
        path: ["maxUnavailable"],
        message: "An in-place upgrade takes one node down at a time: set maxUnavailable to at least 1",
      });
  });
export type UpgradeStrategy = z.infer<typeof UpgradeStrategy>;

export const NodeGroupSpec = z.object({
  name: dns1123("node group name", 20),
  flavor: catalogName("Choose a flavor"),
  zone: catalogName("Choose a zone"),
  scaling: Scaling,
  labels: z
    .record(line().max(317), LabelValue)
    .superRefine((labels, ctx) => {
      for (const key of Object.keys(labels)) {
        if (!LabelKey.safeParse(key).success)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `'${key}' is not a valid Kubernetes label key`,
          });
      }
    })
    .default({}),
  taints: z.array(Taint).max(20).default([]),
  diskGb: z
    .number()
    .int()
    .min(20, "Node disks are at least 20 GB")
    .max(2000, "Node disks are at most 2000 GB")
    .default(50),
  /** A Cinder volume type; a request may leave it out for the cloud's node disk type. */
  diskType: catalogName("Choose a volume type"),
  antiAffinity: z.boolean().default(false),
  upgrade: UpgradeStrategy.prefault({}),
});
export type NodeGroupSpec = z.infer<typeof NodeGroupSpec>;

export const EtcdSpec = z.object({
  volumeType: catalogName("Choose a volume type"),
  sizeGb: z
    .number()
    .int()
    .min(10, "etcd volumes are at least 10 GB")
    .max(200, "etcd volumes are at most 200 GB")
    .default(20),
});

export const NetworkSpec = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("new"), cidr: line().max(50).default("10.0.0.0/24") }),
  z.object({
    mode: z.literal("existing"),
    networkId: line().min(1, "Choose a network").max(100),
    subnetId: line().min(1, "Choose a subnet").max(100),
  }),
]);

/**
 * A cluster spec's shape, complete as stored. The defaults that are catalog
 * data (version, addons, policies) and the rules across fields (CIDRs,
 * versions, limits, addons) are the domain's: `CheckedClusterSpec` in
 * server/domain/cluster-spec.ts, which the services apply.
 */
export const ClusterSpec = z.object({
  name: dns1123("cluster name", 30),
  /** Defaults to the newest offered version (catalog data: server/domain/cluster-spec.ts). */
  version: line().max(40),
  topology: Topology,
  masterCount: z.union([z.literal(1), z.literal(3), z.literal(5)]),
  /** The zone of the masters for single and standard topologies (regional uses `regionZones`). */
  masterZone: catalogName("Choose a zone"),
  /** A regional cluster's zones, fixed at creation from the cloud's zones (masters spread over them). */
  regionZones: z.array(catalogName("Choose a zone")).max(10).optional(),
  masterFlavor: catalogName("Choose a master flavor"),
  etcd: EtcdSpec,
  network: NetworkSpec.prefault({ mode: "new" }),
  /** The pod network (Helm chart), fixed at creation: Calico by default, Cilium as the alternative. */
  cni: z.enum(["calico", "cilium"]).default("calico"),
  podCidr: line().max(50).default("10.100.0.0/16"),
  serviceCidr: line().max(50).default("10.254.0.0/16"),
  apiAccess: z
    .object({ public: z.boolean().default(true), allowedCidrs: z.array(line().max(50)).max(50).default([]) })
    .prefault({}),
  nodeGroups: z
    .array(NodeGroupSpec)
    .max(LIMITS.nodeGroupsPerCluster, `At most ${LIMITS.nodeGroupsPerCluster} node groups per cluster`)
    .default([]),
  /** Addons from the catalog, with their version and values (YAML). */
  addons: z.array(AddonChoice).max(20, "At most 20 addons per cluster"),
  /** OPA Gatekeeper: on/off, custom templates, constraints. */
  policies: PoliciesSpec,
});

export type ClusterSpec = z.infer<typeof ClusterSpec>;

/**
 * A spec as any console version stored it. Fields that are catalog data now
 * (the masters' zone, the etcd and node-disk volume types) were filled from
 * fixed defaults by earlier versions, all on the built-in emulator: a row
 * stored before such a field existed reads with the value that version used.
 */
export const StoredClusterSpec = ClusterSpec.extend({
  masterZone: ClusterSpec.shape.masterZone.default("ru-msk-a"),
  etcd: EtcdSpec.extend({ volumeType: EtcdSpec.shape.volumeType.default("high-iops") }).prefault({}),
  nodeGroups: z
    .array(NodeGroupSpec.extend({ diskType: NodeGroupSpec.shape.diskType.default("ceph-ssd") }))
    .default([]),
});
/** A node group as a caller sends it: the disk type may be left out for the cloud's default. */
export const RequestedNodeGroup = NodeGroupSpec.partial({ diskType: true });
export type RequestedNodeGroup = z.infer<typeof RequestedNodeGroup>;

/**
 * A cluster spec as a caller sends it: the catalog defaults (version,
 * addons, policies, the masters' zone, volume types) may be left out.
 */
export const RequestedClusterSpec = ClusterSpec.partial({
  version: true,
  addons: true,
  policies: true,
  masterZone: true,
}).extend({
  etcd: EtcdSpec.partial({ volumeType: true }).prefault({}),
  nodeGroups: z
    .array(RequestedNodeGroup)
    .max(LIMITS.nodeGroupsPerCluster, `At most ${LIMITS.nodeGroupsPerCluster} node groups per cluster`)
    .default([]),
});
export type RequestedClusterSpec = z.infer<typeof RequestedClusterSpec>;
export type ClusterSpecInput = z.input<typeof RequestedClusterSpec>;

export const CreateClusterInput = ProjectScoped.extend({ spec: RequestedClusterSpec });
export const ClusterRef = ProjectScoped.extend({ clusterId: z.uuid() });
/** Callers send the generation they saw; a stale one is refused with CONFLICT. */
export const UpdateClusterInput = ClusterRef.extend({
  generation: z.number().int().positive(),
  spec: RequestedClusterSpec,
});
/** Cancel this operation of the cluster (it must be pending, running or failed). */
export const CancelOperationInput = ClusterRef.extend({ operationId: z.uuid() });
export type CancelOperationInput = z.infer<typeof CancelOperationInput>;
export const DeleteClusterInput = ClusterRef.extend({
  confirmName: line().max(100),
  /** Keep the volumes Cinder CSI made for the cluster's PersistentVolumeClaims (they stay in the project, still billed). */
  keepVolumes: z.boolean().default(false),
});
export const StopScheduleInput = ClusterRef.extend({ schedule: StopSchedule.nullable() });
export const MaintenanceWindowInput = ClusterRef.extend({ window: MaintenanceWindow.nullable() });
export const UpgradeReadinessInput = ClusterRef.extend({
  target: z.string().regex(/^1\.\d+\.\d+$/, "Choose a Kubernetes version such as 1.36.1"),
});
export const UpgradeClusterInput = UpgradeReadinessInput.extend({
  generation: z.number().int().positive(),
  /** Ids of the readiness report's blocking findings the user accepts. */
  acknowledged: z.array(line().max(300)).max(100).default([]),
});
export const NodeGroupInput = ClusterRef.extend({
  generation: z.number().int().positive(),
  nodeGroup: RequestedNodeGroup,
});
export const ScaleNodeGroupInput = ClusterRef.extend({
  generation: z.number().int().positive(),
  name: line().max(100),
  scaling: Scaling,
});
export const RemoveNodeGroupInput = ClusterRef.extend({
  generation: z.number().int().positive(),
  name: line().max(100),
});
export const ListClustersInput = ProjectScoped.extend({
  search: line().trim().max(60).optional(),
  phase: line().max(40).optional(),
  cursor: z.uuid().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export const ListOperationsInput = ClusterRef.extend({ limit: z.number().int().min(1).max(200).default(50) });
export const OperationRef = ClusterRef.extend({ operationId: z.uuid() });
export type OperationRef = z.infer<typeof OperationRef>;
export const ListEventsInput = ClusterRef.extend({
  limit: z.number().int().min(1).max(500).default(100),
  /** Only events of this type. */
  type: z.enum(["Normal", "Warning"], { message: "Choose Normal or Warning" }).optional(),
  /** Only events about this kind of object (Node, LoadBalancer, …). */
  objectKind: z
    .string()
    .trim()
    .max(40, { message: "An object kind is at most 40 characters" })
    .regex(/^[A-Za-z]*$/, { message: "An object kind is a word such as Node or LoadBalancer" })
    .optional(),
  /** Events whose object name, reason or message contain this text. */
  search: z.string().trim().max(100, { message: "Search for at most 100 characters" }).optional(),
  /** Older than this event id (the last id of the previous page). */
  cursor: z.number().int().positive().nullish(),
});

/** The inputs as the services receive them (parsed: defaults applied). */
export type CreateClusterInput = z.infer<typeof CreateClusterInput>;
export type ClusterRef = z.infer<typeof ClusterRef>;
export type UpdateClusterInput = z.infer<typeof UpdateClusterInput>;
export type DeleteClusterInput = z.infer<typeof DeleteClusterInput>;
export type StopScheduleInput = z.infer<typeof StopScheduleInput>;
export type MaintenanceWindowInput = z.infer<typeof MaintenanceWindowInput>;
export type UpgradeReadinessInput = z.infer<typeof UpgradeReadinessInput>;
export type UpgradeClusterInput = z.infer<typeof UpgradeClusterInput>;
export type NodeGroupInput = z.infer<typeof NodeGroupInput>;
export type ScaleNodeGroupInput = z.infer<typeof ScaleNodeGroupInput>;
export type RemoveNodeGroupInput = z.infer<typeof RemoveNodeGroupInput>;
export type ListClustersInput = z.infer<typeof ListClustersInput>;
export type ListOperationsInput = z.infer<typeof ListOperationsInput>;
export type ListEventsInput = z.infer<typeof ListEventsInput>;

export { PHASES, type Phase } from "./phases";

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime: string;
}
