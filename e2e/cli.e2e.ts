import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { expect, test, trpcMutation } from "./fixtures";

test.setTimeout(420_000);

/**
 * The declarative CLI against the running console, as a CI job would use it:
 * an API token, a cluster kept as the wizard's YAML, `kc apply` to create and
 * change it, a kubeconfig kubectl works with, and `kc delete`.
 */
test("kc: apply creates a cluster and waits until Running, a second apply changes nothing, an edit scales a node group, kubeconfig works with kubectl, delete removes it", async ({
  page,
  user,
  baseURL,
}) => {
  const { secret, token } = await trpcMutation<{ secret: string; token: { id: string } }>(
    page.request,
    "token.create",
    {
      name: "cli e2e",
      projectIds: [user.personalProjectId],
      maxRole: "member",
    },
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), "e2e-kc-"));
  const env = { ...process.env, HOME: dir, KC_CONFIG: path.join(dir, "kc.json"), KUBECONFIG: "" };
  const kc = (...args: string[]) => {
    const r = spawnSync(process.execPath, ["bin/kc.mjs", ...args], {
      env,
      encoding: "utf8",
      timeout: 360_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  const login = kc("login", "--url", baseURL!, "--token", secret);
  expect(login.code, login.err).toBe(0);
  expect(statSync(env.KC_CONFIG).mode & 0o777).toBe(0o600);
  expect(readFileSync(env.KC_CONFIG, "utf8")).toContain(secret);

  const spec = {
    name: "cli",
    topology: "single",
    masterCount: 1,
    masterFlavor: "STD2-2-4",
    nodeGroups: [
      { name: "workers", flavor: "STD2-4-8", zone: "ru-msk-a", scaling: { mode: "fixed", size: 1 } },
    ],
  };
  const file = path.join(dir, "cluster.yaml");
  writeFileSync(file, stringify(spec));

  const created = kc("apply", "-f", file, "--wait", "--timeout", "5m", "-o", "json");
  expect(created.code, created.err).toBe(0);
  expect(created.err).toContain("absent, creating");
  expect(created.err).toMatch(/\[#+\] \d+\/\d+ create/);
  const cluster = JSON.parse(created.out) as { id: string; phase: string };
  expect(cluster.phase).toBe("Running");

  const again = kc("apply", "-f", file);
  expect(again.code, again.err).toBe(0);
  expect(again.err).toContain("unchanged");

  writeFileSync(
    file,
    stringify({ ...spec, nodeGroups: [{ ...spec.nodeGroups[0], scaling: { mode: "fixed", size: 2 } }] }),
  );
  const scaled = kc("apply", "-f", file, "--wait", "--timeout", "5m", "-o", "json");
  expect(scaled.code, scaled.err).toBe(0);
  expect(scaled.err).toContain("-       size: 1");
  expect(scaled.err).toContain("+       size: 2");
  const after = JSON.parse(scaled.out) as { spec: { nodeGroups: Array<{ scaling: { size: number } }> } };
  expect(after.spec.nodeGroups[0]?.scaling.size).toBe(2);

  const kubeconfig = path.join(dir, "cli.kubeconfig");
  const kcfg = kc("kubeconfig", "cli", "--validity", "8h", "--out", kubeconfig);
  expect(kcfg.code, kcfg.err).toBe(0);
  const nodes = spawnSync("/usr/bin/kubectl", ["--kubeconfig", kubeconfig, "get", "nodes", "-o", "name"], {
    encoding: "utf8",
  });
  expect(nodes.status, nodes.stderr).toBe(0);
  expect(nodes.stdout.trim().split("\n").length).toBeGreaterThanOrEqual(3);
  const merged = kc("kubeconfig", "cli", "--merge");
  expect(merged.code, merged.err).toBe(0);
  const viaMerge = spawnSync(
    "/usr/bin/kubectl",
    ["--kubeconfig", path.join(dir, ".kube", "config"), "get", "nodes"],
    {
      encoding: "utf8",
    },
  );
  expect(viaMerge.status, viaMerge.stderr).toBe(0);

  // Exit codes scripts can test.
  expect(kc("clusters", "get", "nope").code).toBe(1);
  writeFileSync(path.join(dir, "bad.yaml"), "name: [unclosed");
  expect(kc("apply", "-f", path.join(dir, "bad.yaml")).code).toBe(2);
  expect(kc("delete", "cli").code).toBe(2);

  const del = kc("delete", "cli", "--yes");
  expect(del.code, del.err).toBe(0);
  const listed = JSON.parse(kc("clusters", "-o", "json").out) as Array<{ name: string; phase: string }>;
  expect(listed.find((c) => c.name === "cli")?.phase ?? "gone").toMatch(/Deleting|gone/);

  await trpcMutation(page.request, "token.revoke", { tokenId: token.id });
  expect(kc("clusters").code).toBe(4);
});
