"use client";

import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { cn } from "./cn";
import type { JsonSchema } from "./yaml-assist";
import type { EditorIssue, YamlView } from "./yaml-editor-view";

export type { EditorIssue } from "./yaml-editor-view";

/**
 * A YAML editor (CodeMirror 6 with its YAML language): highlighting, line
 * numbers, undo, the checks' errors pointed at their lines, and — when the
 * text is checked against a JSON Schema — completion of keys and values
 * (Ctrl-Space) and help on hover. Tab indents; Escape then Tab leaves the
 * editor. Each error below jumps to its line.
 */
export function YamlEditor({
  label,
  value,
  onChange,
  issues = [],
  rows = 14,
  hint,
  readOnly,
  schema,
}: {
  label: string;
  value: string;
  onChange?: (v: string) => void;
  issues?: EditorIssue[];
  rows?: number;
  hint?: ReactNode;
  readOnly?: boolean;
  /** The JSON Schema the value is checked against: completion and hover come from it. */
  schema?: JsonSchema;
}) {
  const id = useId();
  const host = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<YamlView | null>(null);
  const [loadError, setLoadError] = useState(false);
  const latest = useRef({ value, onChange, schema, issues });
  /** The editor's last texts, as it reported them (the newest last). */
  const emitted = useRef<string[]>([]);
  const describedBy = issues.length ? `${id}-errors` : hint ? `${id}-hint` : undefined;

  useEffect(() => {
    latest.current = { value, onChange, schema, issues };
  });

  // CodeMirror is loaded when the first editor mounts, then made once; the effects below push changes in.
  useEffect(() => {
    let alive = true;
    let mounted: YamlView | null = null;
    import("./yaml-editor-view")
      .then(({ mountYamlView }) => {
        if (!alive || !host.current) return;
        mounted = mountYamlView(host.current, {
          value: latest.current.value,
          onChange: (v) => {
            emitted.current = [...emitted.current.slice(-49), v];
            latest.current.onChange?.(v);
          },
          schema: () => latest.current.schema,
        });
        setView(mounted);
      })
      .catch(() => alive && setLoadError(true));
    return () => {
      alive = false;
      mounted?.destroy();
    };
  }, []);

  // A value changed from outside (reset, a loaded template) replaces the text. The editor's own recent
  // texts coming back late (the parent renders after further keystrokes) are not outside changes:
  // replacing the text with them would drop what was typed since and close the completion list.
  useEffect(() => {
    if (!view || emitted.current.includes(value)) return;
    view.setValue(value);
  }, [view, value]);

  useEffect(() => {
    view?.setAttributes(
      {
        "aria-labelledby": `${id}-label`,
        "aria-invalid": issues.length > 0 ? "true" : "false",
        ...(describedBy ? { "aria-describedby": describedBy } : {}),
        "aria-multiline": "true",
        // Focusable even read-only, so the text can be scrolled and read with the keyboard.
        tabindex: "0",
        spellcheck: "false",
        autocapitalize: "off",
        autocorrect: "off",
      },
      readOnly === true,
    );
  }, [view, id, issues.length, describedBy, readOnly]);

  useEffect(() => view?.setIssues(issues), [view, issues, value]);

  const jump = (line: number) => view?.selectLine(line);

  return (
    <div className="space-y-1.5">
      <div id={`${id}-label`} className="block text-sm font-medium text-fg">
        {label}
      </div>
      <div
        data-yaml-editor
        className={cn(
          "relative overflow-hidden rounded-md border font-mono shadow-xs focus-within:ring-2",
          issues.length
            ? "border-danger focus-within:ring-danger/30"
            : "border-border focus-within:ring-ring/30",
        )}
        style={{ height: `${rows * 1.25 + 1}rem` }}
      >
        {/* CodeMirror owns this element's children; React never renders into it. */}
        <div ref={host} className="h-full [&_.cm-editor]:h-full" />
        {!view && (
          // Until the editor has loaded: the text as it is, so nothing jumps.
          <pre
            aria-hidden
            className="absolute inset-0 overflow-hidden bg-surface py-2 pr-3 pl-14 text-xs leading-5 text-fg"
          >
            {value}
          </pre>
        )}
      </div>
      {loadError && (
        <p role="alert" className="text-xs text-danger">
          The editor could not load. Reload the page to edit this text.
        </p>
      )}
      {hint && !issues.length && (
        <p id={`${id}-hint`} className="text-xs text-muted">
          {hint}
          {schema && !readOnly ? " Ctrl-Space suggests keys; hover a key for its help." : ""}
        </p>
      )}
      {issues.length > 0 && (
        <div role="alert">
          <ul id={`${id}-errors`} className="space-y-0.5 text-xs font-medium text-danger">
            {issues.slice(0, 8).map((i, n) => (
              <li key={n}>
                {i.line ? (
                  <button
                    type="button"
                    className="text-left underline-offset-2 hover:underline"
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
        </div>
      )}
    </div>
  );
}
