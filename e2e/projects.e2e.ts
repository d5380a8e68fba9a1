import { expect, pageSignedInAs, signInAsNewMember, signUpViaApi, test } from "./fixtures";

test("create a project, switch to it and back", async ({ page, user }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Clusters", exact: true })).toBeVisible();
  await page.getByRole("button", { name: /Switch project/ }).click();
  await page.getByRole("menuitem", { name: "Create project" }).click();
  const dialog = page.getByRole("dialog", { name: "Create project" });
  await dialog.getByLabel("Project name").fill("x");
  await dialog.getByRole("button", { name: "Create project" }).click();
  await expect(dialog.getByText("Project name must be at least 2 characters")).toBeVisible();
  await dialog.getByLabel("Project name").fill("Payments staging");
  await dialog.getByRole("button", { name: "Create project" }).click();

  await expect(page.getByRole("button", { name: "Project: Payments staging. Switch project" })).toBeVisible();
  const newProjectUrl = page.url();
  expect(newProjectUrl).not.toContain(user.personalProjectId);

  await page.getByRole("button", { name: /Switch project/ }).click();
  await page.getByRole("menuitem", { name: /Riley's project/ }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${user.personalProjectId}/clusters`));
  await expect(page.getByRole("button", { name: "Project: Riley's project. Switch project" })).toBeVisible();

  // The last project used is remembered for "/".
  await page.goto("/");
  await expect(page).toHaveURL(new RegExp(`/projects/${user.personalProjectId}/clusters`));
});

test("add a member and see it in the audit log", async ({ page, user }) => {
  const colleague = await signUpViaApi(page.request, "Sam Okafor");

  await page.goto(`/projects/${user.personalProjectId}/settings`);
  await page.getByRole("button", { name: "Add member" }).click();
  const dialog = page.getByRole("dialog", { name: "Add member" });
  await dialog.getByLabel("Email").fill(colleague.email);
  await dialog.getByLabel("Role").selectOption("admin");
  await dialog.getByRole("button", { name: "Add member" }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole("row").filter({ hasText: colleague.email });
  await expect(row).toContainText("Sam Okafor");
  await expect(row.getByRole("combobox", { name: `Role of ${colleague.email}` })).toHaveValue("admin");

  // Adding the same person again is refused next to the field.
  await page.getByRole("button", { name: "Add member" }).click();
  await dialog.getByLabel("Email").fill(colleague.email);
  await dialog.getByRole("button", { name: "Add member" }).click();
  await expect(dialog.getByText(`${colleague.email} is already a member of this project`)).toBeVisible();
  await page.keyboard.press("Escape");

  await page.getByRole("link", { name: "Audit log" }).click();
  const added = page.getByRole("row").filter({ hasText: "member.add" });
  const entry = added.filter({ hasText: "Success" });
  await expect(entry).toContainText(colleague.email);
  await expect(entry).toContainText(user.email);
  // The refused second add names whom it was about, and why it was refused.
  const refused = added.filter({ hasText: "Failure" });
  await expect(refused).toHaveCount(1);
  await expect(refused).toContainText(`${colleague.email} is already a member of this project`);

  await page.getByLabel("Action").selectOption("project.create");
  await expect(page).toHaveURL(/action=project\.create/);
  await expect(page.getByRole("row").filter({ hasText: "member.add" })).toHaveCount(0);
  await expect(page.getByRole("row").filter({ hasText: "project.create" })).toHaveCount(1);
});

test("a viewer sees no mutation controls, and a non-member gets 404", async ({ page, user, browser }) => {
  const vpage = await signInAsNewMember(page, browser, {
    projectId: user.personalProjectId,
    name: "Vic Viewer",
    role: "viewer",
  });
  await vpage.goto(`/projects/${user.personalProjectId}/settings`);
  await expect(vpage.getByRole("heading", { name: "Members" })).toBeVisible();
  await expect(vpage.getByText("Your role here: Viewer")).toBeVisible();
  await expect(vpage.getByRole("button", { name: "Add member" })).toHaveCount(0);
  await expect(vpage.getByRole("button", { name: /Connect OpenStack|Edit credentials/ })).toHaveCount(0);
  await expect(vpage.getByRole("combobox", { name: /Role of/ })).toHaveCount(0);
  await expect(vpage.getByLabel("Project name")).toBeDisabled();
  await expect(vpage.getByRole("link", { name: "Audit log" })).toHaveCount(0);
  // The server refuses anyway.
  const res = await vpage.request.post("/api/trpc/project.rename", {
    data: { json: { projectId: user.personalProjectId, name: "Hijack" } },
  });
  expect(res.status()).toBe(403);

  const stranger = await signUpViaApi(vpage.request, "Stranger");
  const spage = await pageSignedInAs(browser, stranger);
  const resp = await spage.goto(`/projects/${user.personalProjectId}/clusters`);
  expect(resp?.status()).toBe(404);
  await expect(spage.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
  await vpage.context().close();
  await spage.context().close();
});

test("cloud credentials are write-only", async ({ page, user }) => {
  const secret = "app-cred-secret-DO-NOT-LEAK-42";
  await page.goto(`/projects/${user.personalProjectId}/settings`);
  await expect(page.getByText("The console's default cloud")).toBeVisible();
  // The cloud really in use, as its Keystone answered the worker (the dev server's built-in emulator).
  await expect(
    page.getByRole("region", { name: "Cloud in use" }).getByText(/127\.0\.0\.1:\d+\/identity\/v3/),
  ).toBeVisible();
  await page.getByRole("button", { name: "Connect OpenStack" }).click();
  // A closed loopback port: the worker's read of this cloud fails at once and never leaves the machine.
  await page.getByLabel("Auth URL (Keystone v3)").fill("https://127.0.0.1:9/v2.0");
  await page.getByLabel("Application credential ID").fill("cred-123");
  await page.getByLabel("Application credential secret").fill(secret);
  await page.getByRole("button", { name: "Save credentials" }).click();
  await expect(page.getByText("The auth URL must be Keystone v3 (end with /v3)")).toBeVisible();

  await page.getByLabel("Auth URL (Keystone v3)").fill("https://127.0.0.1:9/v3");
  await page.getByRole("button", { name: "Save credentials" }).click();
  await expect(page.getByText(/Stored encrypted/)).toBeVisible();
  await page.reload();
  await expect(page.getByText("https://127.0.0.1:9/v3", { exact: true })).toBeVisible();
  // The worker tried the new cloud and says why it cannot be read.
  await expect(page.getByText(/The last read failed/)).toBeVisible({ timeout: 20_000 });
  expect(await page.content()).not.toContain(secret);
  const api = await page.request.get(
    `/api/trpc/cloud.get?input=${encodeURIComponent(JSON.stringify({ json: { projectId: user.personalProjectId } }))}`,
  );
  expect(await api.text()).not.toContain(secret);
});
