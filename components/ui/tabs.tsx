"use client";

import { Tabs as T } from "radix-ui";
import type { ReactNode } from "react";

export const TabsRoot = T.Root;
export const TabsContent = T.Content;

export function TabsList({
  items,
  label,
}: {
  items: Array<{ value: string; label: ReactNode }>;
  label: string;
}) {
  return (
    <T.List aria-label={label} className="mb-5 flex gap-1 border-b border-border">
      {items.map((i) => (
        <T.Trigger
          key={i.value}
          value={i.value}
          className="-mb-px shrink-0 whitespace-nowrap border-b-2 border-transparent px-2.5 py-2 text-sm xl:px-3 font-medium text-muted outline-none hover:text-fg focus-visible:ring-2 focus-visible:ring-ring data-[state=active]:border-primary data-[state=active]:text-fg"
        >
          {i.label}
        </T.Trigger>
      ))}
    </T.List>
  );
}
