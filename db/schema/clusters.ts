import { sql } from "drizzle-orm";
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { ClusterSpec, Condition, Phase } from "@/server/contracts/cluster";
import type { AutoscalerMemory } from "@/server/domain/autoscaler";
import type { MaintenanceWindow, StopSchedule } from "@/server/contracts/schedule";
import type { WorkloadSnapshot } from "@/server/domain/upgrade-readiness";
import { projects } from "./projects";
import { users } from "./users";

export interface ClusterSchedules {
  stop?: (StopSchedule & { setBy: { userId: string; email: string } }) | null;
  maintenance?: (MaintenanceWindow & { setBy: { userId: string; email: string } }) | null;
  /** The last stop/start event and maintenance window the worker acted on (ISO times). */
  lastStopEventAt?: string;
  lastWindowAt?: string;
}

export type OperationKind =
  "create" | "update" | "scale" | "delete" | "stop" | "start" | "upgrade" | "rotate-ca";

/** An addon as the reconciler last saw it. */
export interface AddonStatus {
  phase: "Installing" | "Installed" | "Failed" | "Removing";
  version: string;
  message: string | null;
  /** When it entered this phase. */
  since: string;
  /** Its cloud resources, e.g. "Load balancer c1-ingress-nginx-ingress 203.0.113.7 → 10.0.0.9 (ACTIVE/ONLINE)". */
  resources: string[];
}

/** Gatekeeper and each constraint's audit, as last read from the cluster. */
export interface PolicyStatus {
  at: string;
  gatekeeper: "Off" | "Installing" | "Ready" | "Removing" | "Unreachable";
  error?: string;
  constraints: Record<
    string,
    {
      state: "Enforced" | "Pending" | "Disabled";
      /** null until Gatekeeper's audit has looked (or could not evaluate the template). */
      totalViolations: number | null;
      /** The first violations (Gatekeeper keeps 20). */
      violations: Array<{ kind: string; namespace: string; name: string; message: string }>;
      auditTimestamp: string | null;
      auditError: string | null;
    }
  >;
}

/** Per-node progress of an upgrade, for the cluster page. */
export interface UpgradeStatus {
  from: string;
  to: string;
  /** Node name → where it stands. */
  nodes: Record<
    string,
    {
      state: "pending" | "draining" | "replacing" | "done" | "failed";
      message?: string;
      /** When its drain began: a drain blocked by a PodDisruptionBudget is forced after DRAIN_TIMEOUT_MS. */
      since?: string;
    }
  >;
  /** Each node group's size when the upgrade began (the floor for maxUnavailable). */
  sizes: Record<string, number>;
  /** Delete pods whose PodDisruptionBudget blocks a drain (the user acknowledged it). */
  forceDrain?: boolean;
  failed: { node: string; message: string; retried: boolean } | null;
  completedAt?: string;
}

/** The cluster autoscaler's memory and figures (cluster time). */
export interface AutoscalerStatus {
  at: string;
  memory: AutoscalerMemory;
  /** Size each autoscaling group is built to. */
  targets: Record<string, number>;
  /** The node a scale-down is draining (and what holds it back). */
  removing: { node: string; group: string; since: string; blocked?: string } | null;
  /** Pods the scheduler could not place. */
  pending: number;
  /** Per node group: nodes wanted and Ready, CPU (millicores) and memory (MiB) requested, allocatable, used. */
  groups: Record<
    string,
    {
      target: number;
      ready: number;
      cpuRequested: number;
      cpuAllocatable: number;
      memRequested: number;
      memAllocatable: number;
      cpuUsed: number | null;
      memUsed: number | null;
    }
  >;
}
/** A load balancer as last looked at: statuses, members, the MASTER amphora and failovers seen. */
export interface LbHealth {
  /** Octavia's id of the load balancer. */
  id: string;
  at: string;
  provisioning: string;
  operating: string;
  master: string | null;
  standby?: { id: string; status: string } | null;
  failovers: number;
  members: Array<{ pool: string; address: string; status: string }>;
  activeConnections: number;
}
/** Auto-healing: since when each worker has been NotReady (cluster time). */
export interface HealthStatus {
  notReadySince: Record<string, string>;
}

/** What the reconciler last observed, for the UI (status is separate from intent). */
export interface ClusterStatus {
  apiEndpoint: string | null;
  apiAddress: string | null;
  nodes: Array<{
    name: string;
    group: string;
    role: "master" | "worker";
    zone: string;
    flavor: string;
    ip: string | null;
    state: string;
    serverId: string;
    /** The kubelet's version, when the Kubernetes API answers. */
    version?: string;
  }>;
  lastError: { step: string; message: string; at: string; attempts: number; terminal: boolean } | null;
  /** The running (or last) upgrade's per-node progress. */
  upgrade?: UpgradeStatus | null;
  /** PodDisruptionBudgets and deprecated-API usage, as last read from the cluster (upgrade readiness). */
  workload?: WorkloadSnapshot;
  /** The CA rotation's progress: both CAs trusted, then only the new one. */
  caRotation?: { phase: "trusting" | "done"; at: string };
  /** Workers the stop cordoned (uncordoned again by the start). */
  cordonedByStop?: string[];
  /** Kubernetes version each node's kubelet reports (node name → version), when the API answers. */
  kubeletVersions?: Record<string, string>;
  /** Last seen state of the load balancer and volumes (`kind:name` → state), to turn changes into events. */
  resources?: Record<string, string>;
  /** Addons by id (Installing / Installed / Failed / Removing). */
  addons?: Record<string, AddonStatus>;
  /** Gatekeeper and its constraints' audit results. */
  policies?: PolicyStatus;
  /** When the addons' releases and Gatekeeper's objects last matched this spec generation in the cluster. */
  kubeSync?: { generation: number; at: string };
  autoscaler?: AutoscalerStatus;
  health?: HealthStatus;
  /** Each load balancer's health by name (status tree, amphorae, connections), when last looked at. */
  loadBalancers?: Record<string, LbHealth>;
}

/**
 * Intent (`spec`, `generation`) and status (`observedGeneration`, `phase`,
 * `conditions`, `status`) in one row, written by different parties: the API
 * writes intent, the reconciler writes status.
 */
export const clusters = pgTable(
  "clusters",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "restrict" }),
    name: text("name").notNull(),
    spec: jsonb("spec").$type<ClusterSpec>().notNull(),
    generation: integer("generation").notNull().default(1),
    observedGeneration: integer("observed_generation").notNull().default(0),
    phase: text("phase").$type<Phase>().notNull().default("Provisioning"),
    conditions: jsonb("conditions").$type<Condition[]>().notNull().default([]),
    status: jsonb("status")
      .$type<ClusterStatus>()
      .notNull()
      .default({ apiEndpoint: null, apiAddress: null, nodes: [], lastError: null }),
    /** Stop schedule and maintenance window (who set them), and what the worker last executed. */
    schedules: jsonb("schedules").$type<ClusterSchedules>().notNull().default({}),
    /** Power intent: "off" stops every server (disks, network and addresses stay). */
    power: text("power").$type<"on" | "off">().notNull().default("on"),
    deletionRequestedAt: timestamp("deletion_requested_at", { withTimezone: true }),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Names are unique among a project's clusters that still exist.
    uniqueIndex("clusters_project_name_live_key")
      .on(t.projectId, t.name)
      .where(sql`deleted_at IS NULL`),
    index("clusters_project_idx").on(t.projectId, t.createdAt.desc()),
  ],
);

export const operations = pgTable(
  "operations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    projectId: uuid("project_id").notNull(),
    kind: text("kind").$type<OperationKind>().notNull(),
    /** The spec generation this operation converges to. */
    generation: integer("generation").notNull(),
    status: text("status")
      .$type<"pending" | "running" | "succeeded" | "failed" | "superseded">()
      .notNull()
      .default("pending"),
    stepsDone: integer("steps_done").notNull().default(0),
    stepsTotal: integer("steps_total").notNull().default(0),
    currentStep: text("current_step"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    actorUserId: uuid("actor_user_id"),
    actorEmail: text("actor_email"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("operations_cluster_idx").on(t.clusterId, t.startedAt.desc())],
);

export const clusterEvents = pgTable(
  "cluster_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    type: text("type").$type<"Normal" | "Warning">().notNull(),
    reason: text("reason").notNull(),
    objectKind: text("object_kind").notNull(),
    objectName: text("object_name").notNull(),
    message: text("message").notNull(),
  },
  (t) => [index("cluster_events_cluster_at_idx").on(t.clusterId, t.at.desc())],
);

/**
 * A cluster's PKI. Private keys are AES-256-GCM ciphertexts bound to the
 * cluster id (server/security/encryption.ts) and never leave the server
 * except inside a kubeconfig the user downloads.
 */
export const clusterPki = pgTable("cluster_pki", {
  clusterId: uuid("cluster_id")
    .primaryKey()
    .references(() => clusters.id, { onDelete: "cascade" }),
  caCertPem: text("ca_cert_pem").notNull(),
  caKeyCiphertext: text("ca_key_ciphertext").notNull(),
  /** During a CA rotation: the CA being replaced, still trusted for client certificates until it completes. */
  previousCaCertPem: text("previous_ca_cert_pem"),
  /** …and its key, to sign the serving certificate old kubeconfigs still verify until the rotation completes. */
  previousCaKeyCiphertext: text("previous_ca_key_ciphertext"),
  rotationStartedAt: timestamp("rotation_started_at", { withTimezone: true }),
  rotatedAt: timestamp("rotated_at", { withTimezone: true }),
  /** The console's own client certificate (system:masters), for the reconciler's Kubernetes calls. */
  consoleCertPem: text("console_cert_pem").notNull(),
  consoleKeyCiphertext: text("console_key_ciphertext").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
