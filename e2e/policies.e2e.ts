import { expect, test } from "./fixtures";

test.setTimeout(300_000);

test("a constraint added in the wizard finds violations on the Policies tab and is switched to deny", async ({
  page,
  user,
}) => {
  await page.goto(`/projects/${user.personalProjectId}/clusters/new`);
  await page.getByText("Evaluation").click();
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await page.getByLabel("Cluster name").fill("guarded");
  for (let i = 0; i < 3; i++) await page.getByRole("button", { name: "Next", exact: true }).click();

  // ── the wizard's Addons & policies step ─────────────────────────────────────
  await expect(page.getByRole("heading", { name: "Policies (OPA Gatekeeper)" })).toBeVisible();
  await expect(page.getByRole("button", { name: "psp-privileged-containers", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Add constraint" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByLabel("Template")).toHaveValue("K8sAllowedRepos");
  const params = dialog.getByLabel("Parameters");
  // A wrong type is shown on its line, and the constraint cannot be added.
  await params.fill("repos: registry.k8s.io/\n");
  await expect(dialog.getByText("Line 1: parameters.repos must be array")).toBeVisible();
  await dialog.getByRole("button", { name: "Add constraint" }).click();
  await expect(dialog).toBeVisible();
  await params.fill("repos:\n  - registry.k8s.io/\n  - ghcr.io/acme/\n");
  await expect(dialog.getByText(/Line \d+:/)).toHaveCount(0);
  await dialog.getByRole("button", { name: "Add constraint" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("button", { name: "allowed-repos", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await page.getByRole("button", { name: "Create cluster" }).click();

  // ── violations on the Policies tab ──────────────────────────────────────────
  await expect(page.getByRole("heading", { name: "guarded" })).toBeVisible();
  await expect(page.getByText("Running", { exact: true })).toBeVisible({ timeout: 150_000 });
  await page.getByRole("tab", { name: "Policies" }).click();
  // The sample workload: web ×3 (docker.io), checkout ×2 (a private registry), node-agent ×2, debug-shell.
  const count = page.getByLabel("Violations of allowed-repos");
  await expect(count).toHaveText("8", { timeout: 120_000 });
  await expect(page.getByLabel("Violations of psp-privileged-containers")).toHaveText("2");
  const row = page.getByTestId("constraint-allowed-repos");
  await expect(row.getByText("dryrun")).toBeVisible();
  await row.getByRole("button", { name: "allowed-repos", exact: true }).click();
  const offending = page.getByRole("list", { name: "Offending objects" });
  await expect(offending.getByText(/^Pod default\/web-/).first()).toBeVisible();
  await expect(offending.getByText(/docker\.io\/library\/nginx/).first()).toBeVisible();

  // ── one click to deny, after seeing who violates it ─────────────────────────
  await row.getByRole("button", { name: "Enforce" }).click();
  const confirm = page.getByRole("dialog");
  await expect(confirm.getByText("Currently violating")).toBeVisible();
  await expect(confirm.getByText(/^Pod shop\/checkout-/).first()).toBeVisible();
  await confirm.getByRole("button", { name: "Switch to deny" }).click();
  await expect(confirm).toBeHidden();
  await expect(row.getByText("deny", { exact: true })).toBeVisible();
  // Applied to the cluster: the audit reads it back under its new enforcement.
  await expect(page.getByText("Running", { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(count).toHaveText("8", { timeout: 60_000 });

  // The YAML as kubectl would apply it.
  await row.getByRole("button", { name: "YAML of allowed-repos" }).click();
  await expect(page.getByRole("dialog").getByLabel("Manifest")).toContainText(/enforcementAction: deny/);
});
