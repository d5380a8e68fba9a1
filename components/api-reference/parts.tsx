"use client";

import { Copy } from "lucide-react";
import { Fragment, useRef, type ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { toast } from "@/components/ui/toast-store";
import { splitCode, type Method } from "./openapi";

/** Links inside the reference (to operations, schemas, the tokens page). */
export const LINK =
  "rounded-sm font-medium text-primary underline-offset-2 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring";

const METHOD_TONE = {
  GET: "primary",
  POST: "success",
  PUT: "warning",
  PATCH: "warning",
  DELETE: "danger",
} as const satisfies Record<Method, string>;

/** GET, POST, PUT, DELETE: one colour each, the same width, so paths line up. */
export function MethodBadge({ method, className }: { method: Method; className?: string }) {
  return (
    <Badge
      tone={METHOD_TONE[method]}
      className={cn("w-14 justify-center rounded-md px-0 font-mono text-[10px] tracking-wide", className)}
    >
      {method}
    </Badge>
  );
}

/** A response status: 2xx green, 4xx amber, 5xx red. */
export function StatusBadge({ status }: { status: string }) {
  const tone = status.startsWith("2")
    ? "success"
    : status.startsWith("4")
      ? "warning"
      : status.startsWith("5")
        ? "danger"
        : "neutral";
  return (
    <Badge tone={tone} className="rounded-md font-mono tabular-nums">
      {status}
    </Badge>
  );
}

/** Inline code as the console writes it. */
export function Code({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <code
      className={cn(
        "rounded bg-surface-2 px-1 py-0.5 font-mono text-[0.85em] text-fg [overflow-wrap:anywhere]",
        className,
      )}
    >
      {children}
    </code>
  );
}

/** Text from the document, with its `backticks` as code. */
export function InlineText({ text }: { text: string }) {
  return (
    <>
      {splitCode(text).map((p, i) =>
        p.code ? <Code key={i}>{p.text}</Code> : <span key={i}>{p.text}</span>,
      )}
    </>
  );
}

/** A description from the document: paragraphs (blank lines) with inline code. */
export function Prose({ text, className }: { text: string; className?: string }) {
  const paragraphs = text.split(/\n{2,}/).filter((p) => p.trim());
  if (paragraphs.length === 0) return null;
  return (
    <div className={cn("space-y-2 text-sm text-fg", className)}>
      {paragraphs.map((p, i) => (
        <p key={i}>
          <InlineText text={p} />
        </p>
      ))}
    </div>
  );
}

/** A path that wraps after its slashes rather than inside a name. */
export function BreakAtSlashes({ text }: { text: string }) {
  const parts = text.split("/");
  return (
    <>
      {parts.map((p, i) => (
        <Fragment key={i}>
          {i > 0 && "/"}
          {p}
          {i > 0 && i < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </>
  );
}

/**
 * A block of code under a bar with its language and a Copy button. Without
 * a clipboard (an insecure origin, a denied permission) the code is
 * selected for Ctrl+C instead.
 */
export function CodeBlock({ code, label, language }: { code: string; label: string; language: string }) {
  const pre = useRef<HTMLPreElement>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(code);
      toast({ variant: "success", title: `${label} copied` });
    } catch {
      const el = pre.current;
      const selection = window.getSelection();
      if (el && selection) {
        const range = document.createRange();
        range.selectNodeContents(el);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      toast({ title: "Press Ctrl+C to copy", description: "The browser did not allow copying here." });
    }
  }
  return (
    <figure aria-label={label} className="overflow-hidden rounded-md border border-border bg-surface-2">
      <div className="flex items-center justify-between gap-2 border-b border-border py-1 pr-1 pl-3">
        <span className="font-mono text-[11px] text-muted">{language}</span>
        <Button
          type="button"
          variant="ghost"
          size="sm"
          className="h-7 px-2 text-xs"
          aria-label={`Copy ${label.charAt(0).toLowerCase()}${label.slice(1)}`}
          onClick={() => void copy()}
        >
          <Copy className="size-3.5" aria-hidden /> Copy
        </Button>
      </div>
      <pre
        ref={pre}
        // Focusable so keyboard users can scroll a long line sideways.
        tabIndex={0}
        className="overflow-x-auto px-3 py-2.5 font-mono text-xs leading-5 text-fg outline-none focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-inset"
      >
        {code}
      </pre>
    </figure>
  );
}
