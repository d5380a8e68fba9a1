import { isNull } from "drizzle-orm";
import { run, type Runner } from "graphile-worker";
import { createDb, type Db } from "@/db/client";
import { clusters } from "@/db/schema";
import { quietLogger } from "@/db/migrate";
import { type CloudConfig, cloudFor as sharedCloud, type OpenStackCloud } from "@/server/openstack";
import { enqueueReconcile, QUOTA_TASK, RECONCILE_TASK } from "@/db/jobs";
import { OperatorCloudConfig } from "@/server/domain/cloud-catalog";
import { refreshCatalog } from "./catalog";
import { refreshQuotas } from "./quotas";
import { reconcileCluster } from "./cluster/reconcile";
import { collectMetrics, pruneMetrics } from "@/server/metrics/collect";
import { runSchedules, type ScheduledActions } from "./schedules";

export interface WorkerOptions {
  databaseUrl: string;
  encryptionKey: string;
  /**
   * The cloud a console project deploys into (its binding, the operator's
   * cloud or the built-in emulator). This and `scheduledActions` are the
   * worker's ports to the rest of the console, wired in server/runtime/worker.ts.
   */
  cloudConfigOf: (db: Db, projectId: string) => Promise<CloudConfig>;
  /** The operator's configuration of a project's cloud (prices, volume types, DNS…); default: none. */
  catalogConfigOf?: (db: Db, projectId: string) => Promise<OperatorCloudConfig>;
  /** The services the schedules act through (never imported by the reconciler). */
  scheduledActions: (db: Db) => ScheduledActions;
  /** Clusters reconciled at once by this worker (each cluster is only ever in one worker). */
  concurrency?: number;
  /** Shortest wait between passes while the cloud works (tests shorten it). */
  minRequeueMs?: number;
  /** How often to look for jobs whose run_at has come (new jobs wake workers at once via LISTEN/NOTIFY). */
  pollIntervalMs?: number;
  log?: (line: string) => void;
  /** How long a start waits for a running node to be Ready before acting on it (default 10 min). */
  nodeReadyWaitMs?: number;
  /** Tests inject a cloud factory (e.g. with a test clock). */
  cloudFor?: (projectId: string) => Promise<OpenStackCloud>;
}

/**
 * The reconciler worker: graphile-worker on the console's own PostgreSQL.
 * Jobs are per cluster (queue `cluster:<id>`, so two workers never work on
 * one cluster at once); each pass re-enqueues itself while the cloud is
 * still working, and a cron job resyncs every live cluster each minute
 * (drift repair) even without new intent.
 */
export async function startWorker(
  opts: WorkerOptions,
): Promise<{ runner: Runner; db: Db; stop: () => Promise<void> }> {
  const db = createDb(opts.databaseUrl, (opts.concurrency ?? 4) + 2);
  const log = opts.log ?? (() => undefined);
  const cloudFor =
    opts.cloudFor ??
    (async (projectId: string) => {
      return sharedCloud(await opts.cloudConfigOf(db, projectId), {
        log: (e) =>
          log(`[openstack] ${e.method} ${e.path} ${e.status} ${e.durationMs}ms ${e.requestId ?? ""}`),
      });
    });
  const actions = opts.scheduledActions(db);
  const catalogConfigOf = async (projectId: string) =>
    (await opts.catalogConfigOf?.(db, projectId)) ?? OperatorCloudConfig.parse({});
  const runner = await run({
    connectionString: opts.databaseUrl,
    concurrency: opts.concurrency ?? 4,
    noHandleSignals: true,
    pollInterval: opts.pollIntervalMs ?? 500,
    logger: quietLogger,
    crontab: [
      "* * * * * resync_clusters ?max=1",
      "* * * * * run_schedules ?max=1",
      "* * * * * collect_metrics ?max=1",
      "17 * * * * prune_metrics ?max=1",
    ].join("\n"),
    taskList: {
      [RECONCILE_TASK]: async (payload) => {
        const { clusterId } = payload as { clusterId: string };
        const started = Date.now();
        const r = await reconcileCluster(
          {
            db,
            cloudFor,
            encryptionKey: opts.encryptionKey,
            catalogConfigOf,
            ...(opts.nodeReadyWaitMs ? { nodeReadyWaitMs: opts.nodeReadyWaitMs } : {}),
          },
          clusterId,
        );
        log(
          `[reconciler] ${clusterId} ${r.converged ? "converged" : "in progress"} (${r.actions.length} actions, ${Date.now() - started} ms)${r.actions.length ? `: ${r.actions.slice(0, 3).join("; ")}${r.actions.length > 3 ? " …" : ""}` : ""}`,
        );
        if (r.requeueAfterMs !== null)
          await enqueueReconcile(db, clusterId, Math.max(r.requeueAfterMs, opts.minRequeueMs ?? 0));
      },
      [QUOTA_TASK]: async (payload) => {
        const { projectId } = payload as { projectId: string };
        const cloud = await cloudFor(projectId);
        // The cloud's catalog first: the wizard cannot offer anything without it.
        await refreshCatalog(db, projectId, cloud, await catalogConfigOf(projectId));
        await refreshQuotas(db, projectId, cloud);
      },
      run_schedules: async () => {
        const done = await runSchedules(db, actions);
        for (const line of done) log(`[schedules] ${line}`);
      },
      collect_metrics: async () => {
        await collectMetrics(db);
      },
      prune_metrics: async () => {
        const gone = await pruneMetrics(db);
        if (gone) log(`[metrics] pruned ${gone} samples past retention`);
      },
      resync_clusters: async () => {
        const rows = await db.select({ id: clusters.id }).from(clusters).where(isNull(clusters.deletedAt));
        for (const row of rows) await enqueueReconcile(db, row.id);
      },
    },
  });
  return {
    runner,
    db,
    stop: async () => {
      await runner.stop();
      await db.$client.end();
    },
  };
}
