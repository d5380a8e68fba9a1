import { emulatorCatalogConfig } from "@/server/testing/emulator-catalog";
import { spawn } from "node:child_process";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { clusters } from "@/db/schema";
import { createTestDb, makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import { projectResources, startTestCloud, type TestCloud } from "@/server/testing/cloud";
import { reconcileCluster } from "./reconcile";

let db: Db;
let url: string;
let drop: () => Promise<void>;
let t: TestCloud;
beforeAll(async () => {
  ({ db, url, drop } = await createTestDb());
  // A Neutron with `tag-creation` (2024.2 and later): a resource is created with its tags in one call. On a
  // cloud without it (Zed, the lab), a kill between the create and its `PUT …/tags` leaves an untagged
  // resource that nothing finds again: adopting those by exact name is not built yet (issue 15), so that
  // window is not what this test kills in.
  t = await startTestCloud({ auth: "application_credential", profile: { tagCreation: true } });
});
afterAll(async () => {
  await t.stop();
  await drop();
});

/** Kills land uniformly within this long after the child is ready (KC_CRASH_WINDOW_MS to diagnose a slow pass). */
const KILL_WINDOW_MS = Number(process.env.KC_CRASH_WINDOW_MS ?? 400);
/**
 * After the required kills, the window doubles with each further kill: the
 * last pass of a built cluster (nodes, addons, Gatekeeper, LB health) takes
 * about 0.5 s in a cold child on 2 cores, longer than the 400 ms window, so
 * a fixed window would never let it finish. Kills still land at random
 * points through the whole create and delete.
 */
const windowAfter = (kills: number, required: number) =>
  KILL_WINDOW_MS * 2 ** Math.min(6, Math.max(0, kills - required));

/** A deterministic "random" sequence, so a failure can be replayed. */
function lcg(seed: number) {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/**
 * Starts the child reconciler, kills it with SIGKILL after `ms`: "converged"
 * if it converged first, "waiting" if it stopped by itself because nothing
 * can happen until the test clock moves, else "killed".
 */
function runAndKill(
  clusterId: string,
  ms: number,
  exitWhenWaiting = false,
): Promise<"converged" | "waiting" | "killed"> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "server/testing/pass-loop.ts"], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        EMU_AUTH_URL: t.emu.authUrl,
        EMU_CRED_ID: t.emu.demo.appCredentialId,
        EMU_CRED_SECRET: t.emu.demo.appCredentialSecret,
        CLUSTER_ID: clusterId,
        CONSOLE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        ...(exitWhenWaiting ? { KC_EXIT_WHEN_WAITING: "1" } : {}),
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    let timer: NodeJS.Timeout | null = null;
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      // Count the kill delay from when the child is actually running passes.
      if (!timer && out.includes("ready")) timer = setTimeout(() => child.kill("SIGKILL"), ms);
    });
    child.on("exit", () => {
      if (timer) clearTimeout(timer);
      resolve(out.includes("converged") ? "converged" : out.includes("waiting") ? "waiting" : "killed");
    });
  });
}

const tagged = () => projectResources(t.emu);

describe("crash safety", () => {
  it(
    "survives SIGKILL at random points during create and delete: no duplicate, nothing leaked",
    { timeout: 600_000 },
    async () => {
      const rand = lcg(20261121);
      const u = await makeUser(db);
      const c = await u.caller.cluster.create({
        projectId: u.personalProjectId,
        spec: {
          name: "crash",
          topology: "regional",
          masterCount: 3,
          masterFlavor: "STD2-4-8",
          nodeGroups: [
            { name: "a", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 2 } },
            {
              name: "b",
              flavor: "STD2-2-4",
              zone: "ru-msk-b",
              scaling: { mode: "fixed", size: 2 },
              antiAffinity: true,
            },
          ],
        },
      });

      let kills = 0;
      let converged = false;
      while (kills < 20 || !converged) {
        // A create waits on the clock a lot (boots, install jobs): a child with nothing to do exits.
        const outcome = await runAndKill(c.id, Math.floor(rand() * windowAfter(kills, 20)), true);
        converged = outcome === "converged";
        if (outcome === "killed") kills++;
        if (converged && kills < 20) throw new Error(`converged after only ${kills} kills during create`);
        t.advance(8_000);
        if (kills > 200) {
          const row = (await db.select().from(clusters).where(eq(clusters.id, c.id)))[0]!;
          throw new Error(
            `no convergence after 200 kills: ${row.phase}, ${JSON.stringify({ lastError: row.status.lastError, kubeSync: row.status.kubeSync, gatekeeper: row.status.policies?.gatekeeper, addons: row.status.addons })}`,
          );
        }
      }
      // Converged under kills; one more clean pass must not change anything.
      const r = await reconcileCluster(
        {
          db,
          cloudFor: async () => t.cloud,
          encryptionKey: TEST_ENCRYPTION_KEY,
          catalogConfigOf: emulatorCatalogConfig,
        },
        c.id,
      );
      expect(r.actions).toEqual([]);
      let s = tagged();
      expect(kills).toBeGreaterThanOrEqual(20);
      expect(s.servers.map((x) => x.name).sort()).toEqual([
        "crash-a-0",
        "crash-a-1",
        "crash-b-0",
        "crash-b-1",
        "crash-master-0",
        "crash-master-1",
        "crash-master-2",
      ]);
      expect(s.volumes.filter((v) => v.name.startsWith("crash-etcd-"))).toHaveLength(3);
      expect(s.volumes.filter((v) => v.bootable)).toHaveLength(7);
      expect(s.ports).toHaveLength(7 + 1 + 1); // nodes, router interface, LB VIP
      expect(s.secGroups).toHaveLength(3);
      expect(s.rules).toHaveLength(3 * 2 + 1 + 2 + 1); // default egress ×2 each, base 1, master 2, minion 1
      expect(s.serverGroups.map((g) => g.name).sort()).toEqual(["crash-b", "crash-master"]);
      expect([
        s.networks.length,
        s.subnets.length,
        s.routers.length,
        s.lbs.length,
        s.listeners.length,
        s.pools.length,
        s.hms.length,
        s.fips.length,
      ]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
      expect(s.members).toHaveLength(3);
      expect((await db.select().from(clusters).where(eq(clusters.id, c.id)))[0]?.phase).toBe("Running");

      // Delete, with kills again.
      await u.caller.cluster.delete({
        projectId: u.personalProjectId,
        clusterId: c.id,
        confirmName: "crash",
      });
      // A teardown is a few passes of many deletes: kills land in the first half of the window, and the
      // cloud's clock moves 2 s a run, so the kills fall between the deletes rather than after them.
      let deleteKills = 0;
      converged = false;
      while (deleteKills < 10 || !converged) {
        const outcome = await runAndKill(c.id, Math.floor((rand() * windowAfter(deleteKills, 10)) / 2));
        converged = outcome === "converged";
        if (outcome === "killed") deleteKills++;
        if (converged && deleteKills < 10)
          throw new Error(`deleted after only ${deleteKills} kills during delete`);
        t.advance(2_000);
        if (deleteKills > 200) throw new Error("no teardown after 200 kills");
      }
      s = tagged();
      for (const [kind, items] of Object.entries(s))
        expect({ kind, left: items.length }).toEqual({ kind, left: 0 });
      expect((await db.select().from(clusters).where(eq(clusters.id, c.id)))[0]?.phase).toBe("Deleted");
      console.log(`crash test: ${kills} kills during create, ${deleteKills} during delete`);
    },
  );
});
