import type { APIRequestContext } from "@playwright/test";
import { E2E_EMULATOR_ADMIN_KEY, E2E_EMULATOR_PORT } from "./env";
import { expect, test, trpcMutation } from "./fixtures";

// e2e/serve.ts sets NODE_READY_WAIT_SECONDS=75: a start acts on a node not Ready after 75 s.
test.setTimeout(480_000);

async function trpcQuery<T>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  const res = await request.get(
    `/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`,
  );
  const body = (await res.json()) as { result?: { data: { json: T } } };
  if (!body.result) throw new Error(`${path} failed (${res.status()})`);
  return body.result.data.json;
}

test("a start with a broken kubelet names the node, hands it to auto-healing and ends; a scale can be cancelled", async ({
  page,
  user,
  request,
}) => {
  const projectId = user.personalProjectId;
  const cluster = await trpcMutation<{ id: string }>(page.request, "cluster.create", {
    projectId,
    spec: {
      name: "sick",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [
        { name: "workers", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 2 } },
      ],
    },
  });
  const ref = { projectId, clusterId: cluster.id };
  await page.goto(`/projects/${projectId}/clusters/${cluster.id}`);
  const header = page.getByRole("heading", { name: "sick" }).locator("..");
  await expect(header.getByText("Running", { exact: true })).toBeVisible({ timeout: 150_000 });

  // The kubelet of sick-workers-1 dies (its server keeps running), as when a kubelet or its network breaks.
  const admin = { "x-emulator-admin-key": E2E_EMULATOR_ADMIN_KEY };
  const base = `http://127.0.0.1:${E2E_EMULATOR_PORT}/_emulator`;
  const summary = (await (await request.get(`${base}/summary`, { headers: admin })).json()) as {
    projects: Array<{ id: string; name: string }>;
  };
  const emuProject = summary.projects.find((p) => p.name === `console-${projectId.slice(0, 8)}`)!;
  const failed = await request.post(
    `${base}/projects/${emuProject.id}/clusters/${cluster.id}/nodes/sick-workers-1/fail`,
    { headers: admin },
  );
  expect(failed.status()).toBe(200);

  // Stop, then start: the start names the node it waits for, with the kubelet's reason and a deadline.
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Stop cluster" }).click();
  await expect(header.getByText("Stopped", { exact: true })).toBeVisible({ timeout: 90_000 });
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Start cluster" }).click();
  await expect(
    page.getByText(
      /^Waiting for sick-workers-1 to be Ready: not Ready since \d\d:\d\d UTC \(Ready is Unknown: Kubelet stopped posting node status\); deadline \d\d:\d\d UTC/,
    ),
  ).toBeVisible({ timeout: 120_000 });
  // The start can be stopped again meanwhile: the cancel says so.
  await expect(page.getByRole("button", { name: "Cancel start" })).toBeVisible();

  // Past the deadline the worker goes to auto-healing and the start ends — no reload.
  await expect(header.getByText("Running", { exact: true })).toBeVisible({ timeout: 150_000 });
  await page.getByRole("tab", { name: "Events" }).click();
  await expect(
    page.getByText(/sick-workers-1 was still not Ready \d+ min after it started \(Ready is Unknown/),
  ).toBeVisible({ timeout: 30_000 });
  await page.getByRole("tab", { name: "Node groups" }).click();
  await expect(page.getByRole("row").filter({ hasText: "sick-workers-1" })).toContainText("Ready", {
    timeout: 120_000,
  });

  // A scale-up, cancelled halfway: the group goes back to 2, and the operation reads cancelled.
  const now = await trpcQuery<{ generation: number }>(page.request, "cluster.get", ref);
  await trpcMutation(page.request, "nodeGroup.update", {
    ...ref,
    generation: now.generation,
    name: "workers",
    scaling: { mode: "fixed", size: 4 },
  });
  await page.getByRole("button", { name: "Cancel scaling" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByText("The node groups go back to their sizes before this change")).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel the scaling" }).click();
  await expect(dialog).toBeHidden();
  await expect(header.getByText("Running", { exact: true })).toBeVisible({ timeout: 150_000 });
  await expect
    .poll(
      async () => {
        const c = await trpcQuery<{ status: { nodes: Array<{ name: string }> } }>(
          page.request,
          "cluster.get",
          ref,
        );
        return c.status.nodes.filter((n) => n.name.startsWith("sick-workers-")).length;
      },
      { timeout: 120_000 },
    )
    .toBe(2);
  await page.getByRole("tab", { name: "Operations" }).click();
  await expect(
    page.getByRole("row").filter({ hasText: "Scale" }).filter({ hasText: "cancelled" }),
  ).toHaveCount(1);

  // Per-node actions: cordon one worker from its row; the reconciler does it and the row says so.
  await page.getByRole("tab", { name: "Node groups" }).click();
  await page.getByRole("button", { name: "Actions for sick-workers-0" }).click();
  await page.getByRole("menuitem", { name: "Cordon…" }).click();
  await expect(page.getByRole("dialog").getByText("No new pods are scheduled onto the node")).toBeVisible();
  await page.getByRole("dialog").getByRole("button", { name: "Cordon sick-workers-0" }).click();
  await expect(page.getByRole("row").filter({ hasText: "sick-workers-0" })).toContainText("Cordoned", {
    timeout: 60_000,
  });
  await page.getByRole("button", { name: "Actions for sick-workers-0" }).click();
  await expect(page.getByRole("menuitem", { name: "Uncordon…" })).toBeVisible();
  await page.keyboard.press("Escape");

  // Scaling to 0 asks first, with the pods on the nodes and whether they fit elsewhere; keeping changes nothing.
  const before = await trpcQuery<{ generation: number }>(page.request, "cluster.get", ref);
  await page.getByLabel("Nodes in workers").fill("0");
  await page.getByRole("button", { name: "Scale", exact: true }).click();
  const confirm = page.getByRole("dialog");
  await expect(confirm.getByRole("heading", { name: "Remove 2 nodes from workers?" })).toBeVisible();
  await expect(confirm.getByText(/pods? runs? on them|has not read this cluster's workload/)).toBeVisible();
  await confirm.getByRole("button", { name: "Keep 2 nodes" }).click();
  await expect(confirm).toBeHidden();
  expect((await trpcQuery<{ generation: number }>(page.request, "cluster.get", ref)).generation).toBe(
    before.generation,
  );

  // The group's upgrade strategy: a refused combination says why and saves nothing; a good one shows.
  await page.getByRole("button", { name: "Edit the upgrade strategy of workers" }).click();
  const strategy = page.getByRole("dialog");
  await strategy.getByRole("radio", { name: /In place/ }).check();
  await strategy.getByLabel("maxUnavailable").fill("0");
  await strategy.getByRole("button", { name: "Save strategy" }).click();
  await expect(
    strategy.getByText("An in-place upgrade takes one node down at a time: set maxUnavailable to at least 1"),
  ).toBeVisible();
  await strategy.getByLabel("maxUnavailable").fill("1");
  await strategy.getByRole("button", { name: "Save strategy" }).click();
  await expect(strategy).toBeHidden();
  await expect(page.getByText("Upgrades in place, 1 node at a time (same servers, rebuilt)")).toBeVisible({
    timeout: 30_000,
  });

  // From the clusters list's row menu: delete asks for the name, stop stops — without leaving the list.
  await page.goto(`/projects/${projectId}/clusters`);
  const row = page.getByRole("row").filter({ hasText: "sick" });
  await page.getByRole("button", { name: "Actions for sick" }).click();
  await page.getByRole("menuitem", { name: "Delete…" }).click();
  await expect(page.getByRole("dialog").getByLabel("Type sick to confirm")).toBeVisible();
  await page.keyboard.press("Escape");
  await page.getByRole("button", { name: "Actions for sick" }).click();
  await page.getByRole("menuitem", { name: "Stop…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Stop cluster" }).click();
  await expect(row.getByText(/^(Stopping|Stopped)$/)).toBeVisible({ timeout: 30_000 });
  await expect(page).toHaveURL(new RegExp(`/projects/${projectId}/clusters$`));
});
