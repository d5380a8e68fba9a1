import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  customType,
} from "drizzle-orm/pg-core";
import type { Condition, Phase } from "@/server/contracts/cluster";
// A value import, relative so drizzle-kit resolves it: the stored spec is parsed on every read.
import { type ClusterSpec, StoredClusterSpec } from "../../server/contracts/cluster";
import type {
  ClusterSchedules,
  ClusterStatus,
  MadeByCluster,
  OperationKind,
} from "@/server/contracts/cluster-status";
import { projects } from "./projects";
import { users } from "./users";

import type { NodeRequests } from "@/server/contracts/node-actions";

// The status types live in server/contracts; re-exported for the code that reads them with the rows.
export type {
  AddonStatus,
  AutoscalerStatus,
  ClusterSchedules,
  ClusterStatus,
  HealthStatus,
  LbHealth,
  OperationKind,
  PolicyStatus,
  UpgradeStatus,
} from "@/server/contracts/cluster-status";

/**
 * The cluster spec as jsonb, parsed through ClusterSpec whenever it is read:
 * a spec stored before a field existed reads with that field's default, so
 * every default is written once, in the contract.
 */
const clusterSpec = customType<{ data: ClusterSpec; driverData: string }>({
  dataType: () => "jsonb",
  toDriver: (spec) => JSON.stringify(spec),
  fromDriver: (stored) => StoredClusterSpec.parse(typeof stored === "string" ? JSON.parse(stored) : stored),
});

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
    spec: clusterSpec("spec").notNull(),
    generation: integer("generation").notNull().default(1),
    observedGeneration: integer("observed_generation").notNull().default(0),
    phase: text("phase").$type<Phase>().notNull().default("Provisioning"),
    conditions: jsonb("conditions").$type<Condition[]>().notNull().default([]),
    status: jsonb("status")
      .$type<ClusterStatus>()
      .notNull()
      .default({ apiEndpoint: null, apiAddress: null, nodes: [], lastError: null }),
    // What the clusters list shows of the status, kept by PostgreSQL on every write: a list page reads
    // these small columns, never the status itself (kilobytes per cluster, out of TOAST).
    listApiEndpoint: text("list_api_endpoint").generatedAlwaysAs(sql`status->>'apiEndpoint'`),
    listLastError: text("list_last_error").generatedAlwaysAs(sql`status->'lastError'->>'message'`),
    listReadyWorkers: integer("list_ready_workers")
      .notNull()
      .generatedAlwaysAs(
        sql`coalesce(jsonb_array_length(jsonb_path_query_array(status, '$.nodes[*] ? (@.role == "worker" && @.state == "Ready")')), 0)`,
      ),
    listMadeByCluster: jsonb("list_made_by_cluster")
      .$type<MadeByCluster>()
      .generatedAlwaysAs(sql`status->'madeByCluster'`),
    /** Stop schedule and maintenance window (who set them), and what the worker last executed. */
    schedules: jsonb("schedules").$type<ClusterSchedules>().notNull().default({}),
    /** The newest cordon/uncordon/drain/replace request per node (intent; the reconciler reports in status.nodeActions). */
    nodeRequests: jsonb("node_requests").$type<NodeRequests>().notNull().default({}),
    /** Power intent: "off" stops every server (disks, network and addresses stay). */
    power: text("power").$type<"on" | "off">().notNull().default("on"),
    deletionRequestedAt: timestamp("deletion_requested_at", { withTimezone: true }),
    /** Asked with the deletion: the volumes Cinder CSI made for the cluster's claims stay in the project. */
    keepVolumes: boolean("keep_volumes").notNull().default(false),
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
    // The clusters list's order (newest first, id breaking ties) and keyset: a page is read from the index
    // and only its rows are projected, instead of sorting (and projecting) every cluster of the project.
    // Deleted clusters (kept for their history) are not in it.
    index("clusters_project_live_created_idx")
      .on(t.projectId, t.createdAt.desc(), t.id.desc())
      .where(sql`deleted_at IS NULL`),
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
      .$type<"pending" | "running" | "succeeded" | "failed" | "superseded" | "cancelled">()
      .notNull()
      .default("pending"),
    /**
     * The spec before this operation's change (update, scale, upgrade): cancelling the operation
     * writes it back as new intent. Null for operations that change no spec, and for older rows.
     */
    specBefore: clusterSpec("spec_before"),
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
  /**
   * What kubeadm needs pre-placed on every control-plane node besides the
   * cluster CA: the etcd CA, the front-proxy CA and the service-account key
   * pair (JSON, encrypted as one secret). Null for rows made before kubeadm
   * bootstrap: filled on first use.
   */
  controlPlaneCiphertext: text("control_plane_ciphertext"),
  /** The current bootstrap token (`id.secret`, encrypted) that joining nodes present, and its expiry. */
  bootstrapTokenCiphertext: text("bootstrap_token_ciphertext"),
  bootstrapTokenExpiresAt: timestamp("bootstrap_token_expires_at", { withTimezone: true }),
  /** When the control plane first answered: from then on every new or rebuilt master joins, none runs kubeadm init. */
  initializedAt: timestamp("initialized_at", { withTimezone: true }),
  /**
   * The Keystone application credential the cluster's cloud controller and
   * Cinder CSI use (made for it, deleted with it): its id, and its secret
   * encrypted. Null until the reconciler made one.
   */
  cloudCredentialId: text("cloud_credential_id"),
  cloudCredentialCiphertext: text("cloud_credential_ciphertext"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
