import type { Env } from "@/server/env";
import { EMULATOR_CLOUD_CONFIG, OperatorCloudConfig } from "@/server/domain/cloud-catalog";
import { loadOperatorCloudConfig } from "./operator-config";
import { resolveProjectCloud } from "@/server/services/cloud/resolve";
import { scheduledActions } from "@/server/services/cluster/scheduled-actions";
import type { EmulatorEndpoint } from "@/server/openstack/emulator-admin";
import { startWorker, type WorkerOptions } from "@/server/reconciler/worker";

export interface ConsoleWorkerOptions extends Omit<
  WorkerOptions,
  "cloudConfigOf" | "catalogConfigOf" | "scheduledActions"
> {
  /** The built-in emulator, for projects with no cloud of their own (null: none). */
  emulator: EmulatorEndpoint | null;
  /** The operator's configuration of real clouds (CONSOLE_CLOUD_CONFIG); the emulator has its own. */
  operatorCloudConfig?: OperatorCloudConfig;
}

/**
 * A reconciler worker wired to the console: clouds resolved from the
 * projects' bindings (else the operator's cloud, else the built-in emulator)
 * and the schedules acting through the cluster services. The reconciler
 * itself never imports services/.
 */
export function startConsoleWorker({ emulator, operatorCloudConfig, ...opts }: ConsoleWorkerOptions) {
  return startWorker({
    ...opts,
    cloudConfigOf: async (db, projectId) =>
      (await resolveProjectCloud(db, projectId, opts.encryptionKey, emulator)).config,
    catalogConfigOf: async (db, projectId) => {
      const operator = operatorCloudConfig ?? OperatorCloudConfig.parse({});
      // A project whose cloud cannot be resolved fails in cloudFor with the reason; its catalog config is the operator's.
      const source = await resolveProjectCloud(db, projectId, opts.encryptionKey, emulator).then(
        (r) => r.source,
        () => null,
      );
      return source === "emulator" ? EMULATOR_CLOUD_CONFIG : operator;
    },
    scheduledActions: (db) => scheduledActions(db, opts.encryptionKey),
  });
}

/** What a worker needs from the validated environment: the database, the key, the built-in emulator. */
export function workerSettings(
  env: Env,
): Pick<
  ConsoleWorkerOptions,
  "databaseUrl" | "encryptionKey" | "emulator" | "operatorCloudConfig" | "nodeReadyWaitMs"
> {
  return {
    nodeReadyWaitMs: env.NODE_READY_WAIT_SECONDS * 1000,
    operatorCloudConfig: loadOperatorCloudConfig(env.CONSOLE_CLOUD_CONFIG),
    databaseUrl: env.DATABASE_URL,
    encryptionKey: env.CONSOLE_ENCRYPTION_KEY,
    emulator:
      env.EMULATOR_URL && env.EMULATOR_ADMIN_KEY
        ? { url: env.EMULATOR_URL, adminKey: env.EMULATOR_ADMIN_KEY }
        : null,
  };
}
