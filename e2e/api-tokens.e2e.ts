import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext, Page } from "@playwright/test";
import { expect, signInAsNewMember, test } from "./fixtures";

/** No serious or critical WCAG violations, in both themes (inside the dialog when one is open). */
async function scan(page: Page, label: string) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const builder = new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]);
    if ((await page.getByRole("dialog").count()) > 0) builder.include('[role="dialog"]');
    const { violations } = await builder.analyze();
    expect(
      violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${label} (${scheme}): ${v.id} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    ).toEqual([]);
  }
}

interface ListedToken {
  name: string;
  prefix: string;
  state: "active" | "expired" | "revoked";
}

/** The signed-in person's tokens, read through tRPC the way the page reads them. */
async function listTokens(request: APIRequestContext): Promise<ListedToken[]> {
  const res = await request.get("/api/trpc/token.list");
  expect(res.ok(), "token.list").toBe(true);
  const body = (await res.json()) as { result: { data: { json: ListedToken[] } } };
  return body.result.data.json;
}

test("create a personal API token, see its secret once, revoke it", async ({ page, user }) => {
  await page.goto(`/projects/${user.personalProjectId}/clusters`);
  // Rendered from a query: the page is hydrated and takes keys.
  await expect(page.getByRole("heading", { name: "No clusters yet" })).toBeVisible();
  // By keyboard: the account menu opens on its first item.
  await page.getByRole("button", { name: "Account" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menuitem", { name: "API tokens" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/account\/tokens$/);
  await expect(page.getByRole("heading", { name: "No API tokens yet" })).toBeVisible();
  await expect(page.getByText("Authorization: Bearer <token>")).toBeVisible();

  await page.getByRole("button", { name: "Create token" }).click();
  const dialog = page.getByRole("dialog", { name: "Create API token" });
  // The server's field errors land on their fields.
  await dialog.getByRole("button", { name: "Create token" }).click();
  await expect(dialog.getByText("Give the token a name")).toBeVisible();
  await expect(dialog.getByText("Choose at least one project")).toBeVisible();
  await dialog.getByLabel("Expires in (days)").fill("400");
  await dialog.getByLabel("Name").fill("ci deploy");
  await dialog.getByRole("checkbox", { name: /Riley's project/ }).check();
  await dialog.getByRole("button", { name: "Create token" }).click();
  await expect(dialog.getByText("At most 366 days (a year)")).toBeVisible();
  await scan(page, "create token dialog with errors");

  await dialog.getByLabel("Expires in (days)").fill("30");
  await dialog.getByLabel("Role").selectOption("member");
  await dialog.getByRole("button", { name: "Create token" }).click();

  const shown = page.getByRole("dialog", { name: "Token created" });
  await expect(shown.getByText("It is shown only this once")).toBeVisible();
  const secretField = shown.getByLabel("Your new token");
  await expect(secretField).toHaveAttribute("readonly", "");
  const secret = await secretField.inputValue();
  expect(secret).toMatch(/^kcp_[0-9A-Za-z]{36}$/);
  await scan(page, "secret shown once");
  await shown.getByRole("button", { name: "Done" }).click();
  await expect(shown).toBeHidden();
  // Focus goes back to a Create button (the list's: the empty state's is gone).
  await expect(page.getByRole("button", { name: "Create token" })).toBeFocused();
  // Closed means gone: the page no longer holds the secret.
  expect(await page.content()).not.toContain(secret);

  const row = page.getByRole("row").filter({ hasText: "ci deploy" });
  await expect(row).toContainText(`${secret.slice(0, 12)}…`);
  await expect(row).toContainText("Riley's project");
  await expect(row).toContainText("At most member");
  await expect(row).toContainText("in 30 days");
  await expect(row).toContainText("Never used");
  await expect(row).toContainText("Active");

  // The token works with the REST API, in the project it was made for.
  const clustersUrl = `/api/v1/projects/${user.personalProjectId}/clusters`;
  const bearer = { Authorization: `Bearer ${secret}` };
  const ok = await page.request.get(clustersUrl, { headers: bearer });
  expect(ok.status(), await ok.text()).toBe(200);
  expect(await ok.json()).toMatchObject({ items: [] });
  const listed = await listTokens(page.request);
  expect(listed).toEqual([
    expect.objectContaining({ name: "ci deploy", prefix: secret.slice(0, 12), state: "active" }),
  ]);
  // Its use shows on the row: when and from where.
  await page.reload();
  await expect(row).toContainText("just now");
  await expect(row).toContainText(/127\.0\.0\.1|::1/);

  await row.getByRole("button", { name: "Revoke ci deploy" }).click();
  const confirm = page.getByRole("dialog", { name: "Revoke ci deploy?" });
  await expect(confirm).toContainText("401 Unauthorized");
  await confirm.getByRole("button", { name: "Revoke token" }).click();
  await expect(confirm).toBeHidden();
  await expect(row).toContainText("Revoked");
  await expect(row.getByRole("button", { name: /Revoke/ })).toHaveCount(0);
  await expect(row.getByText("ci deploy", { exact: true })).toBeFocused();
  await scan(page, "tokens page");
  expect((await listTokens(page.request))[0]?.state).toBe("revoked");
  const refused = await page.request.get(clustersUrl, { headers: bearer });
  expect(refused.status()).toBe(401);
});

test("service accounts: create one, make a token, delete it; viewers see who manages them", async ({
  page,
  user,
  browser,
}) => {
  await page.goto(`/projects/${user.personalProjectId}/clusters`);
  await page
    .getByRole("navigation", { name: "Project" })
    .getByRole("link", { name: "Service accounts" })
    .click();
  await expect(page.getByRole("heading", { name: "No service accounts yet" })).toBeVisible();

  await page.getByRole("button", { name: "Create service account" }).click();
  const create = page.getByRole("dialog", { name: "Create service account" });
  await create.getByLabel("Name").fill("GitHub CI");
  await create.getByRole("button", { name: "Create service account" }).click();
  await expect(create.getByText(/^Lower-case letters, digits and -, starting/)).toBeVisible();
  await create.getByLabel("Name").fill("github-ci");
  await create.getByLabel("Description (optional)").fill("Deploys from GitHub Actions");
  await create.getByLabel("Role").selectOption("member");
  await create.getByRole("button", { name: "Create service account" }).click();
  await expect(create).toBeHidden();

  const account = page.getByRole("region", { name: "github-ci" });
  await expect(account).toContainText("Deploys from GitHub Actions");
  await expect(account.getByRole("combobox", { name: "Role of github-ci" })).toHaveValue("member");
  await expect(account).toContainText("No tokens yet");

  await account.getByRole("button", { name: "Create token for github-ci" }).click();
  const tokenDialog = page.getByRole("dialog", { name: "New token for github-ci" });
  await tokenDialog.getByLabel("Token name").fill("main deploy");
  await tokenDialog.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByRole("dialog", { name: "Token created" });
  const secret = await shown.getByLabel("Your new token").inputValue();
  expect(secret).toMatch(/^kcs_[0-9A-Za-z]{36}$/);
  await expect(shown.getByText("It is shown only this once")).toBeVisible();
  // Escape closes it like Done does.
  await page.keyboard.press("Escape");
  await expect(shown).toBeHidden();

  const tokenRow = account.getByRole("row").filter({ hasText: "main deploy" });
  await expect(tokenRow).toContainText(`${secret.slice(0, 12)}…`);
  await expect(tokenRow).toContainText("in 90 days");
  await expect(tokenRow).toContainText("Active");
  await scan(page, "service accounts page");

  await account.getByRole("combobox", { name: "Role of github-ci" }).selectOption("viewer");
  await expect(page.getByText("github-ci is now viewer", { exact: true })).toBeVisible();
  await page.reload();
  await expect(account.getByRole("combobox", { name: "Role of github-ci" })).toHaveValue("viewer");

  // A viewer of the project sees no link, and the page says who manages service accounts.
  const vpage = await signInAsNewMember(page, browser, {
    projectId: user.personalProjectId,
    name: "Vic Viewer",
    role: "viewer",
  });
  await vpage.goto(`/projects/${user.personalProjectId}/clusters`);
  await expect(vpage.getByRole("heading", { name: "Clusters", exact: true })).toBeVisible();
  await expect(vpage.getByRole("link", { name: "Service accounts" })).toHaveCount(0);
  await vpage.goto(`/projects/${user.personalProjectId}/service-accounts`);
  await expect(vpage.getByRole("heading", { name: "Admins manage service accounts" })).toBeVisible();
  await expect(vpage.getByText("github-ci")).toHaveCount(0);
  await vpage.context().close();

  await account.getByRole("button", { name: "Delete github-ci" }).click();
  const del = page.getByRole("dialog", { name: "Delete service account github-ci?" });
  await expect(del).toContainText("1 active token stops working at once");
  const confirmButton = del.getByRole("button", { name: "Delete service account" });
  await expect(confirmButton).toBeDisabled();
  await del.getByLabel("Type github-ci to confirm").fill("github-ci");
  await confirmButton.click();
  await expect(del).toBeHidden();
  await expect(page.getByRole("heading", { name: "No service accounts yet" })).toBeVisible();
});
