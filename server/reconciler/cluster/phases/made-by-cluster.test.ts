import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import type { ClusterSpecInput } from "@/server/contracts/cluster";
import { issueKubeconfig } from "@/server/services/cluster/kubeconfig";
import { requireProjectRole } from "@/server/services/project/access";
import type { TestCloud } from "@/server/testing/cloud";
import { clusterRow, drive } from "@/server/testing/converge";
import { kubectlIn } from "@/server/testing/kubectl";
import { withTestCloud, withTestDb } from "@/server/testing/suite";
import { ensureClusterPki } from "@/server/kube/store";
import { createKubeClient } from "@/server/kube/client";
import { createCloud } from "@/server/openstack";
import { cloudCredentialName, CSI_META_CLUSTER } from "../../names";
import { UNINITIALIZED_TAINT } from "./cloud-credential";

/**
 * What the cluster makes for itself, end to end: kubectl creates a Service
 * of type LoadBalancer and a claim in an emulated cluster; its cloud
 * controller and Cinder CSI (as server/emulator/kube/cloud-provider.ts
 * models them, calling the emulated OpenStack with the cluster's own
 * application credential) make an Octavia load balancer and a Cinder
 * volume; the console finds them by OCCM's names and CSI's metadata, lists
 * and prices them, and deletes them with the cluster (or keeps the volumes).
 */

let db: Db;
let t: TestCloud;
withTestDb((d) => (db = d));
withTestCloud((c) => (t = c));

const dir = mkdtempSync(path.join(os.tmpdir(), "made-by-cluster-"));
const kubectl = kubectlIn(dir);

const spec: ClusterSpecInput = {
  name: "made",
  topology: "single",
  masterCount: 1,
  masterFlavor: "STD2-2-4",
  nodeGroups: [{ name: "web", flavor: "STD2-4-8", zone: "ru-msk-a", scaling: { mode: "fixed", size: 2 } }],
  policies: { gatekeeper: false },
};

async function runningWithCloudCharts() {
  const u = await makeUser(db);
  const c = await u.caller.cluster.create({ projectId: u.personalProjectId, spec });
  await drive(db, t, c.id, {
    until: async () => {
      const s = (await clusterRow(db, c.id)).status.components ?? {};
      return (
        s["openstack-cloud-controller-manager"]?.phase === "Installed" &&
        s["openstack-cinder-csi"]?.phase === "Installed"
      );
    },
  });
  const project = await requireProjectRole(db, u.personalProjectId, u.userId, "member");
  const out = await issueKubeconfig({
    ctx: {
      db,
      actor: { userId: u.userId, email: u.email },
      requestId: "req-test",
      clientIp: null,
      encryptionKey: TEST_ENCRYPTION_KEY,
    },
    project,
    clusterId: c.id,
    request: { validity: "8h", kind: "certificate" },
  });
  const file = path.join(dir, `${c.id}.yaml`);
  writeFileSync(file, out.content, { mode: 0o600 });
  const run = async (stdin: string | null, ...args: string[]) => {
    if (stdin === null) return kubectl(file, ...args);
    const f = path.join(dir, `${c.id}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, stdin);
    return kubectl(file, ...args, "-f", f);
  };
  return { u, c, ref: { projectId: u.personalProjectId, clusterId: c.id }, kubectl: run };
}

const service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: {
    name: "shop",
    namespace: "default",
    annotations: { "loadbalancer.openstack.org/proxy-protocol": "true" },
  },
  spec: {
    type: "LoadBalancer",
    selector: { app: "web" },
    ports: [{ name: "http", port: 80, targetPort: 8080 }],
  },
};
const claim = {
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "data", namespace: "default" },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "3Gi" } } },
};
const deployment = (withClaim: boolean) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "db", namespace: "default" },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: "db" } },
    template: {
      metadata: { labels: { app: "db" } },
      spec: {
        containers: [
          {
            name: "db",
            image: "registry.example/db:1",
            resources: { requests: { cpu: "100m", memory: "128Mi" } },
          },
        ],
        ...(withClaim ? { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] } : {}),
      },
    },
  },
});

type Kubectl = Awaited<ReturnType<typeof runningWithCloudCharts>>["kubectl"];
async function makeServiceAndClaim(k: Kubectl) {
  for (const [obj, args] of [
    [service, ["create", "--validate=false"]],
    [claim, ["create", "--validate=false"]],
    [deployment(true), ["apply", "--server-side", "--validate=false"]],
  ] as const) {
    const r = await k(JSON.stringify(obj), ...args);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }
}

async function madeUntil(clusterId: string, lbs: number, volumes: number, settled = true) {
  await drive(db, t, clusterId, {
    until: async () => {
      const m = (await clusterRow(db, clusterId)).status.madeByCluster;
      return (
        m?.loadBalancers.length === lbs &&
        m.volumes.length === volumes &&
        (!settled ||
          (m.loadBalancers.every((l) => l.floatingIp && l.provisioning === "ACTIVE") &&
            m.volumes.every((v) => v.status === "in-use" && v.attachedTo)))
      );
    },
  });
  return (await clusterRow(db, clusterId)).status.madeByCluster!;
}

describe("cloud resources the cluster makes for itself", () => {
  it("a LoadBalancer Service and a claim made with kubectl get an Octavia load balancer and a Cinder volume, shown and priced, and go when kubectl deletes them", async () => {
    const { u, c, ref, kubectl: k } = await runningWithCloudCharts();
    await makeServiceAndClaim(k);
    const made = await madeUntil(c.id, 1, 1);

    // OCCM's name and tag, PROXY protocol from the annotation, one member per worker on the node port.
    const lbName = `kube_service_${c.id}_default_shop`;
    expect(made.loadBalancers[0]).toMatchObject({
      name: lbName,
      service: { namespace: "default", name: "shop" },
    });
    const s = t.emu.engine.state;
    const lb = Object.values(s.loadBalancers).find((l) => l.name === lbName)!;
    expect(lb.tags).toEqual([lbName]);
    const pool = Object.values(s.pools).find((p) => p.loadBalancerId === lb.id)!;
    expect(pool).toMatchObject({ name: `pool_0_${lbName}`, protocol: "PROXY" });
    expect(Object.values(s.members).filter((m) => m.poolId === pool.id)).toHaveLength(2);
    const svc = JSON.parse((await k(null, "get", "service", "shop", "-o", "json")).stdout) as {
      spec: { ports: Array<{ nodePort: number }> };
      status: { loadBalancer: { ingress: Array<{ ip: string }> } };
    };
    expect(svc.status.loadBalancer.ingress[0]!.ip).toBe(made.loadBalancers[0]!.floatingIp);
    expect(Object.values(s.members).find((m) => m.poolId === pool.id)!.protocolPort).toBe(
      svc.spec.ports[0]!.nodePort,
    );

    // CSI's volume: pvc-<uid>, 3 GB of the default class's type, labelled with the cluster and the claim, attached.
    const pvc = JSON.parse((await k(null, "get", "pvc", "data", "-o", "json")).stdout) as {
      metadata: { uid: string };
      spec: { volumeName: string; storageClassName: string };
      status: { phase: string };
    };
    expect(pvc.status.phase).toBe("Bound");
    expect(made.volumes[0]).toMatchObject({
      name: `pvc-${pvc.metadata.uid}`,
      sizeGb: 3,
      claim: { namespace: "default", name: "data" },
    });
    const volume = s.volumes[made.volumes[0]!.id]!;
    expect(volume.metadata[CSI_META_CLUSTER]).toBe(c.id);
    const pv = JSON.parse((await k(null, "get", "pv", pvc.spec.volumeName, "-o", "json")).stdout) as {
      spec: { csi: { volumeHandle: string } };
    };
    expect(pv.spec.csi.volumeHandle).toBe(volume.id);

    // Priced in the running cost: one load balancer, one address, 3 GB.
    const view = await u.caller.cluster.get(ref);
    const line = view.cost.lines.find((l) => l.item === "madeByCluster");
    expect(line?.label).toBe(
      "Made by the cluster: 1 Service load balancer + 1 address, 1 claim volume (3 GB)",
    );
    expect(line!.perMonth).toBeGreaterThan(0);
    expect(view.stopSaving.stoppedPerMonth).toBeGreaterThanOrEqual(line!.perMonth);

    // kubectl deletes the Service: the cloud controller releases the address and deletes the load balancer.
    expect((await k(null, "delete", "service", "shop", "--wait=false")).code).toBe(0);
    await madeUntil(c.id, 0, 1);
    expect(Object.values(s.floatingIps).some((f) => f.portId === lb.vipPortId)).toBe(false);
    expect((await k(null, "get", "service", "shop")).code).not.toBe(0);

    // The claim goes once no pod uses it; reclaim policy Delete takes its volume (detached first).
    expect((await k(null, "delete", "pvc", "data", "--wait=false")).code).toBe(0);
    await drive(db, t, c.id, { maxPasses: 3, until: () => false }).catch(() => undefined);
    expect((await k(null, "get", "pvc", "data")).code).toBe(0); // still used by the deployment's pod
    expect(
      (await k(JSON.stringify(deployment(false)), "apply", "--server-side", "--validate=false")).code,
    ).toBe(0);
    await madeUntil(c.id, 0, 0);
    expect(s.volumes[volume.id]).toBeUndefined();
    expect((await k(null, "get", "pv", pvc.spec.volumeName)).code).not.toBe(0);
  }, 180_000);

  it("deleting the cluster deletes its Service load balancers and their addresses; the claims' volumes go too, or stay when asked", async () => {
    for (const keepVolumes of [true, false]) {
      const { u, c, ref, kubectl: k } = await runningWithCloudCharts();
      await makeServiceAndClaim(k);
      const made = await madeUntil(c.id, 1, 1);
      const lb = made.loadBalancers[0]!;
      const volumeId = made.volumes[0]!.id;

      await u.caller.cluster.delete({ ...ref, confirmName: c.name, keepVolumes });
      await drive(db, t, c.id, { until: async () => (await clusterRow(db, c.id)).phase === "Deleted" });

      const s = t.emu.engine.state;
      expect(s.loadBalancers[lb.id]).toBeUndefined();
      expect(Object.values(s.floatingIps).some((f) => f.address === lb.floatingIp)).toBe(false);
      expect(await t.cloud.identity.findApplicationCredential(cloudCredentialName(c.id))).toBeNull();
      if (keepVolumes) {
        expect(s.volumes[volumeId]).toMatchObject({ status: "available" });
        expect(s.volumes[volumeId]!.metadata[CSI_META_CLUSTER]).toBe(c.id);
      } else expect(s.volumes[volumeId]).toBeUndefined();
    }
  }, 300_000);
});

describe("nodes and the cloud controller", () => {
  const nodeTaints = async (clusterId: string) => {
    const row = await clusterRow(db, clusterId);
    const pki = await ensureClusterPki(db, { id: clusterId, name: row.name }, TEST_ENCRYPTION_KEY);
    const kube = createKubeClient({
      server: row.status.apiEndpoint!,
      caCertPem: pki.ca.certPem,
      clientCertPem: pki.console.certPem,
      clientKeyPem: pki.console.keyPem,
    });
    return new Map((await kube.listNodes()).map((n) => [n.name, n.taints.map((x) => x.key)]));
  };

  it("a kubelet on the external cloud provider keeps its node tainted uninitialized until the cloud controller finds its server; then it gets its provider id and zone", async () => {
    const u = await makeUser(db);
    const c = await u.caller.cluster.create({ projectId: u.personalProjectId, spec });
    // The Helm controller runs, the cloud controller is not installed yet: every node is still uninitialized.
    await drive(db, t, c.id, {
      until: async () => {
        const s = (await clusterRow(db, c.id)).status.components ?? {};
        return (
          s["helm-controller"]?.phase === "Installed" &&
          s["openstack-cloud-controller-manager"]?.phase !== "Installed"
        );
      },
    });
    const before = await nodeTaints(c.id);
    expect(before.size).toBeGreaterThan(0);
    for (const keys of before.values()) expect(keys).toContain(UNINITIALIZED_TAINT);

    await drive(db, t, c.id, {
      until: async () =>
        (await clusterRow(db, c.id)).status.components?.["openstack-cloud-controller-manager"]?.phase ===
        "Installed",
    });
    await t.emu.kube.sync();
    for (const keys of (await nodeTaints(c.id)).values()) expect(keys).not.toContain(UNINITIALIZED_TAINT);
    const k = t.emu.engine.state.kube[c.id]!;
    expect(Object.values(k.initialized ?? {}).every((v) => v === "cloud")).toBe(true);
    // Only now do non-system pods run on the workers (the sample workload's pods were Pending until then).
    await drive(db, t, c.id, { until: () => k.pods.some((p) => p.node && p.namespace === "default") });
  }, 120_000);

  it("with a restricted binding no cloud controller can come: the console removes the taint itself, and pods run", async () => {
    const made = await t.cloud.identity.createApplicationCredential({ name: "restricted-binding" });
    const restricted = createCloud({
      ...t.cloud.config,
      auth: { type: "application_credential", id: made.id, secret: made.secret },
    });
    try {
      const u = await makeUser(db);
      const c = await u.caller.cluster.create({ projectId: u.personalProjectId, spec });
      const rt = { ...t, cloud: restricted };
      await drive(db, rt, c.id, {
        until: async () => {
          const row = await clusterRow(db, c.id);
          return row.phase === "Running" && row.status.cloudIntegration?.available === false;
        },
      });
      const k = t.emu.engine.state.kube[c.id]!;
      await drive(db, rt, c.id, {
        until: async () =>
          [...(await nodeTaints(c.id)).values()].every((keys) => !keys.includes(UNINITIALIZED_TAINT)) &&
          k.pods.some((p) => p.node && p.namespace === "default"),
      });
      expect(Object.values(k.initialized ?? {}).every((v) => v === "untainted")).toBe(true);
      const row = await clusterRow(db, c.id);
      expect(row.status.components?.["openstack-cloud-controller-manager"]).toMatchObject({
        phase: "Failed",
      });
    } finally {
      restricted.close();
    }
  }, 120_000);
});
