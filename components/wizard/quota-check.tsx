"use client";

import { skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, Check } from "lucide-react";
import { useEffect, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import type { ClusterSpec } from "@/server/contracts/cluster";
import { Section } from "./parts";

/** The project's cloud quotas (as a worker last read them) against what this cluster needs. */
export function QuotaCheck({
  projectId,
  spec,
  serverProblems,
}: {
  projectId: string;
  spec: ClusterSpec | null;
  serverProblems?: string[];
}) {
  const trpc = useTRPC();
  // "Check again" asks a worker for a fresh reading; poll until one newer than the shown one arrives.
  const [asked, setAsked] = useState<Date | null>(null);
  const refresh = useMutation(trpc.cloud.refreshQuotas.mutationOptions());
  const quotas = useQuery({
    ...trpc.cloud.quotas.queryOptions({ projectId }),
    refetchInterval: (q) => {
      const d = q.state.data;
      const waiting = asked !== null && (!d?.fetchedAt || d.fetchedAt <= asked);
      return waiting || !d?.quotas || d.refreshing ? 1_000 : false;
    },
  });
  const waiting = asked !== null && (!quotas.data?.fetchedAt || quotas.data.fetchedAt <= asked);
  const check = useQuotaCheck(projectId, spec, true);
  // The server's answer counts once it is about the reading shown.
  const checked =
    check !== null && check.fetchedAt?.getTime() === quotas.data?.fetchedAt?.getTime() && !waiting;
  const problems = spec && quotas.data?.quotas && checked ? check.problems : [];
  const all = [...new Set([...problems, ...(serverProblems ?? [])])];
  return (
    <Section
      title="Quotas"
      description={
        <>
          What this cluster needs from the project&apos;s cloud quotas
          {quotas.data?.fetchedAt ? `, as read at ${quotas.data.fetchedAt.toLocaleTimeString()}` : ""}.{" "}
          <button
            type="button"
            className="font-medium text-primary hover:underline disabled:opacity-60"
            disabled={waiting || refresh.isPending}
            onClick={() => {
              // Wait for a reading newer than the one shown (server time; no clock comparison with the browser).
              setAsked(quotas.data?.fetchedAt ?? new Date(0));
              refresh.mutate({ projectId });
            }}
          >
            {waiting ? "Checking…" : "Check again"}
          </button>
        </>
      }
    >
      {all.length > 0 ? (
        <div
          role="alert"
          className="space-y-1 rounded-md border border-danger/30 bg-danger/10 px-3 py-2.5 text-sm text-danger"
        >
          {all.map((m) => (
            <p key={m} className="flex items-start gap-2">
              <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden /> {m}
            </p>
          ))}
          <p className="text-xs text-fg">
            Make the cluster smaller, or ask your cloud administrator to raise the quota.
          </p>
        </div>
      ) : !quotas.data?.quotas || (spec && !checked) ? (
        <p className="text-sm text-muted">Reading this project&apos;s quotas from the cloud…</p>
      ) : spec ? (
        <p className="flex items-center gap-2 text-sm text-success">
          <Check className="size-4" aria-hidden /> Fits within the project&apos;s quotas.
        </p>
      ) : (
        <p className="text-sm text-muted">Fix the errors below to check quotas.</p>
      )}
    </Section>
  );
}

/**
 * What the spec would exceed in the project's last quota reading, asked of
 * the server (debounced while the spec is edited, again after each new
 * reading); null until answered for this spec.
 */
export function useQuotaCheck(projectId: string, spec: ClusterSpec | null, enabled: boolean) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const debounced = useDebouncedValue(spec);
  const quotas = useQuery({ ...trpc.cloud.quotas.queryOptions({ projectId }), enabled });
  const readAt = quotas.data?.fetchedAt?.getTime();
  useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: trpc.cloud.quotaCheck.queryKey() });
  }, [readAt, queryClient, trpc]);
  const check = useQuery(
    trpc.cloud.quotaCheck.queryOptions(enabled && debounced ? { projectId, spec: debounced } : skipToken),
  );
  return spec && debounced === spec && check.data ? check.data : null;
}

/** True when the last quota reading shows the spec would not fit (asked only when `enabled`). */
export function useQuotaBlocked(projectId: string, spec: ClusterSpec | null, enabled: boolean): boolean {
  return (useQuotaCheck(projectId, spec, enabled)?.problems.length ?? 0) > 0;
}
