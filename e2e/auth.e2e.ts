import { randomBytes } from "node:crypto";
import { expect, signUpViaApi, test } from "./fixtures";

test("sign up, sign out and sign in again", async ({ page }) => {
  const email = `new-${randomBytes(4).toString("hex")}@example.com`;
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByRole("link", { name: "Create an account" }).click();

  await page.getByLabel("Full name").fill("Morgan Lee");
  await page.getByLabel("Work email").fill(email);
  const password = page.getByLabel("Password", { exact: true });
  await password.fill("short");
  await expect(
    page.getByRole("list", { name: "Password rules" }).getByText("At least 12 characters"),
  ).toContainText("(not met)");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Password: at least 12 characters")).toBeVisible();

  await password.fill("a-much-better-passphrase-7");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/projects\/[0-9a-f-]+\/clusters$/);
  await expect(page.getByRole("heading", { name: "No clusters yet" })).toBeVisible();
  await expect(page.getByRole("button", { name: /Project: Morgan's project/ })).toBeVisible();

  await page.getByRole("button", { name: "Account" }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a-much-better-passphrase-7");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Clusters", exact: true })).toBeVisible();
});

test("a wrong password and an unknown email get the same message", async ({ page }) => {
  const user = await signUpViaApi(page.request);
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill("not-the-password-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /\S/ })).toHaveText("Incorrect email or password.");

  await page.getByLabel("Email").fill("nobody-at-all@example.com");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /\S/ })).toHaveText("Incorrect email or password.");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("repeated failures are refused with HTTP 429 and a retry hint", async ({ page }) => {
  const user = await signUpViaApi(page.request);
  const attempt = async (password: string) => {
    const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    return page.request.post("/api/auth/callback/credentials", {
      form: { csrfToken, email: user.email, password, json: "true" },
    });
  };
  for (let i = 0; i < 5; i++) expect((await attempt(`wrong-${i}-password`)).status()).toBe(401);
  const limited = await attempt(user.password);
  expect(limited.status()).toBe(429);
  expect(Number(limited.headers()["retry-after"])).toBeGreaterThan(0);

  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /\S/ })).toContainText(
    /Too many failed sign-in attempts\. Try again in \d+ minutes?\./,
  );
});
