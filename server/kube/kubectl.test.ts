import { kubectlIn } from "@/server/testing/kubectl";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { auditLog } from "@/db/schema";
import { createTestDb, makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import { issueKubeconfig } from "@/server/services/cluster/kubeconfig";
import { requireProjectRole } from "@/server/services/project/access";
import { startTestCloud, type TestCloud } from "@/server/testing/cloud";
import { clusterRow, drive } from "@/server/testing/converge";
import { createKubeClient } from "./client";
import { certificateKubeconfig } from "./kubeconfig";
import { issueCertificate } from "./pki";
import { ensureClusterPki } from "./store";

let db: Db;
let drop: () => Promise<void>;
let t: TestCloud;
const dir = mkdtempSync(path.join(os.tmpdir(), "kubectl-test-"));

const kubectl = kubectlIn(dir);
function save(name: string, content: string) {
  const f = path.join(dir, name);
  writeFileSync(f, content, { mode: 0o600 });
  return f;
}

let user: Awaited<ReturnType<typeof makeUser>>;
let clusterId: string;
let otherClusterId: string;

beforeAll(async () => {
  ({ db, drop } = await createTestDb());
  t = await startTestCloud();
  user = await makeUser(db);
  const c = await user.caller.cluster.create({
    projectId: user.personalProjectId,
    spec: {
      name: "kc1",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [
        { name: "pool", flavor: "STD2-2-4", zone: "ru-msk-b", scaling: { mode: "fixed", size: 2 } },
      ],
    },
  });
  clusterId = c.id;
  const other = await user.caller.cluster.create({
    projectId: user.personalProjectId,
    spec: { name: "kc2", topology: "single", masterCount: 1, masterFlavor: "STD2-2-4", nodeGroups: [] },
  });
  otherClusterId = other.id;
  await drive(db, t, clusterId);
  // Kubelets post Ready a little after their servers boot.
  await drive(db, t, clusterId, {
    until: async () => {
      const row = await clusterRow(db, clusterId);
      // Nodes get their zone label from the cloud controller once it runs.
      return (
        row.status.nodes.every((n) => n.state === "Ready" && n.version) &&
        row.status.components?.["openstack-cloud-controller-manager"]?.phase === "Installed"
      );
    },
  });
  await t.emu.kube.sync();
}, 240_000);
afterAll(async () => {
  await t.stop();
  await drop();
});

const svcCtx = () => ({
  db,
  actor: { userId: user.userId, email: user.email },
  requestId: "req-test",
  clientIp: null,
  encryptionKey: TEST_ENCRYPTION_KEY,
});

describe("kubeconfig and the emulated Kubernetes API", () => {
  it("a downloaded kubeconfig works with kubectl: get nodes lists the cluster's nodes", async () => {
    const project = await requireProjectRole(db, user.personalProjectId, user.userId, "member");
    const out = await issueKubeconfig({
      ctx: svcCtx(),
      project,
      clusterId,
      request: { validity: "8h", kind: "certificate" },
    });
    expect(out.filename).toBe("kc1-kubeconfig.yaml");
    expect(out.expiresAt!.getTime() - Date.now()).toBeGreaterThan(7.9 * 3_600_000);
    const file = save("kc1.yaml", out.content);

    const r = await kubectl(file, "get", "nodes", "-o", "json");
    expect(r.stderr).toBe("");
    const list = JSON.parse(r.stdout) as {
      items: Array<{
        metadata: { name: string; labels: Record<string, string> };
        status: { nodeInfo: { kubeletVersion: string }; conditions: Array<{ type: string; status: string }> };
      }>;
    };
    const row = await clusterRow(db, clusterId);
    expect(list.items.map((n) => n.metadata.name).sort()).toEqual(row.status.nodes.map((n) => n.name).sort());
    const worker = list.items.find((n) => n.metadata.name === "kc1-pool-0")!;
    expect(worker.metadata.labels["topology.kubernetes.io/zone"]).toBe("ru-msk-b");
    expect(worker.metadata.labels["kube-console.io/node-group"]).toBe("pool");
    expect(worker.status.nodeInfo.kubeletVersion).toBe(`v${row.spec.version}`);
    expect(worker.status.conditions.find((c) => c.type === "Ready")?.status).toBe("True");

    // The human table, as kubectl prints it.
    const table = await kubectl(file, "get", "nodes");
    expect(table.stdout).toMatch(/NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    expect(table.stdout).toMatch(/kc1-master-0\s+Ready\s+control-plane/);

    // Cordon and uncordon, as an operator would.
    expect((await kubectl(file, "cordon", "kc1-pool-1")).stdout).toContain("cordoned");
    expect((await kubectl(file, "get", "node", "kc1-pool-1")).stdout).toContain("Ready,SchedulingDisabled");
    expect((await kubectl(file, "uncordon", "kc1-pool-1")).stdout).toContain("uncordoned");

    // The workload and its events are there too.
    const pods = await kubectl(file, "get", "pods", "-A", "-o", "json");
    expect((JSON.parse(pods.stdout) as { items: unknown[] }).items.length).toBeGreaterThan(5);
    const events = await kubectl(file, "get", "events", "-A", "-o", "json");
    expect(JSON.stringify(JSON.parse(events.stdout))).toContain("NodeReady");

    const audits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "cluster.kubeconfig.download"), eq(auditLog.targetId, clusterId)));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.details).toMatchObject({ kind: "certificate", validity: "8h" });
    expect(JSON.stringify(audits[0])).not.toContain("PRIVATE KEY");
  });

  it("refuses a certificate from another cluster's CA and an expired one with 401", async () => {
    const mine = await ensureClusterPki(db, { id: clusterId, name: "kc1" }, TEST_ENCRYPTION_KEY);
    const theirs = await ensureClusterPki(db, { id: otherClusterId, name: "kc2" }, TEST_ENCRYPTION_KEY);
    const server = (await clusterRow(db, clusterId)).status.apiEndpoint!;
    const foreign = await issueCertificate({
      ca: theirs.ca,
      commonName: user.email,
      organizations: ["system:masters"],
      usage: "client",
      validityMs: 3_600_000,
    });
    const f1 = save(
      "foreign.yaml",
      certificateKubeconfig({
        clusterName: "kc1",
        server,
        caCertPem: mine.ca.certPem,
        user: user.email,
        clientCertPem: foreign.certPem,
        clientKeyPem: foreign.keyPem,
      }),
    );
    const r1 = await kubectl(f1, "get", "nodes");
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toMatch(/Unauthorized/);

    const expired = await issueCertificate({
      ca: mine.ca,
      commonName: user.email,
      organizations: ["system:masters"],
      usage: "client",
      validityMs: 3_600_000,
      now: new Date(Date.now() - 2 * 86_400_000),
    });
    const f2 = save(
      "expired.yaml",
      certificateKubeconfig({
        clusterName: "kc1",
        server,
        caCertPem: mine.ca.certPem,
        user: user.email,
        clientCertPem: expired.certPem,
        clientKeyPem: expired.keyPem,
      }),
    );
    const r2 = await kubectl(f2, "get", "nodes");
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/Unauthorized/);

    // A valid certificate without system:masters is authenticated but not authorized.
    const plain = await issueCertificate({
      ca: mine.ca,
      commonName: "someone",
      usage: "client",
      validityMs: 3_600_000,
    });
    const f3 = save(
      "plain.yaml",
      certificateKubeconfig({
        clusterName: "kc1",
        server,
        caCertPem: mine.ca.certPem,
        user: "someone",
        clientCertPem: plain.certPem,
        clientKeyPem: plain.keyPem,
      }),
    );
    const r3 = await kubectl(f3, "get", "nodes");
    expect(r3.stderr).toMatch(/forbidden/i);
  });

  it("the console reads nodes through @kubernetes/client-node with its own certificate", async () => {
    const pki = await ensureClusterPki(db, { id: clusterId, name: "kc1" }, TEST_ENCRYPTION_KEY);
    const kube = createKubeClient({
      server: (await clusterRow(db, clusterId)).status.apiEndpoint!,
      caCertPem: pki.ca.certPem,
      clientCertPem: pki.console.certPem,
      clientKeyPem: pki.console.keyPem,
    });
    expect(await kube.readyz()).toBe(true);
    const nodes = await kube.listNodes();
    expect(nodes.filter((n) => n.ready)).toHaveLength(3);
    expect(nodes.find((n) => n.controlPlane)?.name).toBe("kc1-master-0");
    expect((await kube.listPdbs()).map((p) => `${p.namespace}/${p.name}`)).toContain("shop/checkout");
    expect((await kube.deprecatedApis()).length).toBeGreaterThan(0);
  });

  it("rotating the CA: old kubeconfigs work until the rotation completes, then stop; new ones work", async () => {
    const project = await requireProjectRole(db, user.personalProjectId, user.userId, "member");
    const kubeconfig = async (name: string) =>
      save(
        name,
        (
          await issueKubeconfig({
            ctx: svcCtx(),
            project,
            clusterId,
            request: { validity: "8h", kind: "certificate" },
          })
        ).content,
      );
    const before = await kubeconfig("before.yaml");
    expect((await kubectl(before, "get", "nodes")).code).toBe(0);

    await user.caller.cluster.rotateCa({ projectId: user.personalProjectId, clusterId });
    await expect(
      user.caller.cluster.rotateCa({ projectId: user.personalProjectId, clusterId }),
    ).rejects.toThrow();
    // First step: both CAs trusted; the old kubeconfig still works, and so does one issued now.
    await drive(db, t, clusterId, {
      until: async () => (await clusterRow(db, clusterId)).status.caRotation?.phase === "trusting",
    });
    await t.emu.kube.sync();
    expect((await kubectl(before, "get", "nodes")).code).toBe(0);
    const during = await kubeconfig("during.yaml");
    expect((await kubectl(during, "get", "nodes")).code).toBe(0);

    await drive(db, t, clusterId);
    await t.emu.kube.sync();
    const row = await clusterRow(db, clusterId);
    expect(row.status.caRotation?.phase).toBe("done");
    expect(row.phase).toBe("Running");
    const old = await kubectl(before, "get", "nodes");
    expect(old.code).not.toBe(0);
    expect(old.stderr).toMatch(/certificate signed by unknown authority|Unauthorized/);
    expect((await kubectl(during, "get", "nodes")).code).toBe(0);
    expect((await kubectl(await kubeconfig("after.yaml"), "get", "nodes")).code).toBe(0);
    const audits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "cluster.ca.rotate"), eq(auditLog.targetId, clusterId)));
    expect(audits).toHaveLength(1);
  });

  it("the kubeconfig is refused before the API has an address, and for viewers", async () => {
    const project = await requireProjectRole(db, user.personalProjectId, user.userId, "member");
    await expect(
      issueKubeconfig({
        ctx: svcCtx(),
        project,
        clusterId: otherClusterId,
        request: { validity: "8h", kind: "certificate" },
      }),
    ).rejects.toThrow(/no API address yet/);
    const viewer = await makeUser(db);
    await user.caller.member.add({ projectId: user.personalProjectId, email: viewer.email, role: "viewer" });
    await expect(requireProjectRole(db, user.personalProjectId, viewer.userId, "member")).rejects.toThrow(
      /member role or higher/,
    );
  });
});
