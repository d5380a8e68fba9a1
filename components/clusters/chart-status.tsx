"use client";

import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { Spinner } from "@/components/ui/spinner";
import type { AddonStatus } from "@/server/contracts/cluster-status";
import { splitJobLog } from "./system-components";

/** The parts an addon's or a system component's row is made of (both are Helm charts in the cluster). */

export type ChartPhase = AddonStatus["phase"];

const TONE = {
  Installed: "success",
  Installing: "primary",
  Failed: "danger",
  Removing: "warning",
} as const;

export function ChartPhaseBadge({ phase }: { phase: ChartPhase }) {
  return (
    <Badge tone={TONE[phase]}>
      {phase === "Installing" || phase === "Removing" ? <Spinner className="size-3" /> : null}
      {phase}
    </Badge>
  );
}

/** When the chart entered its phase, relative ("5 minutes ago"), with the full time on hover. */
export function PhaseSince({ phase, since }: { phase: ChartPhase; since: string }) {
  const at = new Date(since);
  if (Number.isNaN(at.getTime())) return null;
  return (
    <time
      dateTime={since}
      title={`${phase} since ${formatDateTime(at)}`}
      className="text-xs whitespace-nowrap text-muted"
      suppressHydrationWarning
    >
      <span className="sr-only">{phase} since </span>
      {formatRelative(at)}
    </time>
  );
}

/**
 * The status message in full: wrapped, never cut. A failed one is set off
 * in the danger tone (an overdue install in the warning tone), and an install job's log (Helm's own error) is shown
 * in monospace, one log line per line.
 */
export function ChartMessage({
  phase,
  message,
  overdue = false,
}: {
  phase: ChartPhase;
  message: string;
  /** Still installing past its deadline: set off in the warning tone. */
  overdue?: boolean;
}) {
  const { summary, log } = splitJobLog(message);
  const failed = phase === "Failed";
  return (
    <div
      className={cn(
        "mt-1.5 text-sm [overflow-wrap:anywhere]",
        failed
          ? "rounded-md border border-danger/25 bg-danger/5 px-3 py-2 text-danger"
          : overdue
            ? "rounded-md border border-warning/30 bg-warning/5 px-3 py-2 text-fg"
            : "text-muted",
      )}
    >
      <p className={cn(failed && "font-medium")}>
        {summary}
        {log && ":"}
      </p>
      {log && (
        <pre
          className={cn(
            "mt-1 font-mono text-xs leading-5 whitespace-pre-wrap [overflow-wrap:anywhere]",
            failed ? "text-fg" : "text-muted",
          )}
        >
          {log.join("\n")}
        </pre>
      )}
    </div>
  );
}
