/**
 * `npx tsx scripts/screenshots-api-reference.ts [baseUrl] [outDir]`: signs up a
 * fresh user on a running console and saves PNGs of the API reference page
 * (overview, an operation with its body tree open, its responses and curl, a
 * schema, the user menu, the loading and error states) at 1280 and 1024 px,
 * in light and dark themes. Shots are of the viewport: the page is long.
 */
import { mkdirSync } from "node:fs";
import { chromium, type Page } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../e2e/chromium";

const base = process.argv[2] ?? "http://localhost:3000";
const out = process.argv[3] ?? "/tmp/shots-apiref";
const WIDTHS = [1280, 1024] as const;
mkdirSync(out, { recursive: true });

async function shoot(page: Page, name: string, width: number) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(200);
    await page.screenshot({ path: `${out}/${name}-${width}-${scheme}.png` });
  }
}

/** Scrolls so that `id`'s element (or the text in it) sits under the sticky header. */
async function scrollTo(page: Page, selector: string) {
  await page
    .locator(selector)
    .first()
    .evaluate((el) => {
      window.scrollTo({ top: el.getBoundingClientRect().top + window.scrollY - 72, behavior: "instant" });
    });
  await page.waitForTimeout(150);
}

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.context().setDefaultNavigationTimeout(60_000);
const email = `shot-apiref-${Date.now()}@example.com`;
const signUp = await page.request.post(`${base}/api/trpc/auth.signUp`, {
  data: { json: { name: "Alex Morgan", email, password: "correct-horse-42" } },
});
if (!signUp.ok()) throw new Error(`sign-up: ${signUp.status()}`);
const csrf = (await (await page.request.get(`${base}/api/auth/csrf`)).json()) as { csrfToken: string };
await page.request.post(`${base}/api/auth/callback/credentials`, {
  form: { csrfToken: csrf.csrfToken, email, password: "correct-horse-42", json: "true", callbackUrl: "/" },
});

for (const width of WIDTHS) {
  await page.setViewportSize({ width, height: 800 });

  // The user menu with its new item.
  await page.goto(`${base}/`);
  await page.waitForURL(/\/clusters$/);
  await page.getByRole("button", { name: "Account" }).click();
  await page.getByRole("menuitem", { name: "API reference" }).waitFor();
  await shoot(page, "menu", width);
  await page.getByRole("menuitem", { name: "API reference" }).click();
  await page.waitForURL(/\/api-reference$/);
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  await shoot(page, "overview", width);

  // createCluster: the body's spec open, and inside it the network's variants and a node group.
  await page
    .getByRole("navigation", { name: "API reference" })
    .getByRole("link", { name: /POST \/projects\/\{projectId\}\/clusters$/ })
    .click();
  const create = page.locator("#createCluster");
  await create.getByRole("button", { name: "network" }).click();
  await create.getByRole("button", { name: 'mode = "new"' }).click();
  await create.getByRole("button", { name: "nodeGroups" }).click();
  await create.getByRole("button", { name: "scaling" }).click();
  await scrollTo(page, "#createCluster");
  await shoot(page, "create-cluster", width);
  await scrollTo(page, "#createCluster h4:has-text('Parameters')");
  await shoot(page, "create-cluster-params", width);
  await scrollTo(page, "#createCluster h4:has-text('Responses')");
  await shoot(page, "create-cluster-responses", width);
  await scrollTo(page, "#createCluster h4:has-text('Example request')");
  await shoot(page, "create-cluster-curl", width);

  // A schema followed from a response, and the Cluster schema with its spec open.
  await create.getByRole("link", { name: "Accepted" }).first().click();
  await page.locator("#schema-Accepted").waitFor();
  await page.waitForTimeout(150);
  await shoot(page, "schema-accepted", width);
  await page.locator("#schema-Cluster").getByRole("button", { name: "spec" }).click();
  await scrollTo(page, "#schema-Cluster");
  await shoot(page, "schema-cluster", width);
  await page.evaluate(() =>
    window.scrollTo({ top: document.documentElement.scrollHeight, behavior: "instant" }),
  );
  await page.waitForTimeout(200);
  await shoot(page, "bottom", width);

  // Loading (the document held back) and error (the server refusing) states.
  await page.route("**/api/v1/openapi.json", async (route) => {
    await new Promise((r) => setTimeout(r, 4_000));
    // The page may have moved on (the next goto) meanwhile.
    await route.continue().catch(() => undefined);
  });
  await page.goto(`${base}/api-reference`);
  await page.getByText("Loading the API reference…").waitFor();
  await shoot(page, "loading", width);
  await page.unroute("**/api/v1/openapi.json");
  await page.route("**/api/v1/openapi.json", (route) =>
    route.fulfill({ status: 503, contentType: "text/plain", body: "unavailable" }),
  );
  await page.goto(`${base}/api-reference`);
  await page.getByRole("alert").getByText("could not be loaded").waitFor({ timeout: 20_000 });
  await shoot(page, "error", width);
  await page.unroute("**/api/v1/openapi.json");
}

await browser.close();
console.log(`Screenshots in ${out}`);
