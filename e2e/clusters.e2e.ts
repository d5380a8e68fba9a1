import { expect, signInAsNewMember, test, trpcMutation } from "./fixtures";

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
  // An address in the emulator's external range (e2e/serve.ts: 127.65.0.0/16 unless E2E_EXTERNAL_CIDR says otherwise).
  const [a, b] = (process.env.E2E_EXTERNAL_CIDR ?? "127.65.0.0/16").split(".");
  await expect(row).toContainText(new RegExp(`https://${a}\\.${b}\\.\\d+\\.\\d+:6443`));
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

test("the cluster page: scale a node group, a viewer sees no actions, delete with type-the-name", async ({
  page,
  user,
  browser,
}) => {
  const cluster = await trpcMutation<{ id: string }>(page.request, "cluster.create", {
    projectId: user.personalProjectId,
    spec: {
      name: "shop",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [
        { name: "workers", flavor: "STD2-2-4", zone: "ru-msk-b", scaling: { mode: "fixed", size: 1 } },
      ],
    },
  });
  await page.goto(`/projects/${user.personalProjectId}/clusters`);
  await page.getByRole("link", { name: "shop" }).click();
  await expect(page.getByRole("heading", { name: "shop" })).toBeVisible();
  await expect(page.getByText("Running", { exact: true })).toBeVisible({ timeout: 90_000 });
  await expect(page.getByText("NodeGroupsReady")).toBeVisible();
  // The Overview lists the load balancers and volumes the console made, each with what it is for.
  const inventory = page.getByRole("region", { name: "Load balancers and volumes" });
  await expect(inventory.getByRole("row").filter({ hasText: "Kubernetes API" })).toContainText("ACTIVE");
  await expect(inventory.getByRole("row").filter({ hasText: "etcd of master 1" })).toContainText(
    "shop-master-0",
  );
  await expect(page.getByTestId("inventory-totals")).toHaveText(/^1 load balancer, 1 volume \(\d+ GB\)$/);

  await page.getByRole("tab", { name: "Node groups" }).click();
  await page.getByLabel("Nodes in workers").fill("2");
  await page.getByRole("button", { name: "Scale" }).click();
  const newNode = page.getByRole("row").filter({ hasText: "shop-workers-1" });
  await expect(newNode).toBeVisible({ timeout: 30_000 });
  await expect(newNode.getByText("Ready")).toBeVisible({ timeout: 60_000 });

  // Out-of-range sizes are refused next to the field, and nothing changes.
  await page.getByLabel("Nodes in workers").fill("101");
  await page.getByRole("button", { name: "Scale" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /100/ })).toBeVisible();

  // A viewer sees the cluster but no actions; the server refuses them anyway.
  const vpage = await signInAsNewMember(page, browser, {
    projectId: user.personalProjectId,
    name: "Val Viewer",
    role: "viewer",
  });
  await vpage.goto(`/projects/${user.personalProjectId}/clusters/${cluster.id}`);
  await expect(vpage.getByRole("heading", { name: "shop" })).toBeVisible();
  await expect(vpage.getByRole("button", { name: "Delete" })).toHaveCount(0);
  await vpage.getByRole("tab", { name: "Node groups" }).click();
  await expect(vpage.getByRole("button", { name: "Scale" })).toHaveCount(0);
  const refused = await vpage.request.post("/api/trpc/cluster.delete", {
    data: { json: { projectId: user.personalProjectId, clusterId: cluster.id, confirmName: "shop" } },
  });
  expect(refused.status()).toBe(403);
  await vpage.context().close();

  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete cluster shop?" });
  await expect(dialog.getByRole("button", { name: "Delete cluster" })).toBeDisabled();
  await dialog.getByLabel("Type shop to confirm").fill("shop");
  await dialog.getByRole("button", { name: "Delete cluster" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${user.personalProjectId}/clusters$`));
  await expect(page.getByRole("heading", { name: "No clusters yet" })).toBeVisible({ timeout: 90_000 });
});
