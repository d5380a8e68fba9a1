"use client";

import { Fragment, useId, useRef, type ReactNode } from "react";
import { cn } from "./cn";

export interface EditorIssue {
  line: number | null;
  message: string;
}

/** One line of YAML as coloured spans: comments, keys, strings, scalars. */
function highlight(line: string): ReactNode {
  const hash = line.search(/(^|\s)#/);
  const code = hash >= 0 ? line.slice(0, hash) : line;
  const comment = hash >= 0 ? line.slice(hash) : "";
  const m = /^(\s*(?:-\s+)?)([^:#'"\s][^:#]*?|"[^"]*"|'[^']*')(:)(\s.*|$)/.exec(code);
  const value = (v: string, key: string) => {
    const t = v.trim();
    const tone = /^(true|false|yes|no|null|~)$/i.test(t)
      ? "text-warning"
      : /^-?\d+(\.\d+)?$/.test(t)
        ? "text-warning"
        : /^["']/.test(t)
          ? "text-success"
          : /^[|>]/.test(t)
            ? "text-muted"
            : "text-fg";
    return (
      <span key={key} className={tone}>
        {v}
      </span>
    );
  };
  const parts: ReactNode[] = [];
  if (m) {
    parts.push(
      <span key="i">{m[1]}</span>,
      <span key="k" className="text-primary">
        {m[2]}
      </span>,
      <span key="c" className="text-muted">
        {m[3]}
      </span>,
      value(m[4] ?? "", "v"),
    );
  } else {
    const item = /^(\s*-\s+)(.*)$/.exec(code);
    if (item) parts.push(<span key="i">{item[1]}</span>, value(item[2] ?? "", "v"));
    else parts.push(value(code, "v"));
  }
  if (comment)
    parts.push(
      <span key="#" className="text-muted italic">
        {comment}
      </span>,
    );
  return parts;
}

/**
 * A YAML text area with syntax highlighting, line numbers and the lines
 * that have errors marked; each error below jumps to its line. The text
 * area is the real control (keyboard, selection, screen readers); the
 * coloured copy behind it is decoration.
 */
export function YamlEditor({
  label,
  value,
  onChange,
  issues = [],
  rows = 14,
  hint,
  readOnly,
}: {
  label: string;
  value: string;
  onChange?: (v: string) => void;
  issues?: EditorIssue[];
  rows?: number;
  hint?: ReactNode;
  readOnly?: boolean;
}) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const back = useRef<HTMLDivElement>(null);
  const lines = value.split("\n");
  const bad = new Set(issues.map((i) => i.line).filter((l): l is number => l !== null));
  const jump = (line: number) => {
    const el = area.current;
    if (!el) return;
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  };
  const height = `${rows * 1.25 + 1}rem`;
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-fg">
        {label}
      </label>
      <div
        className={cn(
          "relative flex overflow-hidden rounded-md border bg-surface font-mono text-xs leading-5 shadow-xs focus-within:ring-2",
          issues.length
            ? "border-danger focus-within:ring-danger/30"
            : "border-border focus-within:ring-ring/30",
        )}
        style={{ height }}
      >
        <div
          aria-hidden
          className="shrink-0 overflow-hidden border-r border-border bg-surface-2 py-2 text-right text-muted select-none"
          style={{ width: "2.75rem" }}
        >
          <div style={{ transform: "translateY(var(--scroll, 0))" }}>
            {lines.map((_, i) => (
              <div key={i} className={cn("px-2", bad.has(i + 1) && "bg-danger/15 font-semibold text-danger")}>
                {i + 1}
              </div>
            ))}
          </div>
        </div>
        <div className="relative min-w-0 flex-1">
          <div
            ref={back}
            aria-hidden
            className="pointer-events-none absolute inset-0 overflow-hidden py-2 whitespace-pre"
          >
            <div className="px-3" style={{ transform: "translate(var(--scroll-x, 0), var(--scroll, 0))" }}>
              {lines.map((l, i) => (
                <div
                  key={i}
                  className={cn(bad.has(i + 1) && "bg-danger/10 underline decoration-danger decoration-wavy")}
                >
                  {l ? highlight(l) : <Fragment>&#8203;</Fragment>}
                </div>
              ))}
            </div>
          </div>
          <textarea
            ref={area}
            id={id}
            value={value}
            readOnly={readOnly}
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            wrap="off"
            aria-invalid={issues.length > 0}
            aria-describedby={issues.length ? `${id}-errors` : hint ? `${id}-hint` : undefined}
            onChange={(e) => onChange?.(e.target.value)}
            onScroll={(e) => {
              const t = e.currentTarget;
              const box = t.parentElement?.parentElement;
              box?.style.setProperty("--scroll", `${-t.scrollTop}px`);
              box?.style.setProperty("--scroll-x", `${-t.scrollLeft}px`);
            }}
            onKeyDown={(e) => {
              // Tab indents by two spaces (Escape then Tab leaves the field).
              if (e.key === "Tab" && !e.shiftKey && !readOnly && !e.currentTarget.dataset.escaped) {
                e.preventDefault();
                const t = e.currentTarget;
                const s = t.selectionStart;
                onChange?.(`${value.slice(0, s)}  ${value.slice(t.selectionEnd)}`);
                requestAnimationFrame(() => t.setSelectionRange(s + 2, s + 2));
              }
              if (e.key === "Escape") e.currentTarget.dataset.escaped = "1";
              else if (e.key !== "Tab") delete e.currentTarget.dataset.escaped;
            }}
            className="absolute inset-0 h-full w-full resize-none overflow-auto bg-transparent px-3 py-2 whitespace-pre text-transparent caret-fg outline-none selection:bg-primary/25"
          />
        </div>
      </div>
      {hint && !issues.length && (
        <p id={`${id}-hint`} className="text-xs text-muted">
          {hint}
        </p>
      )}
      {issues.length > 0 && (
        <ul id={`${id}-errors`} role="alert" className="space-y-0.5 text-xs font-medium text-danger">
          {issues.slice(0, 8).map((i, n) => (
            <li key={n}>
              {i.line ? (
                <button
                  type="button"
                  className="underline-offset-2 hover:underline"
                  onClick={() => jump(i.line!)}
                >
                  Line {i.line}: {i.message}
                </button>
              ) : (
                i.message
              )}
            </li>
          ))}
          {issues.length > 8 && <li>…and {issues.length - 8} more</li>}
        </ul>
      )}
    </div>
  );
}
