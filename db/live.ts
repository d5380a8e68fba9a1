import { randomBytes } from "node:crypto";
import pg from "pg";
import { z } from "zod";
import { onCloseDatabase } from "./client";

/**
 * Live updates, server side. Database triggers (migration 0016) announce every
 * committed change a cluster page shows on its project's channel; one
 * `ChangeHub` per process holds ONE PostgreSQL connection that LISTENs to the
 * channels of the projects somebody is watching and fans the notifications
 * out to the open streams (the `live.project` subscription). A connection per
 * browser would run the database out of connections.
 *
 * Resume: every change gets a sequence number; a stream's event id is
 * `<boot>-<seq>`. A client that reconnects with its last id gets the changes it
 * missed replayed from a ring buffer — but only when this process was
 * listening to that project the whole time and the buffer still reaches back
 * that far. Otherwise it is told to resync (refetch everything it shows),
 * never silently left stale.
 */

export const CHANGE_KINDS = { c: "cluster", o: "operation", e: "event" } as const;
export type ChangeKind = (typeof CHANGE_KINDS)[keyof typeof CHANGE_KINDS];
export interface Change {
  what: ChangeKind;
  clusterId: string;
}

const Payload = z
  .string()
  .regex(/^[coe]:[0-9a-f-]{36}$/)
  .transform((p): Change => ({ what: CHANGE_KINDS[p[0] as "c" | "o" | "e"], clusterId: p.slice(2) }));

/** The channel the triggers notify for a project (kc_live_channel in SQL). */
export const channelOf = (projectId: string) => `kc_p_${projectId.replaceAll("-", "")}`;

export interface HubListener {
  change(seq: number, change: Change): void;
  /**
   * The hub lost its connection (`down`), got it back and may have missed
   * changes (`resync`), or is shutting down (`closed`: end the stream).
   */
  state(s: { kind: "down" | "resync" | "closed"; reason: string }): void;
}

export type Resume =
  { kind: "replay"; changes: Array<{ seq: number; change: Change }> } | { kind: "resync"; reason: string };

interface Channel {
  listeners: Set<HubListener>;
  /**
   * The sequence number taken when its LISTEN took effect: an event id at or
   * after it was issued while this process followed the channel without a gap.
   */
  since: number;
  /** Pending UNLISTEN after the last listener left (a reconnecting browser comes back within seconds). */
  idle?: NodeJS.Timeout;
  listening: Promise<void> | null;
}

export interface HubOptions {
  /** How many recent changes to keep for resuming streams. */
  ringSize?: number;
  /** How long a channel stays LISTENed after its last stream closed. */
  idleMs?: number;
  /** Backoff bounds for reconnecting the LISTEN connection. */
  retryMs?: { first: number; max: number };
  log?: (message: string) => void;
}

export class ChangeHub {
  /** Different per process start: event ids of another process (or an older start) never replay. */
  readonly boot = randomBytes(4).toString("hex");
  private seq = 0;
  private ring: Array<{ seq: number; channel: string; change: Change }> = [];
  /** The newest sequence number no longer in the ring (a stream that last saw an older one cannot replay). */
  private evicted = 0;
  private channels = new Map<string, Channel>();
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private down: string | null = null;
  private retry: NodeJS.Timeout | null = null;
  private backoff: number;
  private closed = false;
  private readonly ringSize: number;
  private readonly idleMs: number;
  private readonly retryMs: { first: number; max: number };
  private readonly log: (m: string) => void;

  constructor(
    private readonly url: string,
    opts: HubOptions = {},
  ) {
    this.ringSize = opts.ringSize ?? 2_000;
    this.idleMs = opts.idleMs ?? 60_000;
    this.retryMs = opts.retryMs ?? { first: 500, max: 15_000 };
    this.backoff = this.retryMs.first;
    this.log = opts.log ?? ((m) => console.warn(`[live] ${m}`));
  }

  /** The latest sequence number handed out (an event id for "nothing since"). */
  get current(): number {
    return this.seq;
  }

  eventId(seq: number): string {
    return `${this.boot}-${seq}`;
  }

  /** Whether the LISTEN connection is up (false while it reconnects). */
  get healthy(): boolean {
    return this.down === null && this.client !== null;
  }

  /**
   * Starts delivering a project's changes to `listener`; resolves once the
   * LISTEN is in effect (every change committed after that is delivered).
   * Rejects if the database cannot be reached now.
   */
  async subscribe(projectId: string, listener: HubListener): Promise<() => void> {
    if (this.closed) throw new Error("live updates are shutting down");
    const name = channelOf(projectId);
    let ch = this.channels.get(name);
    if (!ch) {
      ch = { listeners: new Set(), since: Number.POSITIVE_INFINITY, listening: null };
      this.channels.set(name, ch);
    }
    if (ch.idle) {
      clearTimeout(ch.idle);
      ch.idle = undefined;
    }
    ch.listeners.add(listener);
    try {
      await this.listen(name, ch);
    } catch (err) {
      this.leave(name, listener);
      throw err;
    }
    return () => this.leave(name, listener);
  }

  /** What a stream that reconnects with `lastEventId` must be told first. */
  resume(projectId: string, lastEventId: string | null | undefined): Resume {
    if (!lastEventId) return { kind: "replay", changes: [] };
    const m = /^([0-9a-f]{8})-(\d{1,15})$/.exec(lastEventId);
    if (!m || m[1] !== this.boot)
      return { kind: "resync", reason: "the stream moved to another server process or the server restarted" };
    const last = Number(m[2]);
    const ch = this.channels.get(channelOf(projectId));
    if (!ch || last < ch.since || last > this.seq)
      return { kind: "resync", reason: "this server was not following the project the whole time" };
    if (last < this.evicted)
      return { kind: "resync", reason: "more changed meanwhile than the server keeps for resuming" };
    const name = channelOf(projectId);
    return {
      kind: "replay",
      changes: this.ring
        .filter((r) => r.seq > last && r.channel === name)
        .map(({ seq, change }) => ({ seq, change })),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    for (const ch of this.channels.values()) {
      if (ch.idle) clearTimeout(ch.idle);
      // Open streams end now, so a server that stops is not held open by them.
      for (const l of ch.listeners) l.state({ kind: "closed", reason: "the server is shutting down" });
    }
    this.channels.clear();
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private leave(name: string, listener: HubListener) {
    const ch = this.channels.get(name);
    if (!ch) return;
    ch.listeners.delete(listener);
    if (ch.listeners.size > 0 || ch.idle) return;
    ch.idle = setTimeout(() => {
      if (ch.listeners.size > 0 || this.channels.get(name) !== ch) return;
      this.channels.delete(name);
      this.client?.query(`UNLISTEN ${name}`).catch(() => undefined);
    }, this.idleMs);
    ch.idle.unref();
  }

  private async listen(name: string, ch: Channel) {
    if (Number.isFinite(ch.since) && this.healthy) return;
    ch.listening ??= (async () => {
      const client = await this.connection();
      await client.query(`LISTEN ${name}`);
      ch.since = ++this.seq;
    })().finally(() => {
      ch.listening = null;
    });
    await ch.listening;
  }

  private connection(): Promise<pg.Client> {
    if (this.client && !this.down) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: this.url,
        application_name: "kube-console-live",
        keepAlive: true,
      });
      client.on("notification", (msg) => this.dispatch(msg.channel, msg.payload));
      client.on("error", (err) => this.lost(client, err.message));
      client.on("end", () => this.lost(client, "the connection closed"));
      try {
        await client.connect();
      } catch (err) {
        await client.end().catch(() => undefined);
        throw err;
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private dispatch(channel: string, payload: string | undefined) {
    const parsed = Payload.safeParse(payload);
    const ch = this.channels.get(channel);
    if (!parsed.success || !ch) return;
    const seq = ++this.seq;
    this.ring.push({ seq, channel, change: parsed.data });
    if (this.ring.length > this.ringSize)
      this.evicted = this.ring.splice(0, this.ring.length - this.ringSize).at(-1)!.seq;
    for (const l of ch.listeners) l.change(seq, parsed.data);
  }

  /** The LISTEN connection died: tell the streams, reconnect with backoff, then tell them to resync. */
  private lost(client: pg.Client, reason: string) {
    if (this.client !== client || this.closed) return;
    this.client = null;
    this.down = reason;
    client.removeAllListeners("notification");
    client.end().catch(() => undefined);
    this.log(`lost the database notification connection (${reason}); reconnecting`);
    for (const ch of this.channels.values()) {
      ch.since = Number.POSITIVE_INFINITY;
      for (const l of ch.listeners) l.state({ kind: "down", reason: `database connection lost: ${reason}` });
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect() {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.reconnect();
    }, this.backoff);
    this.retry.unref();
    this.backoff = Math.min(this.backoff * 2, this.retryMs.max);
  }

  private async reconnect() {
    if (this.closed) return;
    try {
      this.down = null;
      const client = await this.connection();
      for (const [name, ch] of this.channels) {
        await client.query(`LISTEN ${name}`);
        ch.since = ++this.seq;
      }
      this.backoff = this.retryMs.first;
      this.log("notification connection is back; open pages refresh what they show");
      for (const ch of this.channels.values())
        for (const l of ch.listeners)
          l.state({ kind: "resync", reason: "reconnected after losing the database connection" });
    } catch (err) {
      this.down = err instanceof Error ? err.message : String(err);
      if (this.client) {
        const c = this.client;
        this.client = null;
        await c.end().catch(() => undefined);
      }
      this.scheduleReconnect();
    }
  }
}

const globalHubs = globalThis as unknown as { __consoleChangeHubs?: Map<string, ChangeHub> };

/**
 * The process's hub for a database (one per URL: tests run several databases
 * in one process). Kept on globalThis so that every bundle Next.js makes of
 * this module shares it.
 */
export function changeHubFor(url: string): ChangeHub {
  const hubs = (globalHubs.__consoleChangeHubs ??= new Map());
  let hub = hubs.get(url);
  if (!hub) {
    hub = new ChangeHub(url);
    hubs.set(url, hub);
    // Its LISTEN connection closes with the process's pools (server/runtime/shutdown).
    onCloseDatabase(() => closeChangeHubs(url));
  }
  return hub;
}

/** Closes every hub of this process (shutdown, test teardown). */
export async function closeChangeHubs(url?: string): Promise<void> {
  const hubs = globalHubs.__consoleChangeHubs;
  if (!hubs) return;
  for (const [u, hub] of hubs) {
    if (url && u !== url) continue;
    hubs.delete(u);
    await hub.close();
  }
}
