import { eq } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { clusters } from "@/db/schema";
import { createTestDb, makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import type { ClusterSpecInput } from "@/server/contracts/cluster";
import { OperatorCloudConfig } from "@/server/domain/cloud-catalog";
import { NEWEST_VERSION } from "@/server/domain/versions";
import type { KubeClient } from "@/server/kube/client";
import type { OpenStackCloud } from "@/server/openstack";
import { LAB, LAB_AUTH_URL, labCloud, purgeLab, sweepLabCluster } from "@/server/testing/lab";
import { readCloudCredential } from "@/server/kube/store";
import { refreshCatalog } from "../catalog";
import { cloudCredentialName } from "../names";
import { reconcileCluster } from "./reconcile";

/**
 * Clusters through the console's own services and reconciler, against the
 * real OpenStack lab: a project bound to the lab's demo project, a
 * catalog read from it (zones GZ1/MS1, Cinder zone `nova`, flavors
 * small/medium/large, volume types high-iops and Cinder's default), and
 * single, standard and regional clusters created, scaled, stopped, started
 * and deleted — with the lab swept by tag after every delete. The lab has no
 * hypervisor: no node ever runs Kubernetes, so this asserts the OpenStack
 * side, and the console converges with its "API unreachable" warning.
 */

let db: Db;
let drop: () => Promise<void>;
let cloud: OpenStackCloud;
let imageId: string | null = null;
/** Cluster names unique to this run (a crashed run's leftovers never meet the next one's). */
const run = randomBytes(3).toString("hex");
const named = (kind: string) => `kc${run}-${kind}`;
/** Clusters a test created; a failed test's are deleted (or purged) after it, so the next one has quota. */
const created: Array<{ id: string; name: string }> = [];
/** A cluster can take a few minutes per step in the lab (a boot from volume copies the image). */
const LONG = 15 * 60_000;

/** No node answers in the lab, and its floating IPs (203.0.113.0/24) must never be dialled: the API is "down". */
const unreachable = new Proxy(
  {},
  { get: () => () => Promise.reject(new Error("the lab has no hypervisor: no Kubernetes API answers")) },
) as KubeClient;

const deps = () => ({
  db,
  cloudFor: async () => cloud,
  encryptionKey: TEST_ENCRYPTION_KEY,
  catalogConfigOf: async () => OperatorCloudConfig.parse({}),
  kubeFor: () => unreachable,
  // The API never answers here; the operation converges after this without it, as it would after 10 minutes.
  apiWaitMs: 5_000,
});

/** A private node image in the lab's Glance, with the image-builder's properties (1 MiB of zeros). */
async function uploadNodeImage(): Promise<string> {
  const { token, catalog } = await cloud.session.auth();
  const glance = catalog
    .find((c) => c.type === "image")!
    .endpoints.find((e) => e.interface === "public")!
    .url.replace(/\/+$/, "");
  const headers = { "x-auth-token": token, "content-type": "application/json" };
  const created = await fetch(`${glance}/v2/images`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      name: `kclab-node-v${NEWEST_VERSION}`,
      disk_format: "raw",
      container_format: "bare",
      visibility: "private",
      kube_version: `v${NEWEST_VERSION}`,
      os_distro: "ubuntu",
      os_version: "24.04",
    }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const put = await fetch(`${glance}/v2/images/${id}/file`, {
    method: "PUT",
    headers: { "x-auth-token": token, "content-type": "application/octet-stream" },
    body: new Uint8Array(1024 * 1024),
  });
  expect(put.status).toBe(204);
  return id;
}

beforeAll(async () => {
  ({ db, drop } = await createTestDb());
  cloud = labCloud();
  // A crashed earlier run may have left its node image behind.
  for (const i of await cloud.image.listImages())
    if (i.name.startsWith("kclab-node-"))
      await cloud.session.request("image", { method: "DELETE", path: `/v2/images/${i.id}` });
  imageId = await uploadNodeImage();
});

afterEach(async () => {
  for (const c of created.splice(0)) {
    const r = (await db.select().from(clusters).where(eq(clusters.id, c.id)))[0];
    if (r && !r.deletedAt) {
      await db.update(clusters).set({ deletionRequestedAt: new Date() }).where(eq(clusters.id, c.id));
      await converge(c.id, `clean up ${c.name}`).catch(() => undefined);
    }
    const left = await sweepLabCluster(cloud, c);
    if (left.length) await purgeLab(cloud, left);
    const appCred = await cloud.identity
      .findApplicationCredential(cloudCredentialName(c.id))
      .catch(() => null);
    if (appCred) await cloud.identity.deleteApplicationCredential(appCred.id).catch(() => undefined);
  }
}, LONG);

afterAll(async () => {
  if (imageId) {
    const { token, catalog } = await cloud.session.auth();
    const glance = catalog.find((c) => c.type === "image")!.endpoints[0]!.url.replace(/\/+$/, "");
    await fetch(`${glance}/v2/images/${imageId}`, { method: "DELETE", headers: { "x-auth-token": token } });
  }
  cloud.close();
  await drop();
});

/** A console user whose personal project is bound to the lab, with the catalog the worker would read. */
async function labProject() {
  const u = await makeUser(db);
  const projectId = u.personalProjectId;
  await u.caller.cloud.set({
    projectId,
    authUrl: LAB_AUTH_URL,
    region: LAB.region,
    auth: {
      type: "password",
      username: "demo",
      secret: "demopass",
      projectName: "demo",
      userDomainName: "Default",
      projectDomainName: "Default",
    },
  });
  const catalog = await refreshCatalog(db, projectId, cloud, OperatorCloudConfig.parse({}));
  return { u, projectId, catalog };
}

const row = async (id: string) => (await db.select().from(clusters).where(eq(clusters.id, id)))[0]!;

/** Passes until the cluster's operation is done (or its row is gone), failing on a terminal error. */
async function converge(id: string, what: string, timeoutMs = 8 * 60_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const r = await reconcileCluster(deps(), id);
    const c = (await db.select().from(clusters).where(eq(clusters.id, id)))[0];
    if (!c || c.deletedAt) return;
    if (c.phase === "Error") throw new Error(`${what}: ${c.status.lastError?.message ?? "Error"}`);
    if (r.converged && r.requeueAfterMs === null) {
      console.info(`[lab] ${what}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
      return;
    }
    if (r.converged && c.phase !== "Provisioning" && c.phase !== "Updating" && c.phase !== "Deleting") {
      console.info(`[lab] ${what}: ${((Date.now() - started) / 1000).toFixed(0)} s (${c.phase})`);
      return;
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(`${what}: not converged after ${timeoutMs / 1000} s (${c.phase})`);
    await new Promise((res) => setTimeout(res, Math.min(Math.max(r.requeueAfterMs ?? 2000, 500), 3000)));
  }
}

/**
 * A load balancer, floating IP and volume made the way OCCM and Cinder CSI
 * make them for a cluster whose `cluster.name`/`clusterID` is its id: the
 * Service's address on the VIP port (the lab's VIP is a real Neutron port),
 * and a second address OCCM left behind (its LB gone without it).
 */
async function makeAsTheClusterWould(clusterId: string) {
  const subnet = (await cloud.network.listSubnets({ tags: [`kc-cluster=${clusterId}`] }))[0]!;
  const lbName = `kube_service_${clusterId}_default_shop`;
  const lb = await cloud.loadBalancer.createLoadBalancer({
    name: lbName,
    vipSubnetId: subnet.id,
    description: `Kubernetes external service default/shop from cluster ${clusterId}`,
    tags: [lbName],
  });
  const catalog = await refreshCatalog(
    db,
    (await row(clusterId)).projectId,
    cloud,
    OperatorCloudConfig.parse({}),
  );
  const description = (svc: string) =>
    `Floating IP for Kubernetes external service default/${svc} from cluster ${clusterId}`;
  const fip = await cloud.network.createFloatingIp({
    networkId: catalog.externalNetworkId!,
    portId: lb.vipPortId,
    description: description("shop"),
  });
  const stray = await cloud.network.createFloatingIp({
    networkId: catalog.externalNetworkId!,
    description: description("gone"),
  });
  const volume = await cloud.blockStorage.createVolume({
    name: `pvc-${randomBytes(8).toString("hex")}`,
    sizeGb: 1,
    metadata: {
      "cinder.csi.openstack.org/cluster": clusterId,
      "csi.storage.k8s.io/pvc/name": "data",
      "csi.storage.k8s.io/pvc/namespace": "default",
    },
  });
  return { lb, fip, stray, volume };
}

/** Delete through the service, converge, and sweep the lab by tag: nothing may be left. */
async function deleteAndSweep(
  u: Awaited<ReturnType<typeof makeUser>>,
  projectId: string,
  id: string,
  name: string,
) {
  await u.caller.cluster.delete({ projectId, clusterId: id, confirmName: name });
  await converge(id, `delete ${name.slice(name.indexOf("-") + 1)}`);
  expect((await row(id)).deletedAt).not.toBeNull();
  expect(await sweepLabCluster(cloud, { id, name })).toEqual([]);
  // Its Keystone application credential went with it.
  expect(await cloud.identity.findApplicationCredential(cloudCredentialName(id))).toBeNull();
}

async function servers(id: string) {
  return (await cloud.compute.listServers({ tags: [`kc-cluster=${id}`] })).map((s) => ({
    name: s.name,
    status: s.status,
    zone: s.availabilityZone,
  }));
}

describe("clusters on a real OpenStack (the lab)", () => {
  it("reads the lab's catalog: its zones, Cinder zone, flavors, volume types, node image and network", async () => {
    const { catalog } = await labProject();
    expect(catalog.computeZones).toEqual([...LAB.computeZones].sort());
    expect(catalog.volumeZones).toEqual([LAB.volumeZone]);
    expect(Object.values(catalog.volumeZoneOf).every((z) => z === null)).toBe(true);
    expect(catalog.flavors.map((f) => f.name)).toEqual(expect.arrayContaining([...LAB.flavors]));
    expect(catalog.etcdVolumeType).toBe(LAB.volumeType);
    expect(catalog.images.map((i) => [i.kubernetesVersion, i.matchedBy])).toEqual([
      [NEWEST_VERSION, "properties"],
    ]);
    expect(catalog.externalNetworks.find((n) => n.id === catalog.externalNetworkId)?.name).toBe(
      LAB.externalNetwork,
    );
    // Nothing in the lab is priced: the wizard says so instead of showing 0.
    expect(catalog.flavors.every((f) => f.pricePerHour === null)).toBe(true);
  });

  it(
    "a single-master cluster: create, scale, stop, start, delete, nothing left",
    async () => {
      const { u, projectId } = await labProject();
      const [zoneA] = [...LAB.computeZones].sort();
      const spec: ClusterSpecInput = {
        name: named("single"),
        topology: "single",
        masterCount: 1,
        masterZone: zoneA,
        masterFlavor: "small",
        nodeGroups: [{ name: "web", flavor: "small", zone: zoneA!, scaling: { mode: "fixed", size: 1 } }],
      };
      // The emulator's names are refused here, with the lab's own listed.
      await expect(
        u.caller.cluster.create({
          projectId,
          spec: { ...spec, masterZone: "ru-msk-a", masterFlavor: "STD2-2-4" },
        }),
      ).rejects.toThrow(/Some fields need attention/);
      const c = await u.caller.cluster.create({ projectId, spec });
      created.push({ id: c.id, name: c.name });
      expect(c.spec).toMatchObject({ version: NEWEST_VERSION, etcd: { volumeType: LAB.volumeType } });
      const name = c.name;
      await converge(c.id, "create single");
      expect((await row(c.id)).phase).toBe("Running");
      // The cluster's own Keystone application credential (cloud controller, Cinder CSI), stored encrypted,
      // and really usable against the lab's Keystone.
      const appCred = await cloud.identity.findApplicationCredential(cloudCredentialName(c.id));
      expect(appCred).not.toBeNull();
      const stored = await readCloudCredential(db, c.id, TEST_ENCRYPTION_KEY);
      expect(stored?.id).toBe(appCred!.id);
      expect(await cloud.identity.verifyApplicationCredential(stored!)).toBe(true);
      expect((await servers(c.id)).map((s) => [s.name, s.status, s.zone])).toEqual(
        expect.arrayContaining([
          [`${name}-master-0`, "ACTIVE", zoneA],
          [`${name}-web-0`, "ACTIVE", zoneA],
        ]),
      );
      const etcd = await cloud.blockStorage.listVolumes({ metadata: { "kc-cluster": c.id } });
      expect(etcd.map((v) => [v.status, v.availabilityZone, v.volumeType])).toEqual([
        ["in-use", LAB.volumeZone, LAB.volumeType],
      ]);
      const lbs = await cloud.loadBalancer.listLoadBalancers({ tags: [`kc-cluster=${c.id}`] });
      expect(lbs.map((l) => l.provisioningStatus)).toEqual(["ACTIVE"]);
      const fips = await cloud.network.listFloatingIps({ tags: [`kc-cluster=${c.id}`] });
      expect(fips.map((f) => f.portId)).toEqual([lbs[0]!.vipPortId]);

      const g = (await row(c.id)).generation;
      await u.caller.nodeGroup.update({
        projectId,
        clusterId: c.id,
        generation: g,
        name: "web",
        scaling: { mode: "fixed", size: 2 },
      });
      await converge(c.id, "scale single 1 → 2");
      expect(
        (await servers(c.id)).filter((s) => s.name.startsWith(`${name}-web-`)).map((s) => s.status),
      ).toEqual(["ACTIVE", "ACTIVE"]);

      await u.caller.cluster.stop({ projectId, clusterId: c.id });
      await converge(c.id, "stop single");
      expect((await row(c.id)).phase).toBe("Stopped");
      expect(new Set((await servers(c.id)).map((s) => s.status))).toEqual(new Set(["SHUTOFF"]));
      await u.caller.cluster.start({ projectId, clusterId: c.id });
      await converge(c.id, "start single");
      expect(new Set((await servers(c.id)).map((s) => s.status))).toEqual(new Set(["ACTIVE"]));

      // What the cluster's own cloud controller and Cinder CSI would have made (no node runs them here):
      // made with the same calls, names, tags, description and metadata, found by the console and deleted with it.
      const made = await makeAsTheClusterWould(c.id);
      await converge(c.id, "observe what the cluster made");
      const seen = (await row(c.id)).status.madeByCluster!;
      expect(seen.loadBalancers.map((l) => [l.id, l.service, l.floatingIp])).toEqual([
        [made.lb.id, { namespace: "default", name: "shop" }, made.fip.address],
      ]);
      expect(seen.volumes.map((v) => [v.id, v.claim])).toEqual([
        [made.volume.id, { namespace: "default", name: "data" }],
      ]);
      expect(seen.strayAddresses).toEqual([{ id: made.stray.id, address: made.stray.address }]);

      await deleteAndSweep(u, projectId, c.id, name);
    },
    LONG,
  );

  it(
    "a standard cluster: 3 masters in one zone, etcd volumes with no zone Cinder lacks, deleted clean",
    async () => {
      const { u, projectId } = await labProject();
      const zone = [...LAB.computeZones].sort()[1]!;
      const c = await u.caller.cluster.create({
        projectId,
        spec: {
          name: named("standard"),
          topology: "standard",
          masterCount: 3,
          masterZone: zone,
          masterFlavor: "small",
        },
      });
      created.push({ id: c.id, name: c.name });
      await converge(c.id, "create standard");
      const s = await servers(c.id);
      expect(s.map((x) => [x.status, x.zone])).toEqual(Array.from({ length: 3 }, () => ["ACTIVE", zone]));
      const etcd = await cloud.blockStorage.listVolumes({ metadata: { "kc-cluster": c.id } });
      expect(etcd.map((v) => v.status)).toEqual(["in-use", "in-use", "in-use"]);
      await deleteAndSweep(u, projectId, c.id, c.name);
    },
    LONG,
  );

  it(
    "a regional cluster spreads its masters over the lab's zones, and deletes clean",
    async () => {
      const { u, projectId } = await labProject();
      const c = await u.caller.cluster.create({
        projectId,
        spec: { name: named("regional"), topology: "regional", masterCount: 3, masterFlavor: "small" },
      });
      created.push({ id: c.id, name: c.name });
      expect(c.spec.regionZones).toEqual([...LAB.computeZones].sort());
      await converge(c.id, "create regional");
      const zones = (await servers(c.id)).map((x) => x.zone).sort();
      const [a, b] = [...LAB.computeZones].sort();
      expect(zones).toEqual([a, a, b].sort());
      await deleteAndSweep(u, projectId, c.id, c.name);
    },
    LONG,
  );
});
