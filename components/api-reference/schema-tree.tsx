"use client";

import { ChevronRight } from "lucide-react";
import { useId, useState } from "react";
import { cn } from "@/components/ui/cn";
import {
  childrenOf,
  constraintsOf,
  isCycle,
  literalValues,
  schemaAnchor,
  typeLabel,
  type OpenApiDoc,
  type Schema,
  type SchemaChild,
} from "./openapi";
import { Code, InlineText, LINK } from "./parts";

/** Rows nested deeper than this show "…" instead of opening (the raw document has the rest). */
export const MAX_TREE_DEPTH = 8;

/**
 * A schema as a tree of its properties: each row with its type (a link when
 * it is a component schema), required, allowed values, default, rules and
 * description; objects, arrays of objects, variants and maps open one level
 * at a time. `$ref`s are followed, but never into a component already open
 * above (cycles), and never deeper than MAX_TREE_DEPTH.
 */
export function SchemaTree({
  doc,
  schema,
  label,
  seen = [],
}: {
  doc: OpenApiDoc;
  schema: Schema;
  /** The tree's accessible name ("Request body of createCluster"). */
  label: string;
  /** Components already open around this tree (a component's own section passes its name). */
  seen?: readonly string[];
}) {
  const rows = childrenOf(doc, schema, seen);
  if (rows.length === 0) return <LeafSummary schema={schema} />;
  return (
    <ul aria-label={label} className="space-y-px">
      {rows.map((row) => (
        // An only child (a body that is just `spec`, a list's `items`) starts open.
        <SchemaRow key={row.key} doc={doc} row={row} depth={0} defaultOpen={rows.length === 1} />
      ))}
    </ul>
  );
}

/** A schema with no rows to show: its type and rules in one line ("object · any properties"). */
function LeafSummary({ schema }: { schema: Schema }) {
  const t = typeLabel(schema);
  return (
    <div className="rounded-md border border-dashed border-border px-3 py-2 text-xs text-muted">
      <span className="font-mono text-fg">{t.text}</span>
      {t.nullable && " or null"}
      {t.open && " · any properties"}
    </div>
  );
}

function SchemaRow({
  doc,
  row,
  depth,
  defaultOpen = false,
}: {
  doc: OpenApiDoc;
  row: SchemaChild;
  depth: number;
  defaultOpen?: boolean;
}) {
  const [open, setOpen] = useState(defaultOpen);
  const listId = useId();
  const { schema } = row;
  const cycle = isCycle(schema, row.seen);
  const children = cycle ? [] : childrenOf(doc, schema, row.seen);
  const expandable = children.length > 0;
  const tooDeep = expandable && depth + 1 >= MAX_TREE_DEPTH;
  const t = typeLabel(schema);
  const values = literalValues(schema);
  const rules = constraintsOf(schema);
  const name =
    row.kind === "property" ? (
      <span className="font-mono text-[13px] font-medium text-fg">{row.label}</span>
    ) : (
      <span className="font-mono text-xs text-muted">{row.label}</span>
    );

  return (
    <li>
      <div className="rounded-md px-1 py-1.5 hover:bg-surface-2/60">
        <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
          {expandable && !tooDeep ? (
            <button
              type="button"
              aria-expanded={open}
              aria-controls={open ? listId : undefined}
              onClick={() => setOpen((o) => !o)}
              className="-ml-1 flex items-baseline gap-0.5 rounded-sm pr-1 text-left outline-none focus-visible:ring-2 focus-visible:ring-ring"
            >
              <ChevronRight
                className={cn(
                  "size-3.5 shrink-0 self-center text-muted transition-transform",
                  open && "rotate-90",
                )}
                aria-hidden
              />
              {name}
            </button>
          ) : (
            <span className="flex items-baseline gap-0.5">
              <span className="size-3.5 shrink-0" aria-hidden />
              {name}
            </span>
          )}
          <span className="font-mono text-xs text-muted">
            {t.ref ? (
              <>
                {t.text.slice(0, t.text.length - t.ref.length)}
                <a href={`#${schemaAnchor(t.ref)}`} className={LINK}>
                  {t.ref}
                </a>
              </>
            ) : (
              t.text
            )}
            {t.nullable && " | null"}
          </span>
          {row.required && <span className="text-[11px] font-medium text-danger">required</span>}
          {schema.deprecated && <span className="text-[11px] font-medium text-warning">deprecated</span>}
          {cycle && <span className="text-[11px] text-muted">(contains itself: see above)</span>}
          {tooDeep && (
            <span
              className="font-mono text-xs text-muted"
              title="Nested too deep to show here: see openapi.json"
            >
              {"{ … }"}
            </span>
          )}
        </div>
        <div className="ml-4 space-y-1 text-xs text-muted empty:hidden">
          {schema.description && (
            <p className="text-fg/90">
              <InlineText text={schema.description} />
            </p>
          )}
          {values && values.length > 0 && (
            <p className="flex flex-wrap items-baseline gap-1">
              <span>{values.length === 1 ? "Value" : "One of"}:</span>
              {values.map((v) => (
                <Code key={JSON.stringify(v)} className="text-[11px]">
                  {JSON.stringify(v)}
                </Code>
              ))}
            </p>
          )}
          {(schema.default !== undefined || rules.length > 0 || t.open) && (
            <p className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
              {schema.default !== undefined && (
                <span>
                  Default: <Code className="text-[11px]">{JSON.stringify(schema.default)}</Code>
                </span>
              )}
              {rules.map((r) =>
                r.startsWith("pattern ") ? (
                  <span key={r} className="min-w-0">
                    Pattern: <Code className="text-[11px]">{r.slice("pattern ".length)}</Code>
                  </span>
                ) : (
                  <span key={r}>{r}</span>
                ),
              )}
              {t.open && <span>Any other properties</span>}
            </p>
          )}
        </div>
      </div>
      {open && expandable && !tooDeep && (
        <ul id={listId} className="mt-0.5 mb-1 ml-2.5 space-y-px border-l border-border pl-3">
          {children.map((c) => (
            <SchemaRow key={c.key} doc={doc} row={c} depth={depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}
