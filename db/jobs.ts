import { sql } from "drizzle-orm";
import type { Executor } from "./client";

export const RECONCILE_TASK = "reconcile_cluster";

/**
 * Ask for a reconcile pass of one cluster, in the caller's transaction (so
 * intent and its job commit together). One pending job per cluster
 * (job_key, replaced), one cluster per worker at a time (queue_name).
 */
export async function enqueueReconcile(exec: Executor, clusterId: string, delayMs = 0): Promise<void> {
  await exec.execute(sql`
    SELECT graphile_worker.add_job(
      ${RECONCILE_TASK},
      json_build_object('clusterId', ${clusterId}::text),
      queue_name := ${`cluster:${clusterId}`},
      run_at := now() + make_interval(secs => ${delayMs / 1000}),
      max_attempts := 25,
      job_key := ${`reconcile:${clusterId}`},
      job_key_mode := 'replace'
    )`);
}

export const QUOTA_TASK = "refresh_cloud_quotas";

/** Ask a worker to read the project's cloud quotas and usage (one pending job per project). */
export async function enqueueQuotaRefresh(exec: Executor, projectId: string): Promise<void> {
  await exec.execute(sql`
    SELECT graphile_worker.add_job(
      ${QUOTA_TASK},
      json_build_object('projectId', ${projectId}::text),
      max_attempts := 3,
      job_key := ${`quotas:${projectId}`},
      job_key_mode := 'preserve_run_at'
    )`);
}
