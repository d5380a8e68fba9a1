import { cn } from "./cn";

/** A determinate progress bar: `value` of `max` done. */
export function Progress({
  value,
  max,
  label,
  className,
}: {
  value: number;
  max: number;
  /** The accessible name ("Operation progress"). */
  label: string;
  /** Height and spacing, e.g. "mt-2 h-2". */
  className?: string;
}) {
  return (
    <div
      className={cn("overflow-hidden rounded-full bg-surface-2", className)}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
    >
      <div
        className="h-full rounded-full bg-primary transition-[width]"
        style={{ width: `${max ? Math.round((value / max) * 100) : 0}%` }}
      />
    </div>
  );
}
