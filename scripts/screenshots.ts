/**
 * `npx tsx scripts/screenshots.ts [baseUrl] [outDir]`: signs up a fresh user
 * on a running console and saves PNGs of the main pages in light and dark
 * themes, for looking at what the UI really shows.
 */
import { chromium, type Page } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../e2e/chromium";

const base = process.argv[2] ?? "http://localhost:3000";
const out = process.argv[3] ?? "/tmp/shots";

async function shoot(page: Page, name: string) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    await page.screenshot({ path: `${out}/${name}-${scheme}.png`, fullPage: true });
  }
}

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const page = await browser.newPage({
  viewport: { width: Number(process.env.SHOT_WIDTH ?? 1280), height: 800 },
});
await page.goto(`${base}/sign-in`);
page.context().setDefaultNavigationTimeout(60_000);
await shoot(page, "sign-in");
await page.goto(`${base}/sign-up`);
const email = `shot-${Date.now()}@example.com`;
await page.getByLabel("Full name").fill("Alex Morgan");
await page.getByLabel("Work email").fill(email);
await page.getByLabel("Password", { exact: true }).fill("correct-horse-42");
await shoot(page, "sign-up");
await page.getByRole("button", { name: "Create account" }).click();
await page.waitForURL(/\/clusters$/);
await page.getByText("No clusters yet").waitFor();
await shoot(page, "clusters-empty");
const projectUrl = page.url().replace(/\/clusters$/, "");
await page.goto(`${projectUrl}/settings`);
await page.getByRole("heading", { name: "Members" }).waitFor();
await page.getByRole("button", { name: "Add member" }).click();
await page.getByRole("dialog").getByLabel("Email").fill("teammate@example.com");
await page.getByRole("dialog").getByRole("button", { name: "Add member" }).click();
await page.getByText("Invited — joins").waitFor();
await shoot(page, "settings");
await page.goto(`${projectUrl}/audit`);
await page.getByRole("table").waitFor();
await shoot(page, "audit");
// A cluster, created through the wizard, watched while it provisions.
await page.goto(`${projectUrl}/clusters/new`);
await page.getByRole("radiogroup", { name: "Purpose" }).waitFor();
await shoot(page, "wizard-0-purpose");
await page.getByRole("button", { name: "Next", exact: true }).click();
await page.getByLabel("Cluster name").fill("payments-prod");
// An older version, so the Upgrade button has somewhere to go.
await page.getByLabel("Kubernetes version").selectOption("1.35.1");
await shoot(page, "wizard-1-basics");
await page.getByRole("button", { name: "Next", exact: true }).click();
await shoot(page, "wizard-2-network");
await page.getByRole("button", { name: "Next", exact: true }).click();
await shoot(page, "wizard-3-node-groups");
await page.getByRole("button", { name: "Next", exact: true }).click();
await page.getByLabel(/Ingress NGINX/).check();
await page.getByRole("button", { name: "Version and values" }).first().click();
await shoot(page, "wizard-4-addons");
await page.getByRole("button", { name: "Add constraint" }).click();
await page.getByRole("dialog").getByLabel("Parameters").waitFor();
await shoot(page, "wizard-4-constraint");
await page.getByRole("dialog").getByRole("button", { name: "Add constraint" }).click();
await page.getByRole("button", { name: "Next", exact: true }).click();
await page.getByText("Total").waitFor();
await shoot(page, "wizard-5-review");
await page.getByRole("button", { name: "Create cluster" }).click();
await page.getByRole("heading", { name: "payments-prod" }).waitFor();
await page.getByRole("progressbar").waitFor({ timeout: 30_000 });
await shoot(page, "cluster-provisioning");
await page.goto(`${projectUrl}/clusters`);
await page.getByRole("progressbar").first().waitFor({ timeout: 30_000 });
await shoot(page, "clusters-provisioning");
await page.getByRole("table").getByText("Running", { exact: true }).waitFor({ timeout: 120_000 });
await shoot(page, "clusters-running");
await page.getByRole("link", { name: "payments-prod" }).click();
await page.getByRole("heading", { name: "Conditions" }).waitFor();
await shoot(page, "cluster-overview");
await page.getByRole("tab", { name: "Node groups" }).click();
await shoot(page, "cluster-nodes");
await page.getByRole("tab", { name: "Events" }).click();
await shoot(page, "cluster-events");
await page.getByRole("tab", { name: "Addons" }).click();
await page
  .getByTestId("addon-ingress-nginx")
  .getByText("Installed", { exact: true })
  .waitFor({ timeout: 120_000 });
await shoot(page, "cluster-addons");
await page.getByRole("button", { name: "Configure" }).nth(1).click();
await page
  .getByRole("dialog")
  .getByLabel(/Values for/)
  .waitFor();
await shoot(page, "cluster-addon-configure");
await page.keyboard.press("Escape");
await page.getByRole("tab", { name: "Policies" }).click();
await page.getByLabel("Violations of allowed-repos").getByText(/^\d+$/).waitFor({ timeout: 120_000 });
await page
  .getByTestId("constraint-allowed-repos")
  .getByRole("button", { name: "allowed-repos", exact: true })
  .click();
await shoot(page, "cluster-policies");
await page.getByTestId("constraint-allowed-repos").getByRole("button", { name: "Enforce" }).click();
await page.getByRole("dialog").getByText("Currently violating").waitFor();
await shoot(page, "cluster-policy-enforce");
await page.keyboard.press("Escape");
await page.getByRole("button", { name: "YAML of psp-privileged-containers" }).click();
await shoot(page, "cluster-policy-yaml");
await page.keyboard.press("Escape");
// Health & load: raise the emulated load, break a kubelet.
await page.getByRole("tab", { name: "Health & load" }).click();
await page.getByText("Load (built-in emulator)").waitFor({ timeout: 60_000 });
await page.getByLabel("Profile", { exact: true }).selectOption("ramp");
await page.getByLabel("Peak load (×)").fill("6");
await page.getByLabel("Period (minutes)").fill("2");
await page.getByRole("button", { name: "Apply load" }).click();
await page.getByText("Load set: ramp", { exact: true }).waitFor();
await page
  .getByRole("button", { name: /Break the kubelet of/ })
  .first()
  .click();
await page.getByText(/Broken since/).waitFor({ timeout: 30_000 });
await page.waitForTimeout(8_000);
await shoot(page, "cluster-health");
await page.getByRole("button", { name: "Repair kubelet" }).click();
await page.getByRole("tab", { name: "Node groups" }).click();
// Lifecycle dialogs: kubeconfig, stop (with the saving), upgrade (with the readiness report).
await page.getByRole("button", { name: "Kubeconfig" }).click();
await page.getByRole("dialog").waitFor();
await shoot(page, "cluster-kubeconfig");
await page.keyboard.press("Escape");
await page.getByRole("button", { name: "Stop", exact: true }).click();
await page.getByRole("dialog").getByText("Compute saved").waitFor();
await shoot(page, "cluster-stop");
await page.keyboard.press("Escape");
await page.getByRole("button", { name: "Upgrade", exact: true }).click();
await page.getByRole("dialog").getByText("Readiness report").waitFor();
await page.getByRole("dialog").getByRole("listitem").first().waitFor({ timeout: 30_000 });
await shoot(page, "cluster-upgrade");
await page.keyboard.press("Escape");
await page.getByRole("tab", { name: "Schedules" }).click();
await page.getByRole("button", { name: "Set up" }).first().click();
await shoot(page, "cluster-schedule-edit");
await page.getByRole("button", { name: "Save schedule" }).click();
await page.getByText("Saves").waitFor();
await page.getByRole("button", { name: "Set up" }).click();
await page.getByRole("button", { name: "Save window" }).click();
await page.getByText("Planned").waitFor();
await shoot(page, "cluster-schedules");
// An upgrade in progress, with per-node steps.
await page.getByRole("button", { name: "Upgrade", exact: true }).click();
const upgrade = page.getByRole("dialog");
await upgrade.getByLabel("Target version").selectOption("1.35.3");
await upgrade.getByRole("listitem").first().waitFor({ timeout: 30_000 });
for (const box of await upgrade.getByRole("checkbox").all()) await box.check();
await upgrade.getByRole("button", { name: "Upgrade to 1.35.3" }).click();
await page.getByRole("heading", { name: /^Upgrade 1\.35\.1/ }).waitFor();
await page.getByRole("tab", { name: "Node groups" }).click();
await page.getByText("In progress").first().waitFor({ timeout: 60_000 });
await shoot(page, "cluster-upgrading");
// Dashboards: the collector samples every minute; the upgrade above drew node state changes.
await page.goto(`${projectUrl}/dashboards?range=15m&refresh=10s`);
await page
  .getByTestId("panel-node-lifecycle")
  .getByRole("img", { name: /chart;/ })
  .waitFor({ timeout: 120_000 });
await page.waitForTimeout(1_000);
await shoot(page, "dashboards");
await page.getByRole("button", { name: "Nodes by state: panel menu" }).click();
await page.getByRole("menuitem", { name: "View as table" }).click();
await shoot(page, "dashboards-table");
await page.keyboard.press("Escape");
await page.getByLabel("Cluster").selectOption("all");
await page.getByTestId("panel-overview-clusters").waitFor();
await page.waitForTimeout(1_000);
await shoot(page, "dashboards-overview");
await page.getByRole("button", { name: /Switch project/ }).click();
await page.waitForTimeout(200);
await page.screenshot({ path: `${out}/switcher-light.png` });
await browser.close();
console.log(`screenshots in ${out}`);
