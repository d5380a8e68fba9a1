import AxeBuilder from "@axe-core/playwright";
import { expect, test, trpcMutation } from "./fixtures";

test.setTimeout(300_000);

test("the dashboard draws a running cluster's panels, and the time-range picker changes them", async ({
  page,
  user,
}) => {
  const created = await trpcMutation<{ id: string }>(page.request, "cluster.create", {
    projectId: user.personalProjectId,
    spec: {
      name: "charted",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [
        { name: "web", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "autoscale", min: 1, max: 2 } },
      ],
    },
  });
  await page.goto(`/projects/${user.personalProjectId}/dashboards?range=15m&refresh=10s`);
  await expect(page.getByLabel("Cluster")).toHaveValue(/.+/);
  // The worker samples every minute: charts appear without a reload.
  const lifecycle = page.getByTestId("panel-node-lifecycle");
  await expect(lifecycle.getByRole("img", { name: /chart;/ })).toBeVisible({ timeout: 180_000 });
  // Every panel gets data. (A sample taken before the API load balancer, the kubelets or Gatekeeper's
  // first audit has no series for them: a later minute's has.)
  for (const id of [
    "autoscaler-groups",
    "pending-pods",
    "lb-health",
    "lb-connections",
    "utilization",
    "utilization-memory",
    "violations",
  ])
    await expect(page.getByTestId(`panel-${id}`).getByRole("img", { name: /chart;/ })).toBeVisible({
      timeout: 180_000,
    });
  await expect(page.getByText("No data in this range yet")).toHaveCount(0);

  // More load than one node holds: the autoscaler adds the second node and says why.
  await trpcMutation(page.request, "workload.setLoad", {
    projectId: user.personalProjectId,
    clusterId: created.id,
    load: { profile: "steady", base: 8, peak: 8, periodMinutes: 10 },
  });
  const decisions = page.getByTestId("panel-decisions");
  await expect(decisions).toContainText("ScaleUp", { timeout: 120_000 });
  await expect(decisions).toContainText(/Scaling node group web from 1 to 2: \d+ pending pods? requesting/);
  await expect(page.getByTestId("panel-node-timeline")).toContainText("charted-master-0");
  await expect(page.getByText("1 min buckets")).toBeVisible();

  // No serious or critical accessibility findings on the charts, in either theme.
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const r = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(
      r.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map(
          (v) =>
            `${scheme}: ${v.id} ${v.nodes
              .map((n) => n.target.join(" "))
              .slice(0, 3)
              .join(", ")}`,
        ),
    ).toEqual([]);
  }

  // The range is in the URL and changes every panel's buckets.
  await page.getByRole("button", { name: "24h", exact: true }).click();
  await expect(page).toHaveURL(/range=24h/);
  await expect(page.getByText("5 min buckets")).toBeVisible();
  await expect(lifecycle.getByRole("img", { name: /chart;/ })).toBeVisible();

  // Any panel reads as a table.
  await lifecycle.getByRole("button", { name: "Nodes by state: panel menu" }).click();
  await page.getByRole("menuitem", { name: "View as table" }).click();
  await expect(page.getByRole("dialog").getByRole("cell", { name: "Ready" }).first()).toBeVisible();
});
