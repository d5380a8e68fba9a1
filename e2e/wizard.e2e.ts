import { E2E_EMULATOR_ADMIN_KEY, E2E_EMULATOR_PORT } from "./env";
import { expect, test } from "./fixtures";

test("the wizard creates a regional cluster with two node groups in different zones", async ({
  page,
  user,
}) => {
  await page.goto(`/projects/${user.personalProjectId}/clusters`);
  await page.getByRole("link", { name: "Create cluster" }).click();
  await page.getByText("Production").click();
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await page.getByLabel("Cluster name").fill("web");
  // A draft survives a reload.
  await page.reload();
  await expect(page.getByLabel("Cluster name")).toHaveValue("web");
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await page.getByRole("button", { name: "Next", exact: true }).click();
  // Two groups in different zones; make them small so the run is quick.
  for (const i of [0, 1]) {
    await page.getByLabel("Scaling").nth(i).selectOption("fixed");
    await page.getByLabel("Nodes", { exact: true }).nth(i).fill("1");
  }
  await expect(page.getByLabel("Zone").nth(0)).toHaveValue("ru-msk-a");
  await expect(page.getByLabel("Zone").nth(1)).toHaveValue("ru-msk-b");
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await expect(page.getByRole("cell", { name: "Total" })).toBeVisible();
  await page.getByRole("button", { name: "Create cluster" }).click();

  await expect(page.getByRole("heading", { name: "web" })).toBeVisible();
  await expect(page.getByRole("progressbar")).toBeVisible();
  await expect(page.getByText("Running", { exact: true })).toBeVisible({ timeout: 120_000 });
  await page.getByRole("tab", { name: "Node groups" }).click();
  const masters = page.getByRole("table", { name: "Nodes of Control plane" });
  for (const z of ["ru-msk-a", "ru-msk-b", "ru-msk-c"])
    await expect(masters.getByRole("cell", { name: z })).toBeVisible();
  await expect(
    page.getByRole("table", { name: "Nodes of workers-a" }).getByRole("cell", { name: "ru-msk-a" }),
  ).toBeVisible();
  await expect(
    page.getByRole("table", { name: "Nodes of workers-b" }).getByRole("cell", { name: "ru-msk-b" }),
  ).toBeVisible();
});

test("the wizard shows errors next to the fields and creates nothing", async ({ page, user }) => {
  await page.goto(`/projects/${user.personalProjectId}/clusters/new`);
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await page.getByLabel("Cluster name").fill("Bad Name");
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await expect(page.getByText(/The cluster name may contain lowercase letters/)).toBeVisible();
  await page.getByLabel("Cluster name").fill("checks");
  await page.getByRole("button", { name: "Next", exact: true }).click();

  await page.getByLabel("Pod CIDR").fill("10.0.0.0/16");
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await expect(page.getByText("The pod CIDR 10.0.0.0/16 overlaps the node subnet 10.0.0.0/24")).toBeVisible();
  await page.getByLabel("Pod CIDR").fill("10.100.0.0/16");
  await page.getByRole("button", { name: "Next", exact: true }).click();

  await page.getByLabel("Name").nth(1).fill("workers-a");
  await page.getByLabel("Scaling").nth(0).selectOption("fixed");
  await page.getByLabel("Nodes", { exact: true }).first().fill("6");
  await page
    .getByLabel(/Anti-affinity/)
    .first()
    .check();
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await expect(page.getByText("Node group name 'workers-a' is already used by group 1")).toBeVisible();
  await expect(page.getByText(/at most 5 nodes \(this group can have 6\)/)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Node groups" })).toBeVisible(); // still on this step

  // Nothing was created.
  await page.goto(`/projects/${user.personalProjectId}/clusters`);
  await expect(page.getByRole("heading", { name: "No clusters yet" })).toBeVisible();
});

test("the review step names an exceeded quota, and nothing can be created", async ({
  page,
  user,
  request,
}) => {
  await page.goto(`/projects/${user.personalProjectId}/clusters/new`);
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await page.getByLabel("Cluster name").fill("quota");
  for (let i = 0; i < 4; i++) await page.getByRole("button", { name: "Next", exact: true }).click();
  // The first reading also creates this project's emulator project.
  await expect(page.getByText("Fits within the project's quotas.")).toBeVisible({ timeout: 30_000 });

  // The cloud administrator lowers the instance quota; the user checks again.
  const admin = { "x-emulator-admin-key": E2E_EMULATOR_ADMIN_KEY };
  const base = `http://127.0.0.1:${E2E_EMULATOR_PORT}/_emulator`;
  const summary = (await (await request.get(`${base}/summary`, { headers: admin })).json()) as {
    projects: Array<{ id: string; name: string }>;
  };
  const emuProject = summary.projects.find(
    (p) => p.name === `console-${user.personalProjectId.slice(0, 8)}`,
  )!;
  expect(
    (
      await request.put(`${base}/projects/${emuProject.id}/quotas`, {
        headers: admin,
        data: { instances: 3 },
      })
    ).status(),
  ).toBe(200);
  await page.getByRole("button", { name: "Check again" }).click();

  await expect(
    page.getByText("Quota exceeded for instances: this cluster needs 7, 3 of 3 are available"),
  ).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Create cluster" })).toBeDisabled();
  // The earlier steps' summary says it too, where the sizes are chosen, with the figures.
  await page.getByRole("button", { name: "Back", exact: true }).click();
  const costAndQuota = page.getByRole("region", { name: "Cost and quota of this cluster" });
  await expect(costAndQuota.getByText(/^Quota exceeded for instances: this cluster needs 7/)).toBeVisible();
  await expect(costAndQuota.getByText(/^instances: \d+ used \+ 7 \/ 3$/)).toBeVisible();
  await expect(costAndQuota.getByText(/€\d+\/month/).first()).toBeVisible();
  await page.goto(`/projects/${user.personalProjectId}/clusters`);
  await expect(page.getByRole("heading", { name: "No clusters yet" })).toBeVisible();
});
