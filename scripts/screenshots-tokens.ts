/**
 * `npx tsx scripts/screenshots-tokens.ts [baseUrl] [outDir]`: signs up a fresh
 * user on a running console, gives it API tokens and service accounts (through
 * the UI and tRPC), and saves PNGs of the personal tokens page and the project's
 * service accounts page at 1280 and 1024 px, in light and dark themes.
 *
 * Tokens only expire with time; with `DATABASE_URL` set (the console's
 * database) one token is moved into the past so the page shows every state.
 */
import { mkdirSync } from "node:fs";
import { chromium, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import pg from "pg";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../e2e/chromium";

const base = process.argv[2] ?? "http://localhost:3000";
const out = process.argv[3] ?? "/tmp/shots-tokens";
const WIDTHS = [1280, 1024] as const;
mkdirSync(out, { recursive: true });

async function trpc<T>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  const res = await request.post(`${base}/api/trpc/${path}`, { data: { json: input } });
  const body = (await res.json()) as {
    result?: { data: { json: T } };
    error?: { json: { message: string } };
  };
  if (!res.ok() || !body.result) throw new Error(`${path}: ${body.error?.json.message ?? res.status()}`);
  return body.result.data.json;
}

async function signUp(browser: Browser, name: string, email: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.context().setDefaultNavigationTimeout(60_000);
  await trpc(page.request, "auth.signUp", { name, email, password: "correct-horse-42" });
  const csrf = (await (await page.request.get(`${base}/api/auth/csrf`)).json()) as { csrfToken: string };
  await page.request.post(`${base}/api/auth/callback/credentials`, {
    form: { csrfToken: csrf.csrfToken, email, password: "correct-horse-42", json: "true", callbackUrl: "/" },
  });
  return page;
}

/** `name` at each width in both themes (full page), or only at the current width with `once`. */
async function shoot(page: Page, name: string, { once = false } = {}) {
  const current = page.viewportSize()!;
  for (const width of once ? [current.width] : WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(200);
      await page.screenshot({ path: `${out}/${name}-${width}-${scheme}.png`, fullPage: true });
    }
  }
  await page.setViewportSize(current);
}

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const stamp = Date.now();
const page = await signUp(browser, "Alex Morgan", `shot-tokens-${stamp}@example.com`);
const { id: stagingId } = await trpc<{ id: string }>(page.request, "project.create", {
  name: "Payments staging",
});
const listed = await page.request.get(`${base}/api/trpc/project.list`);
const projects = (
  (await listed.json()) as { result: { data: { json: Array<{ id: string; personal: boolean }> } } }
).result.data.json;
const personalId = projects.find((p) => p.personal)!.id;

// Empty states.
await page.goto(`${base}/account/tokens`);
await page.getByRole("heading", { name: "No API tokens yet" }).waitFor();
await shoot(page, "tokens-empty");
await page.goto(`${base}/projects/${personalId}/service-accounts`);
await page.getByRole("heading", { name: "No service accounts yet" }).waitFor();
await shoot(page, "service-accounts-empty");

// A personal token through the UI: the form (with a server field error), then the secret shown once.
await page.goto(`${base}/account/tokens`);
await page.getByRole("button", { name: "Create token" }).click();
const dialog = page.getByRole("dialog", { name: "Create API token" });
await dialog.getByLabel("Name").fill("GitHub Actions deploy");
await dialog.getByRole("button", { name: "Create token" }).click();
await dialog.getByText("Choose at least one project").waitFor();
await shoot(page, "tokens-create-errors", { once: true });
for (const box of await dialog.getByRole("checkbox").all()) await box.check();
await dialog.getByLabel("Role").selectOption("admin");
await shoot(page, "tokens-create-form", { once: true });
await dialog.getByLabel("Role").selectOption("member");
await dialog.getByRole("button", { name: "Create token" }).click();
const shown = page.getByRole("dialog", { name: "Token created" });
const secret = await shown.getByLabel("Your new token").inputValue();
await shoot(page, "tokens-secret-once");
await shown.getByRole("button", { name: "Done" }).click();

// More tokens through tRPC: one to revoke, one that will have expired, one long-lived.
type Created = { token: { id: string }; secret: string };
const make = (name: string, projectIds: string[], maxRole: string, expiresInDays: number) =>
  trpc<Created>(page.request, "token.create", { name, projectIds, maxRole, expiresInDays });
const terraform = await make("terraform prod-state", [personalId], "admin", 366);
const laptop = await make(
  "old laptop kubectl wrapper with a long descriptive name",
  [stagingId],
  "viewer",
  30,
);
await trpc(page.request, "token.revoke", { tokenId: laptop.token.id });
await make("nightly cost report", [personalId, stagingId], "viewer", 7);

// Use two of them with the REST API, so "last used" has something to show.
for (const s of [secret, terraform.secret]) {
  const res = await page.request.get(`${base}/api/v1/projects/${personalId}/clusters`, {
    headers: { Authorization: `Bearer ${s}` },
  });
  if (res.status() !== 200) console.warn(`REST call answered ${res.status()}: last use stays empty`);
}

if (process.env.DATABASE_URL) {
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  await db.query(
    `UPDATE api_tokens SET created_at = now() - interval '40 days', expires_at = now() - interval '3 days'
     WHERE name = 'nightly cost report'`,
  );
  await db.end();
} else console.warn("DATABASE_URL unset: no expired token in the screenshots");

// Service accounts: one with live and revoked tokens, one without tokens, one owner.
type Account = { id: string };
const ci = await trpc<Account>(page.request, "serviceAccount.create", {
  projectId: personalId,
  name: "github-ci",
  description: "Deploys payments from GitHub Actions (platform team)",
  role: "member",
});
const ciToken = await trpc<Created>(page.request, "serviceAccount.createToken", {
  projectId: personalId,
  serviceAccountId: ci.id,
  name: "main branch deploy",
  expiresInDays: 90,
});
const staging = await trpc<Created>(page.request, "serviceAccount.createToken", {
  projectId: personalId,
  serviceAccountId: ci.id,
  name: "staging deploy",
  expiresInDays: 14,
});
await trpc(page.request, "serviceAccount.revokeToken", {
  projectId: personalId,
  serviceAccountId: ci.id,
  tokenId: staging.token.id,
});
await page.request.get(`${base}/api/v1/projects/${personalId}/clusters`, {
  headers: { Authorization: `Bearer ${ciToken.secret}` },
});
await trpc(page.request, "serviceAccount.create", {
  projectId: personalId,
  name: "grafana-exporter",
  description: "",
  role: "viewer",
});

await page.goto(`${base}/account/tokens`);
await page.getByRole("row").filter({ hasText: "nightly cost report" }).waitFor();
await shoot(page, "tokens-list");
await page.getByRole("button", { name: "Revoke terraform prod-state" }).click();
await page.getByRole("dialog", { name: /^Revoke/ }).waitFor();
await shoot(page, "tokens-revoke", { once: true });
await page.keyboard.press("Escape");

await page.goto(`${base}/projects/${personalId}/service-accounts`);
await page.getByRole("region", { name: "github-ci" }).waitFor();
await shoot(page, "service-accounts-list");
await page.getByRole("button", { name: "Create service account" }).click();
await page.getByRole("dialog").getByLabel("Name").fill("Bad Name");
await page.getByRole("dialog").getByRole("button", { name: "Create service account" }).click();
await page
  .getByRole("dialog")
  .getByText(/^Lower-case letters, digits and -, starting/)
  .waitFor();
await shoot(page, "service-accounts-create-errors", { once: true });
await page.keyboard.press("Escape");
await page.getByRole("button", { name: "Create token for github-ci" }).click();
await page.getByRole("dialog").getByLabel("Token name").fill("release pipeline");
await shoot(page, "service-accounts-token-form", { once: true });
await page.getByRole("dialog").getByRole("button", { name: "Create token" }).click();
await page.getByRole("dialog", { name: "Token created" }).waitFor();
await shoot(page, "service-accounts-secret-once", { once: true });
await page.keyboard.press("Escape");
await page.getByRole("button", { name: "Delete github-ci" }).click();
await page
  .getByRole("dialog")
  .getByLabel(/to confirm/)
  .fill("github");
await shoot(page, "service-accounts-delete", { once: true });
await page.keyboard.press("Escape");

// What a viewer of the project sees.
const viewerEmail = `shot-viewer-${stamp}@example.com`;
const viewer = await signUp(browser, "Vic Viewer", viewerEmail);
await trpc(page.request, "member.add", { projectId: personalId, email: viewerEmail, role: "viewer" });
await viewer.goto(`${base}/projects/${personalId}/service-accounts`);
await viewer.getByRole("heading", { name: "Admins manage service accounts" }).waitFor();
await shoot(viewer, "service-accounts-viewer");

await browser.close();
console.log(`screenshots in ${out}`);
