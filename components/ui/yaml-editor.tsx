"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";
import {
  autocompletion,
  closeBrackets,
  type CompletionContext,
  type CompletionResult,
} from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { HighlightStyle, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  hoverTooltip,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { cn } from "./cn";
import { contextAt, describeKey, keyAt, schemaAt, suggestions, type JsonSchema } from "./yaml-assist";

export interface EditorIssue {
  line: number | null;
  message: string;
}

/** Colours from the app's theme variables, so light and dark follow the page. */
const highlight = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: "var(--primary)" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--success)" },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: "var(--warning)" },
  { tag: [tags.comment, tags.lineComment], color: "var(--muted)", fontStyle: "italic" },
  {
    tag: [tags.punctuation, tags.separator, tags.meta, tags.typeName, tags.labelName],
    color: "var(--muted)",
  },
]);

const theme = EditorView.theme({
  "&": { height: "100%", backgroundColor: "var(--surface)", color: "var(--fg)", fontSize: "12px" },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": { fontFamily: "var(--font-mono, ui-monospace, monospace)", lineHeight: "1.25rem" },
  ".cm-content": { padding: "0.5rem 0", caretColor: "var(--fg)" },
  ".cm-line": { padding: "0 0.75rem" },
  ".cm-gutters": {
    backgroundColor: "var(--surface-2)",
    color: "var(--muted)",
    borderRight: "1px solid var(--border)",
  },
  ".cm-activeLine": { backgroundColor: "color-mix(in srgb, var(--primary) 6%, transparent)" },
  ".cm-activeLineGutter": { backgroundColor: "color-mix(in srgb, var(--primary) 12%, transparent)" },
  "&.cm-focused .cm-cursor": { borderLeftColor: "var(--fg)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: "color-mix(in srgb, var(--primary) 25%, transparent) !important",
  },
  ".cm-lintRange-error": {
    backgroundImage: "none",
    textDecoration: "underline wavy var(--danger)",
    backgroundColor: "color-mix(in srgb, var(--danger) 10%, transparent)",
  },
  ".cm-lint-marker-error": { content: "none" },
  ".cm-tooltip": {
    backgroundColor: "var(--surface)",
    color: "var(--fg)",
    border: "1px solid var(--border)",
    borderRadius: "0.375rem",
    boxShadow: "0 4px 12px rgb(0 0 0 / 0.15)",
  },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": {
    backgroundColor: "var(--primary)",
    color: "var(--primary-fg)",
  },
  ".cm-completionDetail": { color: "inherit", opacity: 0.75, marginLeft: "0.75rem", fontStyle: "normal" },
  ".cm-tooltip.cm-completionInfo": { maxWidth: "22rem", padding: "0.375rem 0.5rem" },
  ".kc-hover": { padding: "0.375rem 0.5rem", maxWidth: "26rem", whiteSpace: "pre-wrap", fontSize: "12px" },
  ".cm-diagnostic-error": { borderLeftColor: "var(--danger)" },
});

/** Completion of keys and values from the schema the text is checked against. */
function schemaCompletion(schema: () => JsonSchema | undefined) {
  return (cx: CompletionContext): CompletionResult | null => {
    const root = schema();
    if (!root) return null;
    const text = cx.state.doc.toString();
    const ctx = contextAt(text, cx.pos);
    if (!ctx) return null;
    if (!cx.explicit && ctx.prefix === "" && ctx.kind === "value") return null;
    const options = suggestions(root, ctx).map((s) => ({
      label: s.label,
      apply: s.insert,
      detail: s.detail,
      info: s.info,
      type: ctx.kind === "key" ? "property" : "constant",
      boost: s.required ? 1 : 0,
    }));
    if (options.length === 0) return null;
    return { from: ctx.from, options, validFor: /^[\w.-]*$/ };
  };
}

/** Hover on a key: its path, type, description and default from the schema. */
function schemaHover(schema: () => JsonSchema | undefined) {
  return hoverTooltip((view, pos) => {
    const root = schema();
    if (!root) return null;
    const k = keyAt(view.state.doc.toString(), pos);
    if (!k) return null;
    const s = schemaAt(root, k.path);
    if (!s) return null;
    return {
      pos: k.from,
      end: k.to,
      above: true,
      create: () => {
        const dom = document.createElement("div");
        dom.className = "kc-hover";
        dom.textContent = describeKey(k.path, s);
        return { dom };
      },
    };
  });
}

/** The issues as CodeMirror diagnostics on their lines (issues without a line stay in the list below). */
function diagnosticsOf(state: EditorState, issues: EditorIssue[]): Diagnostic[] {
  return issues
    .filter((i): i is EditorIssue & { line: number } => i.line !== null && i.line >= 1)
    .map((i) => {
      const line = state.doc.line(Math.min(i.line, state.doc.lines));
      return { from: line.from, to: line.to, severity: "error", message: i.message };
    });
}

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
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  const schemaRef = useRef(schema);
  const attrs = useRef(new Compartment());
  const editable = useRef(new Compartment());
  const describedBy = issues.length ? `${id}-errors` : hint ? `${id}-hint` : undefined;

  useEffect(() => {
    onChangeRef.current = onChange;
    schemaRef.current = schema;
  });

  useEffect(() => {
    if (!host.current) return;
    const extensions: Extension[] = [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightActiveLine(),
      drawSelection(),
      history(),
      closeBrackets(),
      indentUnit.of("  "),
      EditorState.tabSize.of(2),
      yaml(),
      syntaxHighlighting(highlight),
      autocompletion({ override: [schemaCompletion(() => schemaRef.current)], icons: false }),
      schemaHover(() => schemaRef.current),
      keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
      theme,
      attrs.current.of([]),
      editable.current.of([]),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) onChangeRef.current?.(u.state.doc.toString());
      }),
    ];
    const v = new EditorView({ parent: host.current, state: EditorState.create({ doc: value, extensions }) });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is made once; value, issues and attributes are pushed in by the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A value changed from outside (reset, a loaded template) replaces the text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dispatch({
      effects: [
        attrs.current.reconfigure(
          EditorView.contentAttributes.of({
            "aria-labelledby": `${id}-label`,
            "aria-invalid": issues.length > 0 ? "true" : "false",
            ...(describedBy ? { "aria-describedby": describedBy } : {}),
            "aria-multiline": "true",
            // Focusable even read-only, so the text can be scrolled and read with the keyboard.
            tabindex: "0",
            spellcheck: "false",
            autocapitalize: "off",
            autocorrect: "off",
          }),
        ),
        editable.current.reconfigure(
          readOnly ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : [],
        ),
      ],
    });
  }, [id, issues.length, describedBy, readOnly]);

  useEffect(() => {
    const v = view.current;
    if (v) v.dispatch(setDiagnostics(v.state, diagnosticsOf(v.state, issues)));
  }, [issues, value]);

  const jump = (line: number) => {
    const v = view.current;
    if (!v) return;
    const l = v.state.doc.line(Math.min(line, v.state.doc.lines));
    v.dispatch({ selection: { anchor: l.from, head: l.to }, scrollIntoView: true });
    v.focus();
  };

  return (
    <div className="space-y-1.5">
      <div id={`${id}-label`} className="block text-sm font-medium text-fg">
        {label}
      </div>
      <div
        ref={host}
        data-yaml-editor
        className={cn(
          "overflow-hidden rounded-md border font-mono shadow-xs focus-within:ring-2 [&_.cm-editor]:h-full",
          issues.length
            ? "border-danger focus-within:ring-danger/30"
            : "border-border focus-within:ring-ring/30",
        )}
        style={{ height: `${rows * 1.25 + 1}rem` }}
      />
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
