/**
 * The CodeMirror 6 side of the YAML editor, loaded on demand (about 150 kB
 * of JavaScript that a page needs only once an editor shows).
 */
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

/** A mounted editor, as the React component drives it. */
export interface YamlView {
  setValue(value: string): void;
  setIssues(issues: EditorIssue[]): void;
  setAttributes(attributes: Record<string, string>, readOnly: boolean): void;
  selectLine(line: number): void;
  destroy(): void;
}

export function mountYamlView(
  parent: HTMLElement,
  opts: { value: string; onChange: (v: string) => void; schema: () => JsonSchema | undefined },
): YamlView {
  const attrs = new Compartment();
  const editable = new Compartment();
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
    autocompletion({ override: [schemaCompletion(opts.schema)], icons: false }),
    schemaHover(opts.schema),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    theme,
    attrs.of([]),
    editable.of([]),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) opts.onChange(u.state.doc.toString());
    }),
  ];
  const v = new EditorView({ parent, state: EditorState.create({ doc: opts.value, extensions }) });
  return {
    setValue(value) {
      if (v.state.doc.toString() !== value)
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    },
    setIssues(issues) {
      v.dispatch(setDiagnostics(v.state, diagnosticsOf(v.state, issues)));
    },
    setAttributes(attributes, readOnly) {
      v.dispatch({
        effects: [
          attrs.reconfigure(EditorView.contentAttributes.of(attributes)),
          editable.reconfigure(
            readOnly ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : [],
          ),
        ],
      });
    },
    selectLine(line) {
      const l = v.state.doc.line(Math.min(Math.max(line, 1), v.state.doc.lines));
      v.dispatch({ selection: { anchor: l.from, head: l.to }, scrollIntoView: true });
      v.focus();
    },
    destroy() {
      v.destroy();
    },
  };
}
