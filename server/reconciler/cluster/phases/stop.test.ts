import { describe, expect, it } from "vitest";
import type { OpenStackCloud } from "@/server/openstack";
import { Server } from "@/server/openstack/compute";
import type { Observed } from "../observe";
import { STOP_POWER_OFF_MS, stopPlan } from "./stop";

/**
 * The stop's deadline (issue 20 §1): a server whose stop was sent and that
 * does not power off is named while the stop waits, and past the deadline
 * the stop fails with it named, instead of waiting without end.
 */

const T0 = Date.parse("2026-12-07T10:00:00.000Z");
const cloud = { compute: { stopServer: async () => undefined } } as unknown as OpenStackCloud;

function server(name: string, status: string, taskState: string | null, role: "master" | "worker") {
  return Server.parse({
    id: `id-${name}`,
    name,
    status,
    "OS-EXT-STS:task_state": taskState,
    tags: [`kc-role=${role}`],
    created: "2026-12-07T09:00:00Z",
  });
}

function observed(servers: Server[]): Observed {
  return { servers: new Map(servers.map((s) => [s.name, s])) } as unknown as Observed;
}

const plan = (servers: Server[], waitSince: Record<string, string>, now: number) =>
  stopPlan({
    cloud,
    observed: observed(servers),
    kube: null,
    kubeNodes: null,
    cordonedByStop: [],
    waitSince,
    now,
  });

describe("stopPlan: every server it waits for has a deadline", () => {
  it("sends the workers' stops and starts their clocks; masters wait (no clock) until the workers are off", () => {
    const p = plan(
      [server("c-master-0", "ACTIVE", null, "master"), server("c-w-0", "ACTIVE", null, "worker")],
      {},
      T0,
    );
    expect(p.actions.map((a) => a.label)).toEqual(["Stop c-w-0"]);
    expect(p.stopWait).toEqual({ "c-w-0": new Date(T0).toISOString() });
    expect(p.failure).toBeNull();
  });

  it("names the server it waits for, since when, and the deadline", () => {
    const since = new Date(T0).toISOString();
    const p = plan(
      [server("c-master-0", "ACTIVE", null, "master"), server("c-w-0", "ACTIVE", "powering-off", "worker")],
      { "c-w-0": since },
      T0 + 3 * 60_000,
    );
    expect(p.actions).toEqual([]);
    expect(p.waiting).toBe(
      "Waiting for c-w-0 to power off: stop sent at 10:00 UTC (Nova: ACTIVE, task powering-off); deadline 10:10 UTC",
    );
    expect(p.stopWait).toEqual({ "c-w-0": since });
    expect(p.failure).toBeNull();
  });

  it("past the deadline the stop fails with the server named; what is off stays off", () => {
    const since = new Date(T0).toISOString();
    const p = plan(
      [
        server("c-master-0", "ACTIVE", null, "master"),
        server("c-w-0", "ACTIVE", "powering-off", "worker"),
        server("c-w-1", "SHUTOFF", null, "worker"),
      ],
      { "c-w-0": since, "c-w-1": since },
      T0 + STOP_POWER_OFF_MS + 60_000,
    );
    expect(p.failure?.step).toBe("Stop the servers");
    expect(p.failure?.message).toMatch(
      /^c-w-0 has not powered off 11 min after its stop was sent \(Nova: ACTIVE, task powering-off\)\. 1 of 3 servers are off/,
    );
    expect(p.failure?.message).toContain("Retry waits another 10 min");
    expect(p.failure?.message).toMatch(/Cancel starts the cluster again\.$/);
    expect(p.stopWait).toEqual({ "c-w-0": since }); // the one that is off has no clock any more
    expect(p.done).toBe(false);
  });

  it("a stop that Nova dropped (server ACTIVE, no task) is sent again, on the same clock", () => {
    const since = new Date(T0).toISOString();
    const early = plan([server("c-w-0", "ACTIVE", null, "worker")], { "c-w-0": since }, T0 + 60_000);
    expect(early.actions.map((a) => a.label)).toEqual(["Stop c-w-0"]);
    expect(early.stopWait).toEqual({ "c-w-0": since });
    const late = plan(
      [server("c-w-0", "ACTIVE", null, "worker")],
      { "c-w-0": since },
      T0 + STOP_POWER_OFF_MS,
    );
    expect(late.failure?.message).toMatch(
      /^c-w-0 has not powered off 10 min after its stop was sent \(Nova: ACTIVE\)/,
    );
  });

  it("after a Retry (the clock emptied) the wait starts again from now", () => {
    const p = plan([server("c-w-0", "ACTIVE", "powering-off", "worker")], { "c-w-0": "" }, T0 + 99 * 60_000);
    expect(p.stopWait).toEqual({ "c-w-0": new Date(T0 + 99 * 60_000).toISOString() });
    expect(p.failure).toBeNull();
  });

  it("everything off: done, nothing waited for", () => {
    const p = plan(
      [server("c-master-0", "SHUTOFF", null, "master"), server("c-w-0", "SHUTOFF", null, "worker")],
      { "c-w-0": new Date(T0).toISOString() },
      T0 + STOP_POWER_OFF_MS * 2,
    );
    expect(p).toMatchObject({ done: true, waiting: null, stopWait: {}, failure: null, actions: [] });
  });
});
