/**
 * A reconciler in a child process, for the crash-safety test: runs passes
 * on one cluster until it converges. The test kills it with SIGKILL at
 * random moments and starts it again.
 */
import { emulatorCatalogConfig } from "./emulator-catalog";
import { createDb } from "@/db/client";
import { createCloud } from "@/server/openstack";
import { WARMING_MS } from "@/server/reconciler/cluster/phases/addons";
import { reconcileCluster } from "@/server/reconciler/cluster/reconcile";

const env = process.env as Record<string, string>;
const db = createDb(env.DATABASE_URL!, 4);
const cloud = createCloud({
  authUrl: env.EMU_AUTH_URL!,
  interface: "public",
  // As the parent's test cloud: the cloud.conf written into the cluster names the region.
  region: "RegionOne",
  auth: { type: "application_credential", id: env.EMU_CRED_ID!, secret: env.EMU_CRED_SECRET! },
});
// A warm worker has the Kubernetes client loaded already; the kill timer starts after "ready".
await import("@/server/kube/client");
process.stdout.write("ready\n");
const readyAt = performance.now();
let first = true;
for (;;) {
  const started = performance.now();
  const r = await reconcileCluster(
    {
      db,
      cloudFor: async () => cloud,
      encryptionKey: env.CONSOLE_ENCRYPTION_KEY!,
      catalogConfigOf: emulatorCatalogConfig,
    },
    env.CLUSTER_ID!,
  );
  // KC_PASS_LOG=1: each pass's wall time and outcome on stderr (to see why a run never converges in its window).
  if (env.KC_PASS_LOG)
    process.stderr.write(
      `[pass] ${Math.round(performance.now() - started)} ms${first ? ` (first, ${Math.round(performance.now() - readyAt)} ms after ready)` : ""} converged=${r.converged} requeue=${r.requeueAfterMs} ${r.actions.slice(0, 3).join("; ")}\n`,
    );
  first = false;
  // Converged with nothing left to come: not while addon pods or Gatekeeper are still starting (a converged
  // pass then looks again after WARMING_MS, and the next one applies the templates once Gatekeeper runs).
  if (r.converged && r.requeueAfterMs !== WARMING_MS) break;
  // Nothing to do until the (test) clock moves: say so, and let the parent advance it (when asked to).
  if (env.KC_EXIT_WHEN_WAITING && r.actions.length === 0) {
    process.stdout.write("waiting\n");
    cloud.close();
    await db.$client.end();
    process.exit(0);
  }
  await new Promise((res) => setTimeout(res, 5));
}
process.stdout.write("converged\n");
cloud.close();
await db.$client.end();
