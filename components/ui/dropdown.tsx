"use client";

import { DropdownMenu as M } from "radix-ui";
import type { ReactNode } from "react";
import { cn } from "./cn";

export const DropdownRoot = M.Root;
export const DropdownTrigger = M.Trigger;

export function DropdownContent({
  children,
  align = "start",
  className,
}: {
  children: ReactNode;
  align?: "start" | "end";
  className?: string;
}) {
  return (
    <M.Portal>
      <M.Content
        align={align}
        sideOffset={6}
        className={cn(
          "z-50 min-w-56 rounded-lg border border-border bg-surface p-1 text-sm shadow-lg outline-none",
          className,
        )}
      >
        {children}
      </M.Content>
    </M.Portal>
  );
}

export function DropdownItem({
  children,
  onSelect,
  className,
}: {
  children: ReactNode;
  onSelect?: () => void;
  className?: string;
}) {
  return (
    <M.Item
      onSelect={onSelect}
      className={cn(
        "flex cursor-pointer items-center gap-2 rounded-md px-2.5 py-1.5 text-fg outline-none select-none data-[highlighted]:bg-surface-2",
        className,
      )}
    >
      {children}
    </M.Item>
  );
}

export function DropdownLabel({ children }: { children: ReactNode }) {
  return <M.Label className="px-2.5 pt-1.5 pb-1 text-xs font-medium text-muted">{children}</M.Label>;
}

export const DropdownSeparator = () => <M.Separator className="my-1 h-px bg-border" />;
export const DropdownRadioGroup = M.RadioGroup;

export function DropdownRadioItem({ value, children }: { value: string; children: ReactNode }) {
  return (
    <M.RadioItem
      value={value}
      className="relative flex cursor-pointer items-center gap-2 rounded-md py-1.5 pr-2.5 pl-7 text-fg outline-none select-none data-[highlighted]:bg-surface-2"
    >
      <M.ItemIndicator className="absolute left-2.5 inline-flex">
        <span className="size-1.5 rounded-full bg-primary" />
      </M.ItemIndicator>
      {children}
    </M.RadioItem>
  );
}
