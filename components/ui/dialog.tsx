"use client";

import { X } from "lucide-react";
import { Dialog as D } from "radix-ui";
import type { ReactNode } from "react";
import { Button } from "./button";

type DialogProps = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  trigger?: ReactNode;
  /** md: confirmations and short forms; lg: reports. */
  size?: "md" | "lg";
  /** On closing; `preventDefault()` and focus another element when the opener is gone. */
  onCloseAutoFocus?: (event: Event) => void;
};

export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  trigger,
  size = "md",
  onCloseAutoFocus,
}: DialogProps) {
  return (
    <D.Root open={open} onOpenChange={onOpenChange}>
      {trigger && <D.Trigger asChild>{trigger}</D.Trigger>}
      <D.Portal>
        <D.Overlay className="fixed inset-0 z-40 bg-black/40 backdrop-blur-[1px] data-[state=open]:animate-in" />
        <D.Content
          onCloseAutoFocus={onCloseAutoFocus}
          className={`fixed top-1/2 left-1/2 z-50 max-h-[90vh] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg border border-border bg-surface p-6 shadow-xl outline-none ${size === "lg" ? "w-[min(94vw,44rem)]" : "w-[min(92vw,28rem)]"}`}
        >
          <D.Title className="text-base font-semibold text-fg">{title}</D.Title>
          {description ? (
            <D.Description className="mt-1 text-sm text-muted">{description}</D.Description>
          ) : (
            <D.Description className="sr-only">{title}</D.Description>
          )}
          <div className="mt-5">{children}</div>
          <D.Close
            className="absolute top-4 right-4 rounded p-1 text-muted hover:bg-surface-2 hover:text-fg focus-visible:ring-2 focus-visible:ring-ring outline-none"
            aria-label="Close"
          >
            <X className="size-4" />
          </D.Close>
        </D.Content>
      </D.Portal>
    </D.Root>
  );
}

/** A dialog's buttons, right-aligned: Cancel first, then the dialog's own (`children`). */
export function DialogActions({ onCancel, children }: { onCancel: () => void; children: ReactNode }) {
  return (
    <div className="flex justify-end gap-2">
      <Button type="button" variant="secondary" onClick={onCancel}>
        Cancel
      </Button>
      {children}
    </div>
  );
}

/**
 * A dialog that is one form: submitting runs `onSubmit` (the browser's own
 * submit and validation bubbles are off); closing runs `onClose` first (reset
 * the form's mutation there).
 */
export function FormDialog({
  onSubmit,
  onClose,
  onOpenChange,
  formClassName = "space-y-4",
  children,
  ...dialog
}: Omit<DialogProps, "trigger"> & {
  onSubmit: () => void | Promise<void>;
  onClose?: () => void;
  formClassName?: string;
}) {
  return (
    <Dialog
      {...dialog}
      onOpenChange={(o) => {
        if (!o) onClose?.();
        onOpenChange(o);
      }}
    >
      <form
        className={formClassName}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void onSubmit();
        }}
      >
        {children}
      </form>
    </Dialog>
  );
}
