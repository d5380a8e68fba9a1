import type { Page } from "@playwright/test";
import { expect, test, trpcMutation } from "./fixtures";

test.setTimeout(300_000);

/**
 * Records what the live stream delivers: every EventSource the page opens,
 * each (re)connection and each message, with timestamps (performance.now()).
 */
async function recordLiveStream(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as {
      __live: { opens: number[]; messages: Array<{ at: number; data: string }> };
      EventSource: typeof EventSource;
    };
    w.__live = { opens: [], messages: [] };
    const Native = w.EventSource;
    w.EventSource = class extends Native {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        this.addEventListener("open", () => w.__live.opens.push(performance.now()));
        this.addEventListener("message", (e) =>
          w.__live.messages.push({ at: performance.now(), data: e.data }),
        );
      }
    };
  });
}

const live = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { __live: { opens: number[]; messages: Array<{ at: number; data: string }> } })
        .__live,
  );

test("cluster status reaches an open page through the live stream, with no polling, and a killed stream resumes", async ({
  page,
  user,
}) => {
  const projectId = user.personalProjectId;
  await recordLiveStream(page);
  const cluster = await trpcMutation<{ id: string }>(page.request, "cluster.create", {
    projectId,
    spec: {
      name: "pushed",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [{ name: "w", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 1 } }],
    },
  });
  // Every cluster.get the page makes, with its time on the page's clock.
  const gets: number[] = [];
  const streams: Array<{ lastEventId: string | null }> = [];
  page.on("request", (r) => {
    const url = r.url();
    if (url.includes("/api/trpc/") && url.includes("cluster.get"))
      void page
        .evaluate(() => performance.now())
        .then(
          (t) => gets.push(t),
          () => undefined,
        );
    // A resumed stream names its last event: the EventSource's own Last-Event-ID header when the
    // browser reconnects it, or tRPC's input in the URL when the link opens a new one.
    if (url.includes("/api/trpc/live.project"))
      void r.allHeaders().then((h) =>
        streams.push({
          lastEventId:
            h["last-event-id"] ?? /"lastEventId":"([^"]+)"/.exec(decodeURIComponent(url))?.[1] ?? null,
        }),
      );
  });

  await page.goto(`/projects/${projectId}/clusters/${cluster.id}`);
  const badge = page.locator("[data-live]");
  await expect(badge).toHaveAttribute("data-live", "live");
  await expect(badge).toHaveText(/Live/);
  const heading = page.getByRole("heading", { name: "pushed" }).locator("..");
  await expect(heading.getByText("Running", { exact: true })).toBeVisible({ timeout: 120_000 });

  // ── no polling: over 8 quiet seconds, every refetch follows a pushed change ───────────────
  const from = await page.evaluate(() => performance.now());
  await page.waitForTimeout(8_000);
  const to = await page.evaluate(() => performance.now());
  const pushed = (await live(page)).messages
    .filter((m) => m.data.includes(cluster.id) && m.data.includes('"changes"'))
    .map((m) => m.at);
  const quietGets = gets.filter((t) => t >= from && t <= to);
  // Polling would fetch every 2 s whatever happened; here each fetch answers a push (the reconciler still
  // writes status while the new cluster settles), and there are never more fetches than pushes.
  for (const t of quietGets)
    expect(
      pushed.some((p) => p <= t && t - p < 1_500),
      `cluster.get at ${t} follows a push`,
    ).toBe(true);
  expect(quietGets.length).toBeLessThanOrEqual(pushed.filter((p) => p >= from - 1_500 && p <= to).length);

  // ── a change made elsewhere (the API, as another tab or a script would) shows at once ────
  await trpcMutation(page.request, "cluster.stop", { projectId, clusterId: cluster.id });
  await expect(heading.getByText(/Stopping|Stopped/)).toBeVisible({ timeout: 5_000 });
  await expect(heading.getByText("Stopped", { exact: true })).toBeVisible({ timeout: 90_000 });

  // ── the server ends the stream (LIVE_STREAM_MAX_SECONDS=12 in e2e/serve.ts); the page resumes ──
  await expect
    .poll(() => streams.filter((s) => s.lastEventId !== null).length, {
      message: "the browser reconnected with its last event id",
      timeout: 30_000,
    })
    .toBeGreaterThan(0);
  await expect(badge).toHaveAttribute("data-live", "live");
  const recorded = await live(page);
  expect(recorded.opens.length).toBeGreaterThan(1);
  // The same server process followed the project throughout: it replayed, never asked for a resync.
  expect(recorded.messages.filter((m) => m.data.includes('"resync"'))).toEqual([]);
  await trpcMutation(page.request, "cluster.start", { projectId, clusterId: cluster.id });
  await expect(heading.getByText(/Starting|Running/)).toBeVisible({ timeout: 5_000 });
});

test("the clusters list follows changes made elsewhere without polling", async ({ page, user }) => {
  const projectId = user.personalProjectId;
  await page.goto(`/projects/${projectId}/clusters`);
  await expect(page.locator("[data-live]")).toHaveAttribute("data-live", "live");
  const lists: number[] = [];
  page.on("request", (r) => {
    if (r.url().includes("cluster.list")) lists.push(Date.now());
  });
  await page.waitForTimeout(6_000);
  // Nothing changed, nothing fetched (polling every 2 s would have fetched 3 times).
  expect(lists).toEqual([]);
  await trpcMutation(page.request, "cluster.create", {
    projectId,
    spec: {
      name: "from-elsewhere",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [{ name: "w", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: 1 } }],
    },
  });
  await expect(page.getByRole("link", { name: "from-elsewhere" })).toBeVisible({ timeout: 5_000 });
});
