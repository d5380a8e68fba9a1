"use client";

import { CheckCircle2, Info, X, XCircle } from "lucide-react";
import { Toast } from "radix-ui";
import { useSyncExternalStore } from "react";
import { cn } from "./cn";
import { dismissToast, toastStore } from "./toast-store";

const icons = { success: CheckCircle2, error: XCircle, info: Info };
const tones = { success: "text-success", error: "text-danger", info: "text-primary" };

export function Toaster() {
  const items = useSyncExternalStore(toastStore.subscribe, toastStore.get, toastStore.empty);
  return (
    <Toast.Provider swipeDirection="right" duration={6000}>
      {items.map((t) => {
        const Icon = icons[t.variant];
        return (
          <Toast.Root
            key={t.id}
            type={t.variant === "error" ? "foreground" : "background"}
            onOpenChange={(open) => !open && dismissToast(t.id)}
            className="flex w-[22rem] items-start gap-3 rounded-lg border border-border bg-surface p-3.5 shadow-lg"
          >
            <Icon className={cn("mt-0.5 size-4 shrink-0", tones[t.variant])} aria-hidden />
            <div className="min-w-0 flex-1">
              <Toast.Title className="text-sm font-medium text-fg">{t.title}</Toast.Title>
              {t.description && (
                <Toast.Description className="mt-0.5 text-sm break-words text-muted">
                  {t.description}
                </Toast.Description>
              )}
            </div>
            <Toast.Close aria-label="Dismiss" className="rounded p-0.5 text-muted hover:text-fg">
              <X className="size-4" />
            </Toast.Close>
          </Toast.Root>
        );
      })}
      <Toast.Viewport className="fixed right-4 bottom-4 z-[60] flex flex-col gap-2 outline-none" />
    </Toast.Provider>
  );
}
