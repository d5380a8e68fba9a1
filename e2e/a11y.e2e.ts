import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, test, trpcMutation } from "./fixtures";

/** Serious and critical WCAG violations, in both themes. */
async function scan(page: Page, label: string) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const builder = new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]);
    // With a dialog open the page behind it is inert and dimmed: the dialog is what a user can reach.
    if ((await page.getByRole("dialog").count()) > 0) builder.include('[role="dialog"]');
    const result = await builder.analyze();
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(
      bad.map(
        (v) =>
          `${label} (${scheme}): ${v.id} — ${v.help} — ${v.nodes
            .map((n) => n.target.join(" "))
            .slice(0, 3)
            .join(", ")}`,
      ),
    ).toEqual([]);
  }
}

test("the wizard and the cluster page have no serious or critical accessibility violations", async ({
  page,
  user,
}) => {
  // The last scans wait for the emulated cluster to run.
  test.setTimeout(300_000);
  await page.goto(`/projects/${user.personalProjectId}/clusters/new`);
  await expect(page.getByRole("radiogroup", { name: "Purpose" })).toBeVisible();
  for (const step of ["Purpose", "Basics", "Network", "Node groups", "Addons & policies", "Review"]) {
    await page.getByRole("navigation", { name: "Wizard steps" }).getByRole("button", { name: step }).click();
    await scan(page, `wizard: ${step}`);
  }
  // The addon values editor and the constraint dialog.
  await page
    .getByRole("navigation", { name: "Wizard steps" })
    .getByRole("button", { name: "Addons & policies" })
    .click();
  await page.getByLabel(/Ingress NGINX/).check();
  await page.getByRole("button", { name: "Version and values" }).first().click();
  await scan(page, "wizard: addon values");
  await page.getByRole("button", { name: "Add constraint" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await scan(page, "wizard: constraint dialog");
  await page.keyboard.press("Escape");

  const c = await trpcMutation<{ id: string }>(page.request, "cluster.create", {
    projectId: user.personalProjectId,
    spec: {
      name: "a11y",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [{ name: "w", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 1 } }],
    },
  });
  await page.goto(`/projects/${user.personalProjectId}/clusters/${c.id}`);
  await expect(page.getByRole("heading", { name: "a11y" })).toBeVisible();
  for (const tab of [
    "Overview",
    "Node groups",
    "Health & load",
    "Addons",
    "Policies",
    "Schedules",
    "Operations",
    "Events",
  ]) {
    await page.getByRole("tab", { name: tab }).click();
    await scan(page, `cluster page: ${tab}`);
  }
  // With the cluster running: the load form, node meters and load balancers.
  await page.getByRole("tab", { name: "Health & load" }).click();
  await expect(page.getByText("Load (built-in emulator)")).toBeVisible({ timeout: 180_000 });
  await expect(page.getByRole("button", { name: "Fail active amphora" }).first()).toBeVisible({
    timeout: 60_000,
  });
  await scan(page, "cluster page: Health & load, running");
  // The schedule editor and the lifecycle dialogs.
  await page.getByRole("tab", { name: "Schedules" }).click();
  await page.getByRole("button", { name: "Set up" }).first().click();
  await scan(page, "stop schedule editor");
  await expect(page.getByText("Running", { exact: true })).toBeVisible({ timeout: 90_000 });
  for (const button of ["Kubeconfig", "Stop"]) {
    await page.getByRole("button", { name: button, exact: true }).click();
    await expect(page.getByRole("dialog")).toBeVisible();
    await scan(page, `${button} dialog`);
    await page.keyboard.press("Escape");
  }
  await page.getByRole("tab", { name: "Addons" }).click();
  await page.getByRole("button", { name: "Install cert-manager" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await scan(page, "install addon dialog");
  await page.keyboard.press("Escape");
  await page.getByRole("tab", { name: "Policies" }).click();
  await page.getByRole("button", { name: "YAML of psp-seccomp" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await scan(page, "constraint YAML dialog");
  await page.keyboard.press("Escape");
  await page.getByRole("button", { name: "Upload template" }).click();
  await scan(page, "upload template dialog");
  await page.keyboard.press("Escape");
  await page.goto(`/projects/${user.personalProjectId}/clusters`);
  await expect(page.getByRole("table")).toBeVisible();
  await scan(page, "clusters list");
});
