import { emulatorCatalogConfig } from "./emulator-catalog";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { clusters } from "@/db/schema";
import { TEST_ENCRYPTION_KEY } from "@/db/testing";
import { reconcileCluster, type PassResult } from "@/server/reconciler/cluster/reconcile";
import type { TestCloud } from "./cloud";

export const clusterRow = async (db: Db, id: string) =>
  (await db.select().from(clusters).where(eq(clusters.id, id)))[0]!;

/**
 * Reconcile passes on the emulator's test clock until `until` holds (by
 * default: the pass converged), moving emulated time `stepMs` between
 * passes and letting the emulated Kubernetes APIs catch up. `onTick` runs
 * after every pass (invariant checks).
 */
export async function drive(
  db: Db,
  t: TestCloud,
  clusterId: string,
  opts: {
    maxPasses?: number;
    stepMs?: number;
    until?: (r: PassResult) => boolean | Promise<boolean>;
    onTick?: () => Promise<void> | void;
    /** Reconciler settings for these passes (deadlines). */
    deps?: Pick<
      Parameters<typeof reconcileCluster>[0],
      "addonInstallWaitMs" | "nodeReadyWaitMs" | "apiWaitMs"
    >;
  } = {},
): Promise<number> {
  const until = opts.until ?? ((r: PassResult) => r.converged);
  for (let pass = 1; pass <= (opts.maxPasses ?? 300); pass++) {
    await t.emu.kube.sync();
    const r = await reconcileCluster(
      {
        db,
        cloudFor: async () => t.cloud,
        encryptionKey: TEST_ENCRYPTION_KEY,
        clock: () => t.clock.now(),
        catalogConfigOf: emulatorCatalogConfig,
        ...opts.deps,
      },
      clusterId,
    );
    await t.emu.kube.sync();
    await opts.onTick?.();
    if (await until(r)) return pass;
    if (r.requeueAfterMs === null && !r.converged) {
      const row = await clusterRow(db, clusterId);
      throw new Error(`stopped: phase ${row.phase}, lastError ${JSON.stringify(row.status.lastError)}`);
    }
    t.advance(opts.stepMs ?? 5_000);
  }
  const row = await clusterRow(db, clusterId);
  throw new Error(
    `did not get there: phase ${row.phase}, lastError ${JSON.stringify(row.status.lastError)}, nodes ${JSON.stringify(row.status.nodes.map((n) => `${n.name}:${n.state}`))}`,
  );
}
