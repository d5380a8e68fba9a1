import { changeHubFor, type Change, type ChangeHub } from "@/db/live";
import type { Db } from "@/db/client";
import { setting } from "@/server/env";
import { requireProjectRole } from "../project/access";

/**
 * What a browser watching a project is told, in order. Messages carry ids
 * only: the page refetches what changed through the ordinary, authorized
 * queries, so a stream can never leak data its reader may not see.
 */
export type LiveMessage =
  /** The stream is open and following the project (sent first on every connection). */
  | { kind: "ready"; pollFallbackMs: number }
  /** These clusters' rows, operations or events changed. */
  | { kind: "changes"; changes: Change[] }
  /** Changes may have been missed: refetch everything the page shows. */
  | { kind: "resync"; reason: string }
  /** The server cannot follow changes right now: poll until the next `resync`. */
  | { kind: "down"; reason: string };

export interface LiveEvent {
  id: string;
  message: LiveMessage;
}

export interface StreamOptions {
  db: Db;
  projectId: string;
  userId: string;
  lastEventId?: string | null;
  signal?: AbortSignal;
  /** Changes arriving within this window go out as one message. */
  coalesceMs?: number;
  /** How often the reader's membership is checked again (removed members' streams end). */
  accessCheckMs?: number;
  hub?: ChangeHub;
}

/**
 * tRPC's server-sent-event settings: a ping every 10 s keeps proxies from
 * closing a quiet stream, the browser reconnects when it hears nothing for
 * 25 s, and a stream ends after LIVE_STREAM_MAX_SECONDS (the browser resumes).
 */
export function liveSseOptions() {
  return {
    ping: { enabled: true, intervalMs: 10_000 },
    client: { reconnectAfterInactivityMs: 25_000 },
    maxDurationMs: setting("LIVE_STREAM_MAX_SECONDS") * 1000,
  };
}

/** What the browser polls at while the stream is down (the pages' old fixed interval). */
export const POLL_FALLBACK_MS = 2_000;

/**
 * A project's live change stream (the `live.project` subscription). The caller
 * has been authorized as a viewer; membership is re-checked every
 * `accessCheckMs`, and the stream ends with NOT_FOUND once it is gone.
 */
export async function* projectChanges(o: StreamOptions): AsyncGenerator<LiveEvent> {
  const hub = o.hub ?? changeHubFor(connectionStringOf(o.db));
  const coalesceMs = o.coalesceMs ?? 50;
  const accessCheckMs = o.accessCheckMs ?? 60_000;
  const pending: Array<{ seq: number; change: Change }> = [];
  let state: { kind: "down" | "resync" | "closed"; reason: string } | null = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const unsubscribe = await hub.subscribe(o.projectId, {
    change(seq, change) {
      pending.push({ seq, change });
      poke();
    },
    state(s) {
      state = s;
      poke();
    },
  });
  const aborted = new Promise<void>((resolve) => {
    if (o.signal?.aborted) resolve();
    o.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  let accessCheck: NodeJS.Timeout | null = null;
  try {
    // Everything up to `seen` has been sent (or replayed); later ones arrive through `pending`.
    let seen = hub.current;
    const resume = hub.resume(o.projectId, o.lastEventId);
    if (resume.kind === "resync") {
      yield { id: hub.eventId(seen), message: { kind: "resync", reason: resume.reason } };
    } else {
      yield { id: hub.eventId(seen), message: { kind: "ready", pollFallbackMs: POLL_FALLBACK_MS } };
      if (resume.changes.length > 0) {
        const last = resume.changes.at(-1)!.seq;
        seen = Math.max(seen, last);
        yield { id: hub.eventId(last), message: { kind: "changes", changes: unique(resume.changes) } };
      }
    }
    let checkDue = false;
    accessCheck = setInterval(() => {
      checkDue = true;
      poke();
    }, accessCheckMs);
    accessCheck.unref();

    for (;;) {
      if (pending.length === 0 && state === null && !checkDue) {
        await Promise.race([new Promise<void>((r) => (wake = r)), aborted]);
        if (o.signal?.aborted) return;
        // Let a burst (one reconciler pass writes a row, an operation and events) arrive as one message.
        if (coalesceMs > 0 && pending.length > 0) await Promise.race([sleep(coalesceMs), aborted]);
        if (o.signal?.aborted) return;
      }
      if (checkDue) {
        checkDue = false;
        await requireProjectRole(o.db, o.projectId, o.userId, "viewer");
      }
      const s = state as { kind: "down" | "resync" | "closed"; reason: string } | null;
      if (s?.kind === "closed") return;
      if (s) {
        state = null;
        seen = hub.current;
        pending.splice(0, pending.length);
        yield { id: hub.eventId(seen), message: { kind: s.kind, reason: s.reason } };
        continue;
      }
      const fresh = pending.splice(0, pending.length).filter((p) => p.seq > seen);
      if (fresh.length === 0) continue;
      seen = fresh.at(-1)!.seq;
      yield { id: hub.eventId(seen), message: { kind: "changes", changes: unique(fresh) } };
    }
  } finally {
    if (accessCheck) clearInterval(accessCheck);
    unsubscribe();
  }
}

function unique(list: Array<{ change: Change }>): Change[] {
  const seen = new Map<string, Change>();
  for (const { change } of list) seen.set(`${change.what}:${change.clusterId}`, change);
  return [...seen.values()];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

function connectionStringOf(db: Db): string {
  const url = (db.$client as unknown as { options: { connectionString?: string } }).options.connectionString;
  if (!url) throw new Error("live updates need the database's connection string");
  return url;
}
