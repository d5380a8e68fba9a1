"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/client";
import { cn } from "@/components/ui/cn";
import { formatMoney } from "@/components/ui/format";
import type { ClusterSpec, ClusterSpecInput } from "@/server/contracts/cluster";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import { useQuotaCheck } from "./quota-check";

/**
 * On every step of the wizard: what the cluster as drafted costs, and what it
 * takes from the project's quotas (used + needed against the limit), so a
 * choice that does not fit shows where it is made, not at Review.
 */
export function WizardSummary({
  projectId,
  valid,
  draft,
}: {
  projectId: string;
  valid: ClusterSpec | null;
  /** The draft as typed: priced too when only a check outside the cost (a taken name) fails. */
  draft: ClusterSpecInput;
}) {
  const trpc = useTRPC();
  const debounced = useDebouncedValue(draft);
  const priced = (valid ?? debounced) as ClusterSpec;
  const estimate = useQuery({
    ...trpc.cluster.estimate.queryOptions({ projectId, spec: priced }),
    placeholderData: (prev) => prev,
    retry: false,
  });
  const quota = useQuotaCheck(projectId, estimate.isError ? null : priced, true);
  const cost = estimate.data;
  return (
    <section
      aria-label="Cost and quota of this cluster"
      className="rounded-lg border border-border bg-surface px-4 py-3 text-sm shadow-xs"
    >
      <div className="flex flex-wrap items-baseline gap-x-6 gap-y-2">
        <div>
          <span className="text-muted">Estimated cost </span>
          {estimate.isError && !estimate.isPlaceholderData ? (
            <span className="text-muted">— complete the required fields to price it</span>
          ) : cost ? (
            <span
              className={cn("font-semibold text-fg tabular-nums", estimate.isPlaceholderData && "opacity-60")}
            >
              {formatMoney(cost.perMonth, cost.currency)}/month
              <span className="ml-1 font-normal text-muted">
                ({formatMoney(cost.perHour, cost.currency, 2)}/h)
              </span>
            </span>
          ) : (
            <span className="text-muted">pricing…</span>
          )}
        </div>
        {quota?.figures.length ? (
          <ul
            className="flex flex-wrap gap-x-5 gap-y-1 text-xs"
            aria-label="Quotas: used + this cluster / limit"
          >
            {quota.figures
              .filter((f) => f.needed > 0)
              .map((f) => {
                const unlimited = f.limit === null || f.limit < 0;
                const over = !unlimited && f.used !== null && f.used + f.needed > f.limit!;
                return (
                  <li
                    key={f.resource}
                    className={cn("whitespace-nowrap", over ? "font-medium text-danger" : "text-muted")}
                  >
                    {f.label}: {f.used ?? "?"} used + <span className="text-fg">{f.needed}</span> /{" "}
                    {unlimited ? "no limit" : f.limit}
                  </li>
                );
              })}
          </ul>
        ) : !estimate.isError ? (
          <span className="text-xs text-muted">Reading the project&apos;s quotas…</span>
        ) : null}
      </div>
      {quota && quota.problems.length > 0 && (
        <p role="alert" className="mt-2 text-xs font-medium text-danger">
          {quota.problems[0]}
          {quota.problems.length > 1 ? ` (+${quota.problems.length - 1} more)` : ""}
        </p>
      )}
    </section>
  );
}
