import { expect, test, trpcMutation } from "./fixtures";

test("a cluster created through the API provisions live in the list, then is deleted", async ({
  page,
  user,
}) => {
  await page.goto(`/projects/${user.personalProjectId}/clusters`);
  await expect(page.getByRole("heading", { name: "No clusters yet" })).toBeVisible();

  const cluster = await trpcMutation<{ id: string }>(page.request, "cluster.create", {
    projectId: user.personalProjectId,
    spec: {
      name: "e2e",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [
        { name: "workers", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 1 } },
      ],
    },
  });
  const row = page.getByRole("row").filter({ hasText: "e2e" });
  // Appears without a reload, provisions with a progress bar, reaches Running.
  await expect(row).toContainText("Provisioning");
  await expect(row.getByRole("progressbar")).toBeVisible();
  await expect(row.getByText("Running", { exact: true })).toBeVisible({ timeout: 90_000 });
  await expect(row).toContainText(/https:\/\/127\.64\.\d+\.\d+:6443/);
  await expect(row).toContainText("1/1");

  await trpcMutation(page.request, "cluster.delete", {
    projectId: user.personalProjectId,
    clusterId: cluster.id,
    confirmName: "e2e",
  });
  await expect(page.getByRole("heading", { name: "No clusters yet" })).toBeVisible({ timeout: 90_000 });

  await page.goto(`/projects/${user.personalProjectId}/audit`);
  await expect(page.getByRole("row").filter({ hasText: "cluster.create" })).toHaveCount(1);
  await expect(page.getByRole("row").filter({ hasText: "cluster.delete" })).toHaveCount(1);
});
