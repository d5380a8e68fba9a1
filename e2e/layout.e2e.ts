import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { expect, test, trpcMutation } from "./fixtures";

/**
 * The console's main pages at the two widths people use it at (a 1024 px
 * laptop and 1280 px), in both themes: nothing spills out of the main area
 * and no table cell or select cuts its text, unless it truncates on purpose
 * and carries the full text in a `title`, nor breaks a word across lines. Screenshots land in the test's
 * output folder for a person to look at.
 */

test.setTimeout(180_000);

const WIDTHS = [1024, 1280] as const;
const SCHEMES = ["light", "dark"] as const;

/** What is wrong with the layout of the page as it stands, one line per problem (empty: nothing). */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const main = document.querySelector("main");
    if (!main) return ["no <main> element"];
    const de = document.documentElement;
    if (main.scrollWidth > main.clientWidth)
      out.push(`main overflows: scrollWidth ${main.scrollWidth} > clientWidth ${main.clientWidth}`);
    if (de.scrollWidth > de.clientWidth)
      out.push(`page overflows: scrollWidth ${de.scrollWidth} > clientWidth ${de.clientWidth}`);

    // Screen-reader-only text (a 1 px clipped box) is meant to be invisible.
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== "hidden";
    };
    const text = (el: Element) =>
      ((el as HTMLElement).innerText || "").replace(/\s+/g, " ").trim().slice(0, 80);
    /** Truncation is allowed where the element (or one up to its cell) carries the full text in a title. */
    const titled = (el: Element, upTo: Element) => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        if (e.getAttribute("title")) return true;
        if (e === upTo) break;
      }
      return false;
    };

    for (const cell of main.querySelectorAll("td, th")) {
      if (!visible(cell)) continue;
      if (cell.scrollWidth > cell.clientWidth + 1 && !titled(cell, cell))
        out.push(
          `${cell.tagName.toLowerCase()} cuts its text (${cell.scrollWidth} > ${cell.clientWidth}): ${text(cell)}`,
        );
      // Text clipped inside the cell (overflow hidden, ellipsis) counts too.
      for (const inner of cell.querySelectorAll("*")) {
        const cs = getComputedStyle(inner);
        const clips = cs.overflowX === "hidden" || cs.overflowX === "clip";
        if (clips && visible(inner) && inner.scrollWidth > inner.clientWidth + 1 && !titled(inner, cell))
          out.push(`text clipped in a ${cell.tagName.toLowerCase()} without a title: ${text(inner)}`);
      }
    }

    // A select shows its chosen option's text: it is cut when the select is narrower than that text
    // needs. Measured with a copy holding only that option, sized to fit it.
    for (const select of main.querySelectorAll("select")) {
      if (!visible(select) || select.getAttribute("title")) continue;
      const chosen = select.selectedOptions[0]?.text ?? "";
      const probe = select.cloneNode(false) as HTMLSelectElement;
      probe.removeAttribute("id");
      probe.append(new Option(chosen));
      const fit: Array<[string, string]> = [
        ["width", "auto"],
        ["min-width", "0"],
        ["max-width", "none"],
        ["position", "absolute"],
        ["visibility", "hidden"],
      ];
      for (const [k, v] of fit) probe.style.setProperty(k, v, "important");
      (select.parentElement ?? main).append(probe);
      const needed = probe.getBoundingClientRect().width;
      probe.remove();
      const has = select.getBoundingClientRect().width;
      if (needed > has + 1)
        out.push(`select cuts "${chosen}" (needs ${Math.ceil(needed)} px, has ${Math.floor(has)})`);
    }

    // No word is broken across lines ("ru-ms|k-c", "10.254.0.0/1|6"): lines may break at spaces,
    // hyphens, dots and slashes, so each run between those must sit on one line.
    for (const box of main.querySelectorAll("td, th, dd")) {
      if (!visible(box)) continue;
      const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const value = node.nodeValue ?? "";
        for (const m of value.matchAll(/[^\s\-/.,:·]{2,}/g)) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const lines = new Set(
            [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)),
          );
          if (lines.size > 1)
            out.push(`"${m[0]}" is broken across lines in a ${box.tagName.toLowerCase()}: ${text(box)}`);
        }
      }
    }

    // A table scrolled sideways inside its frame hides columns just as an overflow would.
    for (const el of main.querySelectorAll("*")) {
      const cs = getComputedStyle(el);
      if (!["auto", "scroll"].includes(cs.overflowX) || !el.querySelector("table") || !visible(el)) continue;
      if (el.scrollWidth > el.clientWidth + 1)
        out.push(
          `a table scrolls sideways (${el.scrollWidth} > ${el.clientWidth}): ${text(el).slice(0, 60)}`,
        );
    }
    return out;
  });
}

/** Checks the page at each width and theme, and saves a screenshot of each. */
async function checkLayout(page: Page, name: string, ready: () => Promise<void>) {
  for (const width of WIDTHS)
    for (const scheme of SCHEMES) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      // The theme follows the system's (next-themes sets the class on <html>).
      await expect(page.locator("html")).toHaveClass(scheme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/);
      await ready();
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      // Charts and other resize observers settle on the next frames.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const label = `${name} at ${width} px, ${scheme}`;
      await page.screenshot({
        path: test.info().outputPath(`${name}-${width}-${scheme}.png`),
        fullPage: true,
      });
      expect(await layoutProblems(page), label).toEqual([]);
    }
}

test("the main pages fit 1024 and 1280 px in both themes: no overflow, no cut text", async ({
  page,
  user,
}) => {
  const projectId = user.personalProjectId;
  const cluster = await trpcMutation<{ id: string }>(page.request, "cluster.create", {
    projectId,
    spec: {
      name: "layout-checkout-production",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [
        {
          name: "web-autoscaling",
          flavor: "STD2-2-4",
          zone: "ru-msk-a",
          scaling: { mode: "autoscale", min: 1, max: 3 },
        },
        { name: "batch-fixed", flavor: "STD2-2-4", zone: "ru-msk-b", scaling: { mode: "fixed", size: 1 } },
      ],
    },
  });
  const clusterPage = `/projects/${projectId}/clusters/${cluster.id}`;
  await page.goto(clusterPage);
  const heading = page.getByRole("heading", { name: "layout-checkout-production" }).locator("..");
  await expect(heading.getByText("Running", { exact: true })).toBeVisible({ timeout: 120_000 });

  // Rows the audit log must explain: a workload change (its target is the cluster, by id) and two
  // failed calls (their message, and their target where the input named one).
  await trpcMutation(page.request, "workload.setLoad", {
    projectId,
    clusterId: cluster.id,
    load: { profile: "steady", base: 1, peak: 1, periodMinutes: 10 },
  });
  const failed = async (path: string, input: unknown) =>
    expect((await page.request.post(`/api/trpc/${path}`, { data: { json: input } })).ok()).toBe(false);
  await failed("nodeGroup.update", {
    projectId,
    clusterId: cluster.id,
    generation: 1,
    name: "batch-fixed",
    scaling: { mode: "fixed", size: 1000 },
  });
  await failed("cloud.set", {
    projectId,
    authUrl: "https://keystone.example.com:5000/v3",
    region: "RegionOne",
    auth: { type: "application_credential", applicationCredentialId: "", secret: "s3cret" },
  });

  // ── the clusters list ─────────────────────────────────────────────────────
  await page.goto(`/projects/${projectId}/clusters`);
  const row = page.getByRole("row").filter({ hasText: "layout-checkout-production" });
  await checkLayout(page, "clusters", async () => {
    await expect(row.getByText("Running", { exact: true })).toBeVisible();
    await expect(row).toContainText("ru-msk-a");
  });

  // A cluster being created shows its current step under its status ("12/24 · Create security group
  // …-master"): a long step name is cut with an ellipsis inside the fixed column, never widening it.
  await trpcMutation(page.request, "cluster.create", {
    projectId,
    spec: {
      name: "layout-provisioning",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [],
    },
  });
  const provisioning = page.getByRole("row").filter({ hasText: "layout-provisioning" });
  await expect(provisioning.getByText(/^\d+\/\d+ · .{20,}/)).toBeVisible({ timeout: 30_000 });
  await page.setViewportSize({ width: 1024, height: 900 });
  expect(await layoutProblems(page), "clusters list at 1024 px, a cluster provisioning").toEqual([]);
  expect((await provisioning.getByRole("cell").nth(1).boundingBox())!.width).toBeLessThanOrEqual(161);

  // ── the cluster's Overview, Node groups and Policies ─────────────────────
  await page.goto(clusterPage);
  await page.getByRole("tab", { name: "Overview" }).click();
  await checkLayout(page, "overview", () => expect(page.getByText("Pod / service CIDR")).toBeVisible());
  await page.getByRole("tab", { name: "Node groups" }).click();
  await checkLayout(page, "node-groups", async () => {
    await expect(page.getByLabel("Maximum nodes in web-autoscaling")).toBeVisible();
    await expect(
      page.getByRole("row").filter({ hasText: "layout-checkout-production-batch-fixed-0" }),
    ).toBeVisible();
  });
  await page.getByRole("tab", { name: "Policies" }).click();
  await checkLayout(page, "policies", () =>
    expect(page.getByTestId("constraint-psp-privileged-containers")).toBeVisible(),
  );

  // ── the audit log ─────────────────────────────────────────────────────────
  await page.goto(`/projects/${projectId}/audit`);
  const entry = (action: string) => page.getByRole("row").filter({ hasText: action }).first();
  await checkLayout(page, "audit", () => expect(entry("workload.setLoad")).toBeVisible());
  // Every row names its target and says why a call failed.
  await expect(entry("workload.setLoad")).toContainText("layout-checkout-production");
  await expect(entry("nodeGroup.update")).toContainText("layout-checkout-production");
  await expect(entry("nodeGroup.update")).toContainText("At most 100 nodes per group");
  await expect(entry("cloud.set")).toContainText("Enter the application credential ID");
  // The rows loaded, as CSV.
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download CSV" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync(await download.path(), "utf8");
  expect(csv.split("\r\n")[0]).toBe(
    "\uFEFFtime,actor,client_ip,request_id,action,outcome,error_code,message,target_type,target,details",
  );
  expect(csv).toMatch(/,cloud\.set,failure,BAD_REQUEST,Enter the application credential ID,/);

  // ── the project's dashboards, over a day ─────────────────────────────────
  // Last, so that waiting for the worker's first sample (taken once a minute) overlaps the pages
  // above: the charts are checked drawn, not in their empty state.
  await page.goto(`/projects/${projectId}/dashboards?range=24h&refresh=10s`);
  await checkLayout(page, "dashboards", () =>
    expect(page.getByTestId("panel-node-lifecycle").getByRole("img", { name: /chart;/ })).toBeVisible({
      timeout: 90_000,
    }),
  );
});

test("the wizard's steps and the project settings fit 1024 and 1280 px in both themes", async ({
  page,
  user,
}) => {
  const projectId = user.personalProjectId;
  await page.goto(`/projects/${projectId}/clusters/new`);
  const steps = page.getByRole("navigation", { name: "Wizard steps" });
  await expect(steps).toBeVisible();
  await page.getByRole("button", { name: "Next", exact: true }).click();
  // A long name, as people give them: the summary and the review must still fit.
  await page.getByLabel("Cluster name").fill("checkout-payments-production");
  for (const step of ["Purpose", "Basics", "Network", "Node groups", "Addons & policies", "Review"]) {
    await steps.getByRole("button", { name: step }).click();
    await expect(steps.getByRole("button", { name: step })).toHaveAttribute("aria-current", "step");
    if (step === "Addons & policies") {
      // With an addon's values open: the editor, its version select and the resource list.
      await page.getByLabel(/Ingress NGINX/).check();
      await page.getByRole("button", { name: "Version and values" }).first().click();
      await expect(page.getByLabel("Values for Ingress NGINX")).toBeVisible();
    }
    const slug = step.toLowerCase().replace(/[^a-z]+/g, "-");
    await checkLayout(page, `wizard-${slug}`, () =>
      expect(steps.getByRole("button", { name: step })).toHaveAttribute("aria-current", "step"),
    );
  }
  await page.evaluate(() => localStorage.clear());

  await page.goto(`/projects/${projectId}/settings`);
  await checkLayout(page, "settings", () =>
    expect(page.getByRole("heading", { name: "Members" })).toBeVisible(),
  );
});
