"use client";

import { Link2, ShieldCheck } from "lucide-react";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table, TableHead } from "@/components/ui/table";
import {
  constraintsOf,
  curlExample,
  isComponentRef,
  literalValues,
  refName,
  requestSchema,
  responseSchema,
  schemaAnchor,
  splitRole,
  typeLabel,
  type Op,
  type OpenApiDoc,
  type Parameter,
  type Schema,
} from "./openapi";
import { BreakAtSlashes, Code, CodeBlock, InlineText, LINK, MethodBadge, Prose, StatusBadge } from "./parts";
import { SchemaTree } from "./schema-tree";

/** One operation: method and path, summary, description, role, parameters, body, responses, curl. */
export function OperationSection({ doc, op, baseUrl }: { doc: OpenApiDoc; op: Op; baseUrl: string }) {
  const { text, role } = splitRole(op.op.description);
  const body = requestSchema(op.op);
  const titleId = `${op.id}-title`;
  return (
    <article
      id={op.id}
      aria-labelledby={titleId}
      className="scroll-mt-20 rounded-lg outline-none focus:ring-2 focus:ring-ring"
    >
      <Card>
        <div className="border-b border-border px-5 py-4">
          <div className="flex items-start justify-between gap-3">
            <h3 id={titleId} className="flex min-w-0 items-center gap-2.5">
              <MethodBadge method={op.method} className="shrink-0" />
              <span className="min-w-0 font-mono text-sm font-medium text-fg [overflow-wrap:anywhere]">
                <BreakAtSlashes text={op.path} />
              </span>
            </h3>
            <a
              href={`#${op.id}`}
              className="flex shrink-0 items-center gap-1 rounded-sm font-mono text-xs text-muted outline-none hover:text-primary focus-visible:ring-2 focus-visible:ring-ring"
              title="Link to this operation"
            >
              <Link2 className="size-3.5" aria-hidden />
              <span className="sr-only">Link to </span>
              {op.id}
            </a>
          </div>
          {op.op.summary && (
            <p className="mt-1.5 text-[15px] font-semibold text-fg">
              <InlineText text={op.op.summary} />
              {op.op.deprecated && (
                <Badge tone="warning" className="ml-2 align-middle">
                  Deprecated
                </Badge>
              )}
            </p>
          )}
          {text && <Prose text={text} className="mt-1.5 text-muted" />}
          {role && (
            <p className="mt-2 flex items-center gap-1.5 text-xs text-muted">
              <ShieldCheck className="size-3.5 shrink-0" aria-hidden />
              {role}
            </p>
          )}
        </div>
        <div className="space-y-6 px-5 py-5">
          {op.parameters.length > 0 && (
            <Part title="Parameters">
              <ParametersTable parameters={op.parameters} caption={`Parameters of ${op.id}`} />
            </Part>
          )}
          {body && (
            <Part
              title="Request body"
              aside={
                <>
                  <Code className="text-[11px]">application/json</Code>
                  {op.op.requestBody?.required && <span className="text-danger">required</span>}
                  {body.$ref && isComponentRef(body.$ref) && <SchemaLink name={refName(body.$ref)} />}
                </>
              }
            >
              {op.op.requestBody?.description && (
                <Prose text={op.op.requestBody.description} className="mb-2" />
              )}
              <div className="rounded-md border border-border px-3 py-2">
                <SchemaTree doc={doc} schema={body} label={`Request body of ${op.id}`} />
              </div>
            </Part>
          )}
          <Part title="Responses">
            <ResponsesTable doc={doc} op={op} />
          </Part>
          <Part title="Example request">
            <CodeBlock
              code={curlExample(doc, op, baseUrl)}
              label={`Example request for ${op.id}`}
              language="shell"
            />
          </Part>
        </div>
      </Card>
    </article>
  );
}

function Part({ title, aside, children }: { title: string; aside?: ReactNode; children: ReactNode }) {
  return (
    <div>
      <div className="mb-2 flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h4 className="text-sm font-semibold text-fg">{title}</h4>
        {aside && <div className="flex flex-wrap items-baseline gap-x-3 text-xs text-muted">{aside}</div>}
      </div>
      {children}
    </div>
  );
}

function SchemaLink({ name }: { name: string }) {
  return (
    <a href={`#${schemaAnchor(name)}`} className={`font-mono text-xs ${LINK}`}>
      {name}
    </a>
  );
}

/** A schema's type in a table cell: a link for components, rules underneath. */
function TypeCell({ schema }: { schema: Schema | undefined }) {
  if (!schema) return <span className="text-muted">—</span>;
  const t = typeLabel(schema);
  const rules = constraintsOf(schema).filter((r) => !r.startsWith("pattern "));
  return (
    <>
      <div className="font-mono text-xs text-fg">
        {t.ref ? <SchemaLink name={t.ref} /> : t.text}
        {t.nullable && <span className="text-muted"> | null</span>}
      </div>
      {rules.length > 0 && <div className="mt-0.5 text-[11px] text-muted">{rules.join(" · ")}</div>}
    </>
  );
}

const TABLE_HEAD = "border-b border-border bg-surface-2";
const HEAD_CELL = "px-3 py-2 first:pl-3 whitespace-nowrap";

function ParametersTable({ parameters, caption }: { parameters: Parameter[]; caption: string }) {
  return (
    <div className="overflow-x-auto rounded-md border border-border">
      <Table className="table-fixed text-sm" caption={caption}>
        <colgroup>
          <col className="w-[32%]" />
          <col className="w-[25%]" />
          <col />
        </colgroup>
        <TableHead
          className={TABLE_HEAD}
          cellClassName={HEAD_CELL}
          columns={["Name", "Type", "Description"]}
        />
        <tbody className="divide-y divide-border align-top">
          {parameters.map((p) => {
            const values = p.schema ? literalValues(p.schema) : null;
            const description = p.description ?? p.schema?.description;
            return (
              <tr key={`${p.in}:${p.name}`}>
                <td className="px-3 py-2">
                  <div className="font-mono text-[13px] font-medium text-fg [overflow-wrap:anywhere]">
                    {p.name}
                  </div>
                  {/* Where it goes, and whether it must: "header · optional". */}
                  <div className="text-[11px] text-muted">
                    {p.in} ·{" "}
                    {p.required ? <span className="font-medium text-danger">required</span> : "optional"}
                  </div>
                </td>
                <td className="px-3 py-2">
                  <TypeCell schema={p.schema} />
                </td>
                <td className="px-3 py-2 text-xs text-fg">
                  {description ? <InlineText text={description} /> : <span className="text-muted">—</span>}
                  {values && values.length > 0 && (
                    <div className="mt-1 flex flex-wrap items-baseline gap-1 text-muted">
                      One of:
                      {values.map((v) => (
                        <Code key={String(v)} className="text-[11px]">
                          {String(v)}
                        </Code>
                      ))}
                    </div>
                  )}
                  {p.schema?.default !== undefined && (
                    <div className="mt-1 text-muted">
                      Default: <Code className="text-[11px]">{JSON.stringify(p.schema.default)}</Code>
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </Table>
    </div>
  );
}

function ResponsesTable({ doc, op }: { doc: OpenApiDoc; op: Op }) {
  const responses = Object.entries(op.op.responses ?? {});
  if (responses.length === 0) return <p className="text-sm text-muted">None documented.</p>;
  return (
    <div className="overflow-x-auto rounded-md border border-border">
      <Table className="table-fixed text-sm" caption={`Responses of ${op.id}`}>
        <colgroup>
          <col className="w-20" />
          <col />
          <col className="w-[30%]" />
        </colgroup>
        <TableHead
          className={TABLE_HEAD}
          cellClassName={HEAD_CELL}
          columns={["Status", "Description", "Body"]}
        />
        <tbody className="divide-y divide-border align-top">
          {responses.map(([status, r]) => {
            const schema = responseSchema(r);
            const inline = schema && !(schema.$ref && isComponentRef(schema.$ref));
            return (
              <tr key={status}>
                <td className="px-3 py-2">
                  <StatusBadge status={status} />
                </td>
                <td className="px-3 py-2 text-xs text-fg">
                  {r.description ? (
                    <InlineText text={r.description} />
                  ) : (
                    <span className="text-muted">—</span>
                  )}
                  {Object.entries(r.headers ?? {}).map(([name, h]) => (
                    <div key={name} className="mt-1 text-muted">
                      Header <Code className="text-[11px]">{name}</Code>
                      {h.description && (
                        <>
                          : <InlineText text={h.description} />
                        </>
                      )}
                    </div>
                  ))}
                  {inline && (
                    <div className="mt-2 rounded-md border border-border px-2 py-1">
                      <SchemaTree doc={doc} schema={schema} label={`Response ${status} of ${op.id}`} />
                    </div>
                  )}
                </td>
                <td className="px-3 py-2">
                  {schema ? (
                    <TypeCell schema={schema} />
                  ) : (
                    <span className="text-xs text-muted">No body</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </Table>
    </div>
  );
}
