import { describe, expect, it } from "vitest";
import { isQueueSchemaProbe } from "./local";
import { runShutdown } from "./shutdown";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("runShutdown", () => {
  it("runs the steps one after the other, in order, and goes on past a failing one", async () => {
    const done: string[] = [];
    const lines: string[] = [];
    const result = await runShutdown(
      [
        { name: "http", run: async () => (await sleep(20), done.push("http")) },
        {
          name: "the worker",
          run: () => {
            throw new Error("boom");
          },
        },
        { name: "pools", run: async () => (await sleep(5), done.push("pools")) },
        { name: "postgres", run: () => done.push("postgres") },
      ],
      { label: "[t]", log: (m) => lines.push(m) },
    );
    expect(result).toBe("done");
    expect(done).toEqual(["http", "pools", "postgres"]);
    expect(lines).toEqual(["[t] the worker: boom"]);
  });

  it("names a slow step, and gives up at the deadline saying what it was waiting for", async () => {
    const lines: string[] = [];
    let reachedLast = false;
    const started = Date.now();
    const result = await runShutdown(
      [
        { name: "requests in flight", run: () => sleep(10) },
        { name: "the worker's jobs", run: () => new Promise(() => undefined) },
        { name: "postgres", run: () => (reachedLast = true) },
      ],
      { label: "[t]", deadlineMs: 300, slowMs: 100, log: (m) => lines.push(m) },
    );
    expect(result).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(reachedLast).toBe(false);
    expect(lines).toEqual([
      "[t] waiting for the worker's jobs…",
      "[t] gave up after 0.3 s waiting for the worker's jobs; exiting",
    ]);
  });
});

describe("the embedded PostgreSQL log filter", () => {
  it("drops only graphile-worker's schema probe on a fresh database", () => {
    expect(
      isQueueSchemaProbe(
        '2026-12-07 14:58:34.670 UTC [17750] ERROR:  relation "graphile_worker.migrations" does not exist at character 93',
      ),
    ).toBe(true);
    for (const real of [
      '2026-12-07 14:58:34.670 UTC [17750] ERROR:  relation "graphile_worker.jobs" does not exist at character 15',
      '2026-12-07 14:58:34.670 UTC [17750] ERROR:  relation "clusters" does not exist at character 15',
      '2026-12-07 14:58:34.670 UTC [17750] FATAL:  password authentication failed for user "postgres"',
    ])
      expect(isQueueSchemaProbe(real)).toBe(false);
  });
});
