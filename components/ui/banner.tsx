import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "./cn";

const TONE = {
  danger: { box: "border-danger/30 bg-danger/10", icon: "text-danger" },
  warning: { box: "border-warning/40 bg-warning/10", icon: "text-warning" },
  primary: { box: "border-primary/30 bg-primary/5", icon: "text-primary" },
} as const;

/** A page-level notice with an icon: errors (role alert), warnings and announcements (role status). */
export function Banner({
  tone,
  icon: Icon,
  children,
}: {
  tone: keyof typeof TONE;
  icon: LucideIcon;
  children: ReactNode;
}) {
  return (
    <div
      role={tone === "danger" ? "alert" : "status"}
      className={cn("flex items-start gap-3 rounded-lg border p-4 text-sm", TONE[tone].box)}
    >
      <Icon className={cn("mt-0.5 size-4 shrink-0", TONE[tone].icon)} aria-hidden />
      <div className="min-w-0 [overflow-wrap:anywhere]">{children}</div>
    </div>
  );
}
