import { eq } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { closeChangeHubs, ChangeHub } from "@/db/live";
import { clusterEvents, clusters, projectMembers } from "@/db/schema";
import { createTestDb, makeUser } from "@/db/testing";
import { smallSpec } from "@/server/testing/specs";
import { projectChanges, type LiveEvent, type StreamOptions } from "./stream";

let db: Db;
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ db, url, drop } = await createTestDb());
});
afterAll(async () => {
  await closeChangeHubs(url);
  await drop();
});

/** Reads a stream in the background; `until` waits for a message matching a test. */
function open(o: Omit<StreamOptions, "db">) {
  const abort = new AbortController();
  const got: LiveEvent[] = [];
  let failure: unknown = null;
  let ended = false;
  const pump = (async () => {
    try {
      for await (const e of projectChanges({ db, signal: abort.signal, ...o })) got.push(e);
    } catch (err) {
      failure = err;
    } finally {
      ended = true;
    }
  })();
  const until = async (test: (e: LiveEvent) => boolean, ms = 5_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = got.find(test);
      if (hit) return hit;
      if (ended)
        throw new Error(
          `stream ended (${String(failure)}) before the message came; got ${JSON.stringify(got)}`,
        );
      if (Date.now() > deadline)
        throw new Error(`no such message within ${ms} ms; got ${JSON.stringify(got)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    got,
    until,
    get failure() {
      return failure;
    },
    get ended() {
      return ended;
    },
    close: async () => {
      abort.abort();
      await pump;
    },
  };
}

const changed = (clusterId: string, what: string) => (e: LiveEvent) =>
  e.message.kind === "changes" && e.message.changes.some((c) => c.clusterId === clusterId && c.what === what);
const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("live changes (LISTEN/NOTIFY through one connection per process)", () => {
  it("a cluster created in a project reaches that project's stream, and nothing reaches another project's", async () => {
    const a = await makeUser(db);
    const b = await makeUser(db);
    const sa = open({ projectId: a.personalProjectId, userId: a.userId });
    const sb = open({ projectId: b.personalProjectId, userId: b.userId });
    await sa.until((e) => e.message.kind === "ready");
    await sb.until((e) => e.message.kind === "ready");
    const c = await a.caller.cluster.create({ projectId: a.personalProjectId, spec: smallSpec("live-a") });
    await sa.until(changed(c.id, "cluster"));
    await sa.until(changed(c.id, "operation"));
    await quiet(300);
    expect(sb.got.filter((e) => e.message.kind !== "ready")).toEqual([]);
    await Promise.all([sa.close(), sb.close()]);
  });

  it("a write that changes nothing but updated_at is not announced; a phase change and an event are", async () => {
    const a = await makeUser(db);
    const c = await a.caller.cluster.create({ projectId: a.personalProjectId, spec: smallSpec("live-b") });
    const s = open({ projectId: a.personalProjectId, userId: a.userId });
    await s.until((e) => e.message.kind === "ready");
    await db.update(clusters).set({ updatedAt: new Date() }).where(eq(clusters.id, c.id));
    await quiet(400);
    expect(s.got.filter((e) => e.message.kind === "changes")).toEqual([]);
    await db.update(clusters).set({ phase: "Running" }).where(eq(clusters.id, c.id));
    await s.until(changed(c.id, "cluster"));
    await db.insert(clusterEvents).values({
      clusterId: c.id,
      type: "Normal",
      reason: "Test",
      objectKind: "Cluster",
      objectName: "live-b",
      message: "hello",
    });
    await s.until(changed(c.id, "event"));
    await s.close();
  });

  it("a burst of writes in one transaction arrives as one message naming each change once", async () => {
    const a = await makeUser(db);
    const c = await a.caller.cluster.create({ projectId: a.personalProjectId, spec: smallSpec("live-c") });
    const s = open({ projectId: a.personalProjectId, userId: a.userId });
    await s.until((e) => e.message.kind === "ready");
    await db.transaction(async (tx) => {
      for (const phase of ["Updating", "Running", "Updating"] as const)
        await tx.update(clusters).set({ phase }).where(eq(clusters.id, c.id));
    });
    const hit = await s.until(changed(c.id, "cluster"));
    expect(hit.message).toEqual({ kind: "changes", changes: [{ what: "cluster", clusterId: c.id }] });
    await s.close();
  });

  it("a reconnect with its last event id gets what it missed; an id from another server start gets a resync", async () => {
    const a = await makeUser(db);
    const c = await a.caller.cluster.create({ projectId: a.personalProjectId, spec: smallSpec("live-d") });
    const first = open({ projectId: a.personalProjectId, userId: a.userId });
    const ready = await first.until((e) => e.message.kind === "ready");
    await first.close();
    // The browser is away; the channel stays followed for a while (idle grace), so nothing is lost.
    await db.update(clusters).set({ phase: "Stopping" }).where(eq(clusters.id, c.id));
    await quiet(200);
    const again = open({ projectId: a.personalProjectId, userId: a.userId, lastEventId: ready.id });
    await again.until((e) => e.message.kind === "ready");
    await again.until(changed(c.id, "cluster"));
    await again.close();

    const stranger = open({
      projectId: a.personalProjectId,
      userId: a.userId,
      lastEventId: `00000000-${ready.id.split("-")[1]}`,
    });
    const told = await stranger.until((e) => e.message.kind === "resync");
    expect(told.message).toMatchObject({ reason: expect.stringMatching(/another server process|restarted/) });
    await stranger.close();
  });

  it("a project nobody followed while the browser was away gets a resync, not an empty replay", async () => {
    const a = await makeUser(db);
    const hub = new ChangeHub(url, { idleMs: 50 });
    try {
      const first = open({ projectId: a.personalProjectId, userId: a.userId, hub });
      const ready = await first.until((e) => e.message.kind === "ready");
      await first.close();
      await quiet(300); // past the idle grace: the hub stopped listening
      const again = open({ projectId: a.personalProjectId, userId: a.userId, hub, lastEventId: ready.id });
      await again.until((e) => e.message.kind === "resync");
      await again.close();
    } finally {
      await hub.close();
    }
  });

  it("one database connection serves every stream of the process, and losing it means down, then resync, then changes again", async () => {
    const a = await makeUser(db);
    const c = await a.caller.cluster.create({ projectId: a.personalProjectId, spec: smallSpec("live-e") });
    const hub = new ChangeHub(url, { retryMs: { first: 100, max: 400 }, log: () => undefined });
    const streams = Array.from({ length: 20 }, () =>
      open({ projectId: a.personalProjectId, userId: a.userId, hub }),
    );
    try {
      for (const s of streams) await s.until((e) => e.message.kind === "ready");
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const count = await admin.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'kube-console-live' AND datname = current_database()",
        );
        // This hub's one, plus the shared hub other tests in this file opened.
        expect(Number(count.rows[0]!.n)).toBeLessThanOrEqual(2);
        await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kube-console-live' AND datname = current_database()",
        );
      } finally {
        await admin.end();
      }
      for (const s of streams) await s.until((e) => e.message.kind === "down");
      for (const s of streams) await s.until((e) => e.message.kind === "resync");
      expect(hub.healthy).toBe(true);
      await db.update(clusters).set({ phase: "Running" }).where(eq(clusters.id, c.id));
      for (const s of streams) await s.until(changed(c.id, "cluster"));
    } finally {
      await Promise.all(streams.map((s) => s.close()));
      await hub.close();
    }
  });

  it("a member removed while watching loses the stream at the next access check", async () => {
    const owner = await makeUser(db);
    const viewer = await makeUser(db);
    const projectId = owner.personalProjectId;
    await db.insert(projectMembers).values({ projectId, userId: viewer.userId, role: "viewer" });
    const s = open({ projectId, userId: viewer.userId, accessCheckMs: 100 });
    await s.until((e) => e.message.kind === "ready");
    await quiet(250);
    expect(s.ended).toBe(false);
    await db.delete(projectMembers).where(eq(projectMembers.userId, viewer.userId));
    const deadline = Date.now() + 3_000;
    while (!s.ended && Date.now() < deadline) await quiet(20);
    expect(s.ended).toBe(true);
    expect(String(s.failure)).toMatch(/not found/i);
  });

  it("the procedure refuses a project the caller is not a member of, before any stream opens", async () => {
    const a = await makeUser(db);
    const b = await makeUser(db);
    await expect(a.caller.live.project({ projectId: b.personalProjectId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("resuming from the ring", () => {
  it("replays only while the ring still holds every change since the client's last id", async () => {
    const a = await makeUser(db);
    const c = await a.caller.cluster.create({ projectId: a.personalProjectId, spec: smallSpec("live-f") });
    const hub = new ChangeHub(url, { ringSize: 3 });
    try {
      const keep = open({ projectId: a.personalProjectId, userId: a.userId, hub });
      const ready = await keep.until((e) => e.message.kind === "ready");
      await db.update(clusters).set({ phase: "Updating" }).where(eq(clusters.id, c.id));
      await keep.until(changed(c.id, "cluster"));
      const afterOne = keep.got.at(-1)!.id;
      expect(hub.resume(a.personalProjectId, ready.id)).toMatchObject({
        kind: "replay",
        changes: [{ seq: 2 }],
      });
      for (const phase of ["Running", "Updating", "Running"] as const) {
        const before = keep.got.length;
        await db.update(clusters).set({ phase }).where(eq(clusters.id, c.id));
        await keep.until((e) => keep.got.indexOf(e) >= before && changed(c.id, "cluster")(e));
      }
      // Four changes, a ring of three: the id from before the first cannot replay; the one after it can.
      expect(hub.resume(a.personalProjectId, ready.id)).toMatchObject({ kind: "resync" });
      const replay = hub.resume(a.personalProjectId, afterOne);
      expect(replay).toMatchObject({ kind: "replay" });
      expect(replay.kind === "replay" && replay.changes.length).toBe(3);
      await keep.close();
    } finally {
      await hub.close();
    }
  });
});

describe("shutdown", () => {
  it("closing the hub ends every open stream at once (a stopping server is not held open by them)", async () => {
    const a = await makeUser(db);
    const hub = new ChangeHub(url);
    const streams = [1, 2, 3].map(() => open({ projectId: a.personalProjectId, userId: a.userId, hub }));
    for (const s of streams) await s.until((e) => e.message.kind === "ready");
    await hub.close();
    const deadline = Date.now() + 1_000;
    while (streams.some((s) => !s.ended) && Date.now() < deadline) await quiet(10);
    expect(streams.map((s) => [s.ended, s.failure])).toEqual([
      [true, null],
      [true, null],
      [true, null],
    ]);
  });
});
