import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { clusters } from "@/db/schema";
import { makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import { joinFailureOf } from "@/server/emulator/kube/join";
import { allNodes } from "@/server/emulator/kube/model";
import { masterCloudConfig, workerCloudConfig, type WorkerInput } from "@/server/kube/cloud-config";
import { createCa } from "@/server/kube/pki";
import { ensureClusterPki, newBootstrapToken } from "@/server/kube/store";
import type { TestCloud } from "@/server/testing/cloud";
import { drive } from "@/server/testing/converge";
import { withTestCloud, withTestDb } from "@/server/testing/suite";

/**
 * The emulator lets a node join only if its user data would really join:
 * a cluster built by the reconciler, then extra servers booted by hand with
 * user data that is right except for one thing. Each stays unregistered and
 * the emulator keeps kubeadm's reason (the console log's last lines).
 */

let db: Db;
let t: TestCloud;
let built: Awaited<ReturnType<typeof makeUser>>;
withTestDb((d) => (db = d));
withTestCloud((c) => (t = c));

async function builtCluster() {
  const u = await makeUser(db);
  built = u;
  const c = await u.caller.cluster.create({
    projectId: u.personalProjectId,
    spec: {
      name: "j1",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-4-8",
      nodeGroups: [{ name: "w", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 1 } }],
    },
  });
  await drive(db, t, c.id);
  const [row] = await db.select().from(clusters).where(eq(clusters.id, c.id));
  const pki = await ensureClusterPki(db, row!, TEST_ENCRYPTION_KEY);
  const s = t.emu.engine.state;
  const lb = Object.values(s.loadBalancers).find((l) => l.name === "j1-api")!;
  const subnet = Object.values(s.subnets).find((x) => x.name === "j1-subnet")!;
  const worker: WorkerInput = {
    cluster: { id: c.id, name: "j1" },
    version: row!.spec.version,
    endpoint: { host: lb.vipAddress, port: 6443 },
    caCertPem: pki.ca.certPem,
    token: pki.bootstrapToken,
    nodeName: "",
    now: new Date(t.clock.now()),
    group: "w",
    labels: {},
    taints: [],
  };
  return { row: row!, pki, worker, subnetId: subnet.id, networkId: subnet.networkId };
}

/** Boot `name` on the cluster's subnet with `userData`; returns the server id. */
async function boot(b: Awaited<ReturnType<typeof builtCluster>>, name: string, userData: string) {
  const port = await t.cloud.network.createPort({ name, networkId: b.networkId, subnetId: b.subnetId });
  const image = Object.values(t.emu.engine.state.images).find(
    (i) => i.properties.kubernetes_version === b.row.spec.version,
  )!;
  const flavor = t.emu.engine.state.flavors.find((f) => f.name === "STD2-2-4")!;
  const srv = await t.cloud.compute.createServer({
    name,
    flavorId: flavor.id,
    imageId: image.id,
    availabilityZone: "ru-msk-a",
    network: { portId: port.id },
    rootVolume: { sizeGb: 20 },
    userData,
  });
  return srv.id;
}

/** Let the servers boot and their kubelets try (emulated time, the emulator's own sync). */
async function settle(ms: number) {
  for (let waited = 0; waited < ms; waited += 10_000) {
    t.advance(10_000);
    await t.emu.kube.sync();
  }
}

const registered = (clusterId: string) =>
  (allNodes(t.emu.engine).get(clusterId) ?? []).map((n) => n.name).sort();

describe("the emulator admits only a node whose user data would really join", () => {
  it("joins a correct worker; refuses a wrong CA pin, a wrong endpoint, an unknown or expired token", async () => {
    const b = await builtCluster();
    const otherCa = await createCa("kubernetes-ca elsewhere");
    const w = (over: Partial<WorkerInput>) => workerCloudConfig({ ...b.worker, ...over });
    const expired = newBootstrapToken(new Date(t.clock.now()));
    const control = t.emu.engine.state.kube[b.row.id]!.control!;
    control.tokens[expired.id] = { secret: expired.secret, expiresAt: t.clock.now() + 30_000 };
    const ids = {
      good: await boot(b, "j1-w-extra", w({ nodeName: "j1-w-extra" })),
      pin: await boot(b, "j1-w-pin", w({ nodeName: "j1-w-pin", caCertPem: otherCa.certPem })),
      endpoint: await boot(
        b,
        "j1-w-endpoint",
        w({ nodeName: "j1-w-endpoint", endpoint: { host: "10.9.9.9", port: 6443 } }),
      ),
      unknown: await boot(
        b,
        "j1-w-unknown",
        w({ nodeName: "j1-w-unknown", token: newBootstrapToken(new Date()) }),
      ),
      expired: await boot(b, "j1-w-expired", w({ nodeName: "j1-w-expired", token: expired })),
    };
    await settle(300_000);
    expect(registered(b.row.id)).toEqual(["j1-master-0", "j1-w-0", "j1-w-extra"]);
    const engine = t.emu.engine;
    expect(joinFailureOf(engine, ids.good)).toBeNull();
    expect(joinFailureOf(engine, ids.pin)).toMatch(
      /none of the public keys "sha256:[0-9a-f]{64}" are pinned/,
    );
    expect(joinFailureOf(engine, ids.endpoint)).toMatch(/dial tcp 10\.9\.9\.9:6443/);
    expect(joinFailureOf(engine, ids.unknown)).toMatch(/could not find a JWS signature .* token ID/);
    expect(joinFailureOf(engine, ids.expired)).toMatch(new RegExp(`token ID "${expired.id}"`));
  }, 120_000);

  it("refuses a control-plane join without its etcd volume attached, and a second kubeadm init", async () => {
    const b = await builtCluster();
    const master = {
      ...b.worker,
      advertiseAddress: undefined,
      certSANs: ["10.0.0.1"],
      podCidr: b.row.spec.podCidr,
      serviceCidr: b.row.spec.serviceCidr,
      material: b.pki.controlPlane,
      // A volume that exists nowhere: the disk script waits for it, then gives up.
      etcdVolumeId: "00000000-0000-4000-8000-000000000000",
    };
    const noDisk = await boot(
      b,
      "j1-master-9",
      masterCloudConfig({ ...master, nodeName: "j1-master-9", mode: "join" }),
    );
    const secondInit = await boot(
      b,
      "j1-master-8",
      masterCloudConfig({ ...master, nodeName: "j1-master-8", mode: "init" }),
    );
    await settle(1_200_000);
    expect(registered(b.row.id)).toEqual(["j1-master-0", "j1-w-0"]);
    expect(joinFailureOf(t.emu.engine, noDisk)).toMatch(
      /volume 00000000-0000-4000-8 is not attached after 900 s/,
    );
    expect(joinFailureOf(t.emu.engine, secondInit)).toMatch(/already has a control plane/);
  }, 180_000);

  it("names a node that never registers with its console log, fails the operation, and Retry replaces it", async () => {
    const b = await builtCluster();
    const control = t.emu.engine.state.kube[b.row.id]!.control!;
    // kube-public/cluster-info now publishes another CA: a new node's pin cannot match (as after a botched CA change).
    control.clusterInfoCaPem = (await createCa("kubernetes-ca replaced")).certPem;
    const ref = { projectId: built.personalProjectId, clusterId: b.row.id };
    await built.caller.nodeGroup.update({
      ...ref,
      generation: b.row.generation,
      name: "w",
      scaling: { mode: "fixed", size: 2 },
    });
    await drive(db, t, b.row.id, { maxPasses: 400, until: (r) => r.requeueAfterMs === null });
    const [failed] = await db.select().from(clusters).where(eq(clusters.id, b.row.id));
    expect(failed!.phase).toBe("Error");
    expect(failed!.status.lastError?.message).toMatch(
      /^j1-w-1 never registered with the Kubernetes API within 20 minutes of boot; its console log says: "cloud-init\[\d+\]: kubeadm join: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "sha256:[0-9a-f]{64}" are pinned"\. Retry replaces it\.$/,
    );
    expect(failed!.status.nodes.find((n) => n.name === "j1-w-1")?.state).toBe("NeverRegistered");
    expect(failed!.status.unregistered?.["j1-w-1"]?.console.join("\n")).toContain("none of the public keys");
    const firstId = failed!.status.unregistered!["j1-w-1"]!.serverId;

    // The operator fixes the cluster; Retry replaces the server, which joins.
    delete control.clusterInfoCaPem;
    await built.caller.cluster.retry(ref);
    await drive(db, t, b.row.id);
    const [ok] = await db.select().from(clusters).where(eq(clusters.id, b.row.id));
    expect(ok!.phase).toBe("Running");
    expect(ok!.status.unregistered).toEqual({});
    const w1 = ok!.status.nodes.find((n) => n.name === "j1-w-1")!;
    expect(w1.state).toBe("Ready");
    expect(w1.serverId).not.toBe(firstId);
  }, 240_000);

  it("a scale-down cordons and drains the worker, deletes its Node object, then its server", async () => {
    const b = await builtCluster();
    const ref = { projectId: built.personalProjectId, clusterId: b.row.id };
    const update = async (size: number) => {
      const [row] = await db.select().from(clusters).where(eq(clusters.id, b.row.id));
      await built.caller.nodeGroup.update({
        ...ref,
        generation: row!.generation,
        name: "w",
        scaling: { mode: "fixed", size },
      });
      await drive(db, t, b.row.id);
    };
    await update(2);
    expect(registered(b.row.id)).toEqual(["j1-master-0", "j1-w-0", "j1-w-1"]);
    await update(1);
    expect(registered(b.row.id)).toEqual(["j1-master-0", "j1-w-0"]);
    expect(
      Object.values(t.emu.engine.state.servers)
        .map((x) => x.name)
        .sort(),
    ).toEqual(["j1-master-0", "j1-w-0"]);
    const events = t.emu.engine.state.kube[b.row.id]!.events.filter((e) => e.name === "j1-w-1").map(
      (e) => e.reason,
    );
    // Cordoned, then its Node removed through the API before the server went.
    expect(events).toContain("NodeNotSchedulable");
    expect(events).toContain("RemovingNode");
    expect(events.indexOf("NodeNotSchedulable")).toBeLessThan(events.indexOf("RemovingNode"));
    const [row] = await db.select().from(clusters).where(eq(clusters.id, b.row.id));
    expect(row!.status.scaleDownDrains).toEqual({});
  }, 120_000);
});
