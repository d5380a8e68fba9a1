import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import { issueKubeconfig } from "@/server/services/cluster/kubeconfig";
import { requireProjectRole } from "@/server/services/project/access";
import type { TestCloud } from "@/server/testing/cloud";
import { drive } from "@/server/testing/converge";
import { kubectlIn } from "@/server/testing/kubectl";
import { withTestCloud, withTestDb } from "@/server/testing/suite";

/**
 * CRDs served generically by the emulated API server, through real kubectl:
 * a CRD created becomes a resource in discovery; its objects are validated
 * against the CRD's openAPIV3Schema (a backtracking-prone pattern answers at
 * once); deleting the CRD takes its objects.
 */

let db: Db;
let t: TestCloud;
withTestDb((d) => (db = d));
withTestCloud((c) => (t = c));

const dir = mkdtempSync(path.join(os.tmpdir(), "crds-"));
const kubectl = kubectlIn(dir);

const crd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "backups.example.com" },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { plural: "backups", singular: "backup", kind: "Backup", shortNames: ["bk"] },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            required: ["spec"],
            properties: {
              spec: {
                type: "object",
                required: ["schedule"],
                properties: {
                  schedule: { type: "string", pattern: "^(a+)+$|^@(daily|hourly)$" },
                  keep: { type: "integer", minimum: 1, maximum: 30 },
                },
              },
            },
          },
        },
      },
    ],
  },
};
const backup = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: "example.com/v1",
  kind: "Backup",
  metadata: { name, namespace: "default" },
  spec,
});

describe("CRDs on the emulated API server", () => {
  it("a CRD created with kubectl is served: discovery, create, get, list, validation against its schema, delete", async () => {
    const u = await makeUser(db);
    const c = await u.caller.cluster.create({
      projectId: u.personalProjectId,
      spec: {
        name: "crds",
        topology: "single",
        masterCount: 1,
        masterFlavor: "STD2-2-4",
        nodeGroups: [
          { name: "web", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 1 } },
        ],
      },
    });
    await drive(db, t, c.id);
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
    const k = async (obj: unknown | null, ...args: string[]) => {
      if (obj === null) return kubectl(file, ...args);
      const f = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(f, JSON.stringify(obj));
      return kubectl(file, ...args, "-f", f);
    };

    // A CRD whose name is not <plural>.<group> is refused, and nothing is served.
    const bad = await k({ ...crd, metadata: { name: "backup.example.com" } }, "create", "--validate=false");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/must be spec\.names\.plural\+"\."\+spec\.group/);
    expect((await k(null, "get", "backups")).code).not.toBe(0);

    expect((await k(crd, "create", "--validate=false")).code).toBe(0);
    const resources = await k(null, "api-resources", "--api-group=example.com");
    expect(resources.stdout).toMatch(/backups\s+bk\s+example\.com\/v1\s+true\s+Backup/);

    const made = await k(backup("nightly", { schedule: "@daily", keep: 7 }), "create", "--validate=false");
    expect(made.stderr).toBe("");
    expect(made.code).toBe(0);
    const got = JSON.parse((await k(null, "get", "backup", "nightly", "-o", "json")).stdout) as {
      spec: { keep: number };
    };
    expect(got.spec.keep).toBe(7);
    const listed = JSON.parse((await k(null, "get", "bk", "-A", "-o", "json")).stdout) as {
      items: Array<{ metadata: { name: string } }>;
    };
    expect(listed.items.map((i) => i.metadata.name)).toEqual(["nightly"]);

    // The schema holds: a value out of range, a missing field, and a pattern built to backtrack (on RE2: at once).
    const t0 = performance.now();
    const refused = await k(
      backup("evil", { schedule: "a".repeat(40) + "!", keep: 99 }),
      "create",
      "--validate=false",
    );
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/spec\.schedule: must match pattern/);
    expect(refused.stderr).toMatch(/spec\.keep: must be <= 30/);
    const missing = await k(backup("none", {}), "create", "--validate=false");
    expect(missing.stderr).toMatch(/spec: must have required property 'schedule'/);

    // Deleting the CRD takes its objects; the resource is no longer served.
    expect((await k(null, "delete", "crd", "backups.example.com")).code).toBe(0);
    expect(t.emu.engine.state.kube[c.id]!.customObjects ?? {}).toEqual({});
    expect((await k(null, "get", "backups")).code).not.toBe(0);
  }, 120_000);
});
