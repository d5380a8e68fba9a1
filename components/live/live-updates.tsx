"use client";

import { useQueryClient, type Query } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { cn } from "@/components/ui/cn";
import { useTRPC } from "@/components/trpc/client";

/**
 * Live updates for a project's pages: one server-sent-event stream
 * (`live.project`) says which clusters changed, and the queries showing them
 * refetch. While the stream is down, pages fall back to polling.
 */

const POLL_MS = 2_000;
const GRACE_MS = 5_000;

export type LiveState =
  | { kind: "live" }
  /** Opening the stream (first connection or reconnecting): no polling for the first GRACE_MS. */
  | { kind: "connecting" }
  /** The stream is down or the server cannot follow changes: pages poll. */
  | { kind: "polling"; reason: string };

interface LiveValue {
  state: LiveState;
  /** For react-query's refetchInterval: false while changes are pushed. */
  pollInterval: number | false;
}

const LiveContext = createContext<LiveValue>({
  state: { kind: "polling", reason: "live updates are not set up on this page" },
  pollInterval: POLL_MS,
});

/** How often a page showing cluster state refetches on its own (false while the stream is live). */
export function useLivePollInterval(): number | false {
  return useContext(LiveContext).pollInterval;
}

export function useLiveState(): LiveState {
  return useContext(LiveContext).state;
}

type Change = { what: "cluster" | "operation" | "event"; clusterId: string };

/** tRPC's query keys: `[["cluster","get"], { input, type }]`. */
function pathAndInput(q: Query): { path: string; input: Record<string, unknown> } | null {
  const [path, meta] = q.queryKey as [unknown, { input?: unknown } | undefined];
  if (!Array.isArray(path)) return null;
  const input = meta?.input && typeof meta.input === "object" ? (meta.input as Record<string, unknown>) : {};
  return { path: path.join("."), input };
}

/** Which queries a change makes stale: those of its cluster, and the lists. */
const STALE_BY: Record<Change["what"], { perCluster: string[]; all: string[] }> = {
  cluster: { perCluster: ["cluster.get"], all: ["cluster.list"] },
  operation: { perCluster: ["operation.list", "operation.get", "cluster.get"], all: [] },
  event: { perCluster: ["cluster.events"], all: [] },
};

export function LiveUpdates({ projectId, children }: { projectId: string; children: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [serverDown, setServerDown] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  // A stream that reconnects (the server ends each one after a while; the browser retries within ~3 s)
  // is not a reason to start polling at once: pages poll only once it has been away for GRACE_MS.
  const [graceOver, setGraceOver] = useState(false);

  const refetch = (test: (path: string, input: Record<string, unknown>) => boolean) =>
    void queryClient.invalidateQueries(
      {
        predicate: (q) => {
          const k = pathAndInput(q);
          return (
            k !== null &&
            (k.input.projectId === undefined || k.input.projectId === projectId) &&
            test(k.path, k.input)
          );
        },
      },
      // A refetch already on its way may have read the row before this change: it is cancelled and
      // started again (the server sends a burst as one message, so this does not starve).
      { cancelRefetch: true },
    );

  const sub = useSubscription(
    trpc.live.project.subscriptionOptions(
      { projectId },
      {
        onData: ({ data: m }) => {
          switch (m.kind) {
            case "ready":
              setReady(true);
              setGraceOver(false);
              setServerDown(null);
              return;
            case "changes":
              refetch((path, input) =>
                m.changes.some(
                  (c) =>
                    STALE_BY[c.what].all.includes(path) ||
                    (STALE_BY[c.what].perCluster.includes(path) && input.clusterId === c.clusterId),
                ),
              );
              return;
            case "resync":
              setReady(true);
              setGraceOver(false);
              setServerDown(null);
              refetch((path) => path.startsWith("cluster.") || path.startsWith("operation."));
              return;
            case "down":
              setServerDown(m.reason);
              return;
          }
        },
        onError: () => setReady(false),
      },
    ),
  );

  // A stream that ended with an error (not a dropped connection, which the link resumes itself) is reopened.
  const { status, reset } = sub;
  useEffect(() => {
    if (status !== "error") return;
    const t = setTimeout(reset, 5_000);
    return () => clearTimeout(t);
  }, [status, reset]);

  const streamUp = sub.status === "pending" && ready;
  useEffect(() => {
    if (streamUp) return;
    const t = setTimeout(() => setGraceOver(true), GRACE_MS);
    return () => clearTimeout(t);
  }, [streamUp]);

  const state: LiveState = useMemo(() => {
    if (serverDown) return { kind: "polling", reason: serverDown };
    if (streamUp) return { kind: "live" };
    if (!graceOver) return { kind: "connecting" };
    if (sub.status === "error")
      return { kind: "polling", reason: sub.error?.message ?? "the live stream failed; retrying in 5 s" };
    return { kind: "polling", reason: "the live stream is reconnecting" };
  }, [sub.status, sub.error, serverDown, streamUp, graceOver]);

  const value = useMemo(
    () => ({ state, pollInterval: state.kind === "polling" ? POLL_MS : (false as const) }),
    [state],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

/** The header's note on how the page keeps itself current. */
export function LiveBadge() {
  const state = useLiveState();
  const label =
    state.kind === "live"
      ? "Live"
      : state.kind === "connecting"
        ? "Connecting…"
        : `Refreshing every ${POLL_MS / 1000} s`;
  const title =
    state.kind === "live"
      ? "Changes appear as they happen (pushed by the server)."
      : state.kind === "connecting"
        ? `Opening the live update stream; if it is not open within ${GRACE_MS / 1000} s the page refreshes every ${POLL_MS / 1000} s.`
        : `Live updates are unavailable (${state.reason}); the page refreshes every ${POLL_MS / 1000} s.`;
  return (
    <span
      role="status"
      data-live={state.kind}
      title={title}
      className="inline-flex items-center gap-1.5 whitespace-nowrap rounded-full border border-border px-2.5 py-1 text-xs text-muted"
    >
      <span
        aria-hidden
        className={cn(
          "size-2 rounded-full",
          state.kind === "live" ? "bg-success" : state.kind === "connecting" ? "bg-muted" : "bg-warning",
        )}
      />
      {label}
      <span className="sr-only">. {title}</span>
    </span>
  );
}
