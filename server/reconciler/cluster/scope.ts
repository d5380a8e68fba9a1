import type { Db } from "@/db/client";
import type { ClusterStatus, clusters, operations } from "@/db/schema";
import type { ClusterSpec } from "@/server/contracts/cluster";
import type { OperatorCloudConfig } from "@/server/domain/cloud-catalog";
import type { KubeClient, KubeNode, KubeTarget } from "@/server/kube/client";
import type { ClusterPki } from "@/server/kube/store";
import {
  BadRequest,
  CredentialsRejected,
  OpenStackError,
  QuotaExceeded,
  type OpenStackCloud,
} from "@/server/openstack";
import type { Server } from "@/server/openstack/compute";
import type { Observed } from "./observe";
import { TerminalError, type Catalog, type Step } from "./steps";
import type { NodeCredentials, nodeUserData } from "./user-data";

export interface ReconcileDeps {
  db: Db;
  cloudFor: (projectId: string) => Promise<OpenStackCloud>;
  /** CONSOLE_ENCRYPTION_KEY: the cluster CA's key is decrypted to sign serving certificates. */
  encryptionKey: string;
  /** The Kubernetes API client (tests may wrap it). */
  kubeFor?: (target: KubeTarget) => KubeClient;
  /** Cluster time, for the autoscaler's and auto-healing's timers (tests: the emulator's test clock). */
  clock?: () => number;
  /** The operator's configuration of a project's cloud (prices, volume types, DNS…; the emulator has its own). */
  catalogConfigOf: (projectId: string) => Promise<OperatorCloudConfig>;
  /** How long an operation waits for the Kubernetes API before converging without it (default API_WAIT_MS). */
  apiWaitMs?: number;
  /** How long a start waits for a running node to be Ready before acting on it (default START_READY_MS). */
  nodeReadyWaitMs?: number;
  /** How long a system component or addon may stay Installing before it reads overdue (default ADDON_INSTALL_MS). */
  addonInstallWaitMs?: number;
}

export interface PassResult {
  /** Intent and cloud agree (or, when deleting, nothing remains). */
  converged: boolean;
  /** When to look again; null: only on new intent or the periodic resync. */
  requeueAfterMs: number | null;
  actions: string[];
}

export type ClusterRow = typeof clusters.$inferSelect;
export type OperationRow = typeof operations.$inferSelect;

/** What a pass does with a cluster: one flow, chosen from intent and what exists. */
export type Flow = "delete" | "stop" | "start" | "upgrade" | "converge";

export interface ClusterEvent {
  type: "Normal" | "Warning";
  reason: string;
  kind: string;
  name: string;
  message: string;
}

/** One mutating call a phase asks for. Every action of a pass runs at once, after all phases planned. */
export interface Action {
  label: string;
  run: () => Promise<unknown>;
  /** The event its success records; without one, a `StepDone` event named by the label. */
  event?: { type: "Normal" | "Warning"; reason: string; kind: string; name: string };
}

/** What one phase decided in one pass. */
export interface PhaseResult {
  actions: Action[];
  /** Nothing is left for this phase: it does not hold the cluster from converging. */
  done: boolean;
  /** What the phase waits for, by name (the operation's current step). */
  waiting?: string | null;
  /** When a converged cluster needs this phase to look again (autoscaler scan, addon pods warming). */
  requeueAfterMs?: number;
  /** A failure found while planning (a server failed mid-upgrade): terminal until the user retries. */
  failure?: { step: string; message: string } | null;
  /** Events decided while planning (autoscaler decisions, LB failovers). */
  events?: ClusterEvent[];
  /** The part of the status this phase owns, read after the pass's actions ran. */
  status?: () => Partial<ClusterStatus>;
  /** Node groups' target sizes for the phases after this one (an autoscaler's targets, an upgrade's surge). */
  groupTargets?: Map<string, number>;
  /** The infrastructure step graph, for the phases after this one. */
  steps?: Step[];
  /** kube-system/cloud-config holds the cluster's current application credential (the cloud charts may go in). */
  cloudConfigReady?: boolean;
  /** The flow's progress (the first phase of a flow that reports it is the operation's progress). */
  progress?: { done: number; total: number };
}

/** The Kubernetes API as the console sees it this pass. */
export interface ApiView {
  pki: ClusterPki;
  credentials: NodeCredentials;
  userData: ReturnType<typeof nodeUserData>;
  /** The floating IP that points at the API load balancer, once it does. */
  publicAddress: string | null;
  anyMasterUp: boolean;
  kube: KubeClient | null;
  /** The cluster's nodes; null while the API does not answer. */
  kubeNodes: Map<string, KubeNode> | null;
  /** The console reaches the API only at its public address, and only without an allowlist. */
  forConsole: boolean;
  /** An operation still waits for the API to answer (up to API_WAIT_MS after it started). */
  waitLeft: boolean;
  workload: ClusterStatus["workload"];
}

/** Everything a pass knows about one cluster; phases read it, the runner alone writes `plan`. */
export interface ClusterScope {
  deps: ReconcileDeps;
  cluster: ClusterRow;
  spec: ClusterSpec;
  operation: OperationRow | null;
  cloud: OpenStackCloud;
  /** Wall time (rows, events). */
  now: Date;
  /** Cluster time: the autoscaler's, auto-healing's and LB health's timers (tests: the test clock). */
  clusterNow: number;
  flow: Flow;
  observed: Observed;
  catalog: Catalog;
  /** Servers not being deleted. */
  liveServers: Server[];
  api: ApiView | null;
  /** What earlier phases of this pass decided for later ones. */
  plan: {
    /** Each node group's target size: the spec's, or the autoscaler's or a rolling upgrade's. */
    groupTargets: Map<string, number>;
    /** The infrastructure step graph (addon status reads it). */
    steps: Step[];
    /** kube-system/cloud-config holds the cluster's application credential. */
    cloudConfigReady: boolean;
    /** A terminal failure of an earlier phase: later phases remove nothing. */
    failure: { step: string; message: string } | null;
  };
}

/** One phase of a flow: what it wants done this pass. */
export type PhaseFn = (scope: ClusterScope) => PhaseResult | Promise<PhaseResult>;

export const NOTHING: PhaseResult = { actions: [], done: true };

/** A phase whose API is needed: the API view, or null when this pass has none. */
export function apiOf(
  scope: ClusterScope,
): (ApiView & { kube: KubeClient; kubeNodes: Map<string, KubeNode> }) | null {
  const a = scope.api;
  return a && a.kube && a.kubeNodes
    ? (a as ApiView & { kube: KubeClient; kubeNodes: Map<string, KubeNode> })
    : null;
}

export function classify(err: unknown): { terminal: boolean; message: string } {
  if (err instanceof TerminalError) return { terminal: true, message: err.message };
  if (err instanceof CredentialsRejected) return { terminal: true, message: err.message };
  if (err instanceof QuotaExceeded)
    return { terminal: true, message: `Quota exceeded for ${err.resource}: ${err.message}` };
  if (err instanceof BadRequest)
    return { terminal: true, message: `The cloud refused the request: ${err.message}` };
  if (err instanceof OpenStackError) return { terminal: false, message: `${err.name}: ${err.message}` };
  return { terminal: false, message: err instanceof Error ? err.message : String(err) };
}

/** Exponential backoff with a cap: 2 s, 4 s, 8 s … 60 s. */
export function backoff(attempts: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.min(attempts, 5));
}
