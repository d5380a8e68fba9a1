import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

/**
 * No serious or critical WCAG violations, in both themes. The page renders
 * every operation and schema (about 7,000 elements), and axe's colour
 * contrast rule alone takes ~20 s per theme on it on 2 cores; every
 * operation and schema is drawn by the same components, so contrast is
 * checked on the page's frame (header, navigation, overview), one
 * operation and one schema, and every other rule on the whole page.
 */
async function scan(page: Page, label: string) {
  const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const whole = await new AxeBuilder({ page }).withTags(tags).disableRules(["color-contrast"]).analyze();
    const contrast = await new AxeBuilder({ page })
      .withRules(["color-contrast"])
      .include("header")
      .include("nav")
      .include("#overview")
      .include("#createCluster")
      .include("#schema-Cluster")
      .analyze();
    expect(contrast.passes.length + contrast.violations.length).toBeGreaterThan(0); // the rule really ran
    expect(
      [...whole.violations, ...contrast.violations]
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${label} (${scheme}): ${v.id} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    ).toEqual([]);
  }
}

// Two accessibility scans of a 7,000-element page: ~40 s here, more on a loaded CI machine (a limit, not a target).
test("the API reference: from the user menu to createCluster, its parameters, body and a schema", async ({
  page,
  user,
}) => {
  test.setTimeout(150_000);
  await page.goto(`/projects/${user.personalProjectId}/clusters`);
  await page.getByRole("button", { name: "Account" }).click();
  await page.getByRole("menuitem", { name: "API reference" }).click();
  await expect(page).toHaveURL(/\/api-reference$/);
  await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();

  // The navigation groups operations by tag; the overview says how to authenticate.
  const nav = page.getByRole("navigation", { name: "API reference" });
  await expect(nav.getByRole("link", { name: "Clusters", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Node groups", exact: true })).toBeVisible();
  await expect(page.getByText("Authorization: Bearer <token>")).toBeVisible();
  await expect(page.getByRole("link", { name: "API tokens" })).toHaveAttribute("href", "/account/tokens");
  const raw = page.getByRole("link", { name: "Download openapi.json" });
  await expect(raw).toHaveAttribute("href", "/api/v1/openapi.json");
  await scan(page, "API reference");

  // Open createCluster from the navigation: its anchor is its operationId, and it takes focus.
  await nav.getByRole("link", { name: "POST /projects/{projectId}/clusters", exact: true }).click();
  await expect(page).toHaveURL(/\/api-reference#createCluster$/);
  const op = page.getByRole("article", { name: "POST /projects/{projectId}/clusters", exact: true });
  await expect(op).toBeFocused();
  await expect(op).toBeInViewport();
  await expect(op.getByText("Needs the member role or higher.")).toBeVisible();

  const idempotency = op
    .getByRole("table", { name: "Parameters of createCluster" })
    .getByRole("row")
    .filter({ hasText: "Idempotency-Key" });
  await expect(idempotency).toContainText("header");
  await expect(idempotency).toContainText("optional");

  // The body's only property, spec, starts open; its fields open from the keyboard.
  const body = op.getByRole("list", { name: "Request body of createCluster" });
  const spec = body.getByRole("button", { name: "spec", exact: true });
  await expect(spec).toHaveAttribute("aria-expanded", "true");
  const nodeGroups = body.getByRole("button", { name: "nodeGroups", exact: true });
  await expect(nodeGroups).toHaveAttribute("aria-expanded", "false");
  await nodeGroups.focus();
  await page.keyboard.press("Enter");
  await expect(nodeGroups).toHaveAttribute("aria-expanded", "true");
  await expect(body.getByRole("button", { name: "scaling", exact: true })).toBeVisible();

  await expect(op.getByRole("figure", { name: "Example request for createCluster" })).toContainText(
    "Idempotency-Key: $(uuidgen)",
  );

  // A response's schema link leads to the schema's section.
  await op
    .getByRole("table", { name: "Responses of createCluster" })
    .getByRole("link", { name: "Accepted" })
    .click();
  await expect(page).toHaveURL(/#schema-Accepted$/);
  const accepted = page.getByRole("article", { name: /^Accepted/ });
  await expect(accepted).toBeFocused();
  await expect(accepted).toBeInViewport();
  await expect(accepted.getByRole("link", { name: "Cluster", exact: true })).toBeVisible();

  // A link straight to an operation works on a fresh load too (the page renders after its fetch).
  await page.goto("/api-reference#getOperation");
  const getOperation = page.getByRole("article", {
    name: "GET /projects/{projectId}/clusters/{clusterId}/operations/{operationId}",
    exact: true,
  });
  await expect(getOperation).toBeFocused();
  await expect(getOperation).toBeInViewport();
});

test("the API reference says when the document cannot be loaded, and loads it on Try again", async ({
  page,
  user: _user,
}) => {
  let fail = true;
  await page.route("**/api/v1/openapi.json", (route) =>
    fail ? route.fulfill({ status: 503, contentType: "text/plain", body: "unavailable" }) : route.continue(),
  );
  await page.goto("/api-reference");
  const alert = page.getByRole("alert").filter({ hasText: "could not be loaded" });
  await expect(alert).toContainText("503");
  fail = false;
  await alert.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
});
