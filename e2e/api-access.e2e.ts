import { expect, test, trpcMutation } from "./fixtures";

test.setTimeout(240_000);

test("the API allowlist is edited on the Overview, refused when malformed, and applied to the load balancer", async ({
  page,
  user,
}) => {
  const projectId = user.personalProjectId;
  const cluster = await trpcMutation<{ id: string }>(page.request, "cluster.create", {
    projectId,
    spec: {
      name: "fenced",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [{ name: "w", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 1 } }],
    },
  });
  await page.goto(`/projects/${projectId}/clusters/${cluster.id}`);
  const heading = page.getByRole("heading", { name: "fenced" }).locator("..");
  await expect(heading.getByText("Running", { exact: true })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByText("Yes, from anywhere")).toBeVisible();

  await page.getByRole("button", { name: "Edit who may reach the API" }).click();
  const dialog = page.getByRole("dialog");
  const field = dialog.getByLabel("Allowed source CIDRs");
  await field.fill("203.0.113.0/24\n10.0.0.300/8");
  await dialog.getByRole("button", { name: "Save allowlist" }).click();
  // The bad entry is named; nothing was saved.
  await expect(dialog.getByText(/'10\.0\.0\.300\/8' is not a CIDR/)).toBeVisible();
  await expect(field).toHaveAttribute("aria-invalid", "true");

  await field.fill("203.0.113.0/24");
  await dialog.getByRole("button", { name: "Save allowlist" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Yes, from 203.0.113.0/24")).toBeVisible();
  // The reconciler's step completes only once the listener's allowed_cidrs match the spec.
  await page.getByRole("tab", { name: "Events" }).click();
  await expect(page.getByRole("tabpanel").getByText("Allow the API from 203.0.113.0/24 only")).toBeVisible({
    timeout: 60_000,
  });
});
