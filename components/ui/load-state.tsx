import type { ReactNode } from "react";
import { cn } from "./cn";
import { Spinner } from "./spinner";

/** A centred spinner with what is loading, for a page or panel's first load. */
export function LoadingBlock({ label, className }: { label: string; className?: string }) {
  return (
    <div className={cn("flex items-center justify-center gap-2 py-16 text-sm text-muted", className)}>
      <Spinner className="size-4" /> {label}
    </div>
  );
}

/** A panel-wide load failure, announced to screen readers. */
export function LoadError({ children }: { children: ReactNode }) {
  return (
    <div role="alert" className="rounded-lg border border-danger/30 bg-danger/10 p-4 text-sm text-danger">
      {children}
    </div>
  );
}
