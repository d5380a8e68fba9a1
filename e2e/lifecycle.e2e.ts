import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, trpcMutation } from "./fixtures";

test.setTimeout(420_000);

test("kubeconfig, stop/start and upgrade from the cluster page", async ({ page, user }) => {
  const cluster = await trpcMutation<{ id: string }>(page.request, "cluster.create", {
    projectId: user.personalProjectId,
    spec: {
      name: "life",
      version: "1.35.1",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [
        { name: "workers", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 1 } },
      ],
    },
  });
  await page.goto(`/projects/${user.personalProjectId}/clusters/${cluster.id}`);
  await expect(page.getByRole("heading", { name: "life" })).toBeVisible();
  await expect(page.getByText("Running", { exact: true })).toBeVisible({ timeout: 120_000 });
  await page.getByRole("tab", { name: "Node groups" }).click();
  // The kubelets report their version once the API answers.
  await expect(page.getByRole("row").filter({ hasText: "life-workers-0" })).toContainText("1.35.1", {
    timeout: 60_000,
  });

  // ── kubeconfig → kubectl ──────────────────────────────────────────────────
  await page.getByRole("button", { name: "Kubeconfig" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Valid for").selectOption("24h");
  const downloading = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Download" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("life-kubeconfig.yaml");
  const dir = mkdtempSync(path.join(os.tmpdir(), "e2e-kubeconfig-"));
  const file = path.join(dir, "life.yaml");
  await download.saveAs(file);
  const out = execFileSync(
    "/usr/bin/kubectl",
    ["--kubeconfig", file, "--cache-dir", path.join(dir, "cache"), "get", "nodes", "-o", "name"],
    { encoding: "utf8" },
  );
  expect(out.trim().split("\n").sort()).toEqual(["node/life-master-0", "node/life-workers-0"]);

  // ── stop, then start ──────────────────────────────────────────────────────
  const phase = page.getByRole("heading", { name: "life" }).locator("..");
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await expect(page.getByRole("dialog").getByText("Compute saved")).toBeVisible();
  await page.getByRole("dialog").getByRole("button", { name: "Stop cluster" }).click();
  await expect(phase.getByText("Stopped", { exact: true })).toBeVisible({ timeout: 90_000 });
  await expect(page.getByRole("row").filter({ hasText: "life-workers-0" })).toContainText("Stopped");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Start cluster" }).click();
  await expect(phase.getByText("Running", { exact: true })).toBeVisible({ timeout: 120_000 });

  // ── upgrade with the readiness report ─────────────────────────────────────
  await page.getByRole("button", { name: "Upgrade", exact: true }).click();
  const up = page.getByRole("dialog");
  await up.getByLabel("Target version").selectOption("1.35.3");
  await expect(up.getByText("PodDisruptionBudget shop/checkout allows no disruption")).toBeVisible({
    timeout: 30_000,
  });
  const confirm = up.getByRole("button", { name: "Upgrade to 1.35.3" });
  await expect(confirm).toBeDisabled();
  for (const box of await up.getByRole("checkbox").all()) await box.check();
  await expect(confirm).toBeEnabled();
  await confirm.click();
  await expect(phase.getByText("Upgrading", { exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Upgrade 1.35.1 → 1.35.3" })).toBeVisible();
  await expect(phase.getByText("Running", { exact: true })).toBeVisible({ timeout: 240_000 });
  await expect(page.getByText(/Kubernetes 1\.35\.3/).first()).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "life-master-0" })).toContainText("1.35.3", {
    timeout: 60_000,
  });

  await page.goto(`/projects/${user.personalProjectId}/audit`);
  for (const action of ["cluster.kubeconfig.download", "cluster.stop", "cluster.start", "cluster.upgrade"])
    await expect(page.getByRole("row").filter({ hasText: action }).first()).toBeVisible();
});
