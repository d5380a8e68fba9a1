"use client";

import { useQuery } from "@tanstack/react-query";
import { Download, RotateCw } from "lucide-react";
import Link from "next/link";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { LoadError, LoadingBlock } from "@/components/ui/load-state";
import { OperationSection } from "./operation-section";
import {
  asOpenApiDoc,
  groupByTag,
  listOperations,
  schemaAnchor,
  shortPaths,
  tagAnchor,
  typeLabel,
  type OpenApiDoc,
  type TagGroup,
} from "./openapi";
import { BreakAtSlashes, Code, CodeBlock, LINK, MethodBadge, Prose } from "./parts";
import { SchemaTree } from "./schema-tree";

/** Where the REST API describes itself (no token needed). */
export const OPENAPI_URL = "/api/v1/openapi.json";
/** Where people make the tokens the API takes. */
const TOKENS_HREF = "/account/tokens";

async function fetchDocument(): Promise<OpenApiDoc> {
  const res = await fetch(OPENAPI_URL, { headers: { Accept: "application/json" } });
  if (!res.ok)
    throw new Error(`The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}.`);
  return asOpenApiDoc(await res.json());
}

/**
 * The REST API's reference, rendered from its OpenAPI document: navigation
 * by tag on the left; an overview (base URL, tokens, 202 and operations,
 * ETag/If-Match, Idempotency-Key, errors), every operation and every schema
 * on the right. Each operation's anchor is its operationId (`#createCluster`),
 * each schema's `#schema-<Name>`.
 */
export function ApiReference() {
  const query = useQuery({
    queryKey: ["openapi-document"],
    queryFn: fetchDocument,
    staleTime: Infinity,
    retry: 1,
  });
  return (
    <>
      <PageHeader
        title="API reference"
        description="Every endpoint of the console's REST API, its parameters, request and response schemas, for scripts, CI and tools."
        actions={
          <Button variant="secondary" size="sm" asChild>
            <a href={OPENAPI_URL} download="openapi.json">
              <Download className="size-4" aria-hidden /> Download openapi.json
            </a>
          </Button>
        }
      />
      {query.isPending ? (
        <LoadingBlock label="Loading the API reference…" />
      ) : query.isError ? (
        <LoadError>
          <p className="font-medium">The API reference could not be loaded.</p>
          <p className="mt-1">{query.error.message}</p>
          <Button
            variant="secondary"
            size="sm"
            className="mt-3"
            loading={query.isFetching}
            onClick={() => void query.refetch()}
          >
            <RotateCw className="size-4" aria-hidden /> Try again
          </Button>
        </LoadError>
      ) : (
        <Reference doc={query.data} />
      )}
    </>
  );
}

function Reference({ doc }: { doc: OpenApiDoc }) {
  const groups = useMemo(() => groupByTag(doc), [doc]);
  const schemas = Object.entries(doc.components?.schemas ?? {});
  const operations = groups.flatMap((g) => g.operations);
  const short = useMemo(() => shortPaths(listOperations(doc).map((o) => o.path)), [doc]);
  // Rendered only in the browser (after the fetch): the origin is known.
  const baseUrl = new URL(doc.servers?.[0]?.url ?? "/api/v1", window.location.origin).href.replace(/\/$/, "");
  const ids = useMemo(
    () => [
      "overview",
      ...groups.flatMap((g) => [tagAnchor(g.name), ...g.operations.map((o) => o.id)]),
      "schemas",
      ...Object.keys(doc.components?.schemas ?? {}).map(schemaAnchor),
    ],
    [doc, groups],
  );
  const active = useActiveSection(ids);
  const nav = useRef<HTMLElement>(null);
  useHashFocus();

  // Keep the link of the section in view visible in the navigation's own scroll.
  useEffect(() => {
    const box = nav.current;
    const link = box?.querySelector<HTMLElement>(`[data-target="${CSS.escape(active)}"]`);
    if (!box || !link) return;
    const top = link.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    if (top < box.scrollTop + 8) box.scrollTop = Math.max(0, top - 40);
    else if (top + link.offsetHeight > box.scrollTop + box.clientHeight - 8)
      box.scrollTop = top + link.offsetHeight - box.clientHeight + 40;
  }, [active]);

  return (
    <div className="grid grid-cols-[12.5rem_minmax(0,1fr)] items-start gap-6 xl:grid-cols-[14.5rem_minmax(0,1fr)] xl:gap-8">
      <nav
        ref={nav}
        aria-label="API reference"
        className="sticky top-20 max-h-[calc(100vh-6.5rem)] overflow-y-auto overscroll-contain rounded-lg border border-border bg-surface p-2 text-sm shadow-xs"
      >
        <NavLink id="overview" active={active}>
          Overview
        </NavLink>
        {groups.map((g) => (
          <NavGroup key={g.name} id={tagAnchor(g.name)} title={g.name} active={active}>
            {g.operations.map((o) => (
              <li key={o.id}>
                <NavLink id={o.id} active={active} title={o.op.summary}>
                  <MethodBadge method={o.method} className="w-12 shrink-0 text-[9px]" />
                  <span
                    aria-hidden
                    className="min-w-0 font-mono text-[11px] leading-4 [overflow-wrap:anywhere]"
                  >
                    <BreakAtSlashes text={short.get(o.path) ?? o.path} />
                  </span>
                  <span className="sr-only">{o.path}</span>
                </NavLink>
              </li>
            ))}
          </NavGroup>
        ))}
        {schemas.length > 0 && (
          <NavGroup id="schemas" title="Schemas" active={active}>
            {schemas.map(([name]) => (
              <li key={name}>
                <NavLink id={schemaAnchor(name)} active={active}>
                  <span className="truncate font-mono text-[11px]">{name}</span>
                </NavLink>
              </li>
            ))}
          </NavGroup>
        )}
      </nav>

      <div className="min-w-0 space-y-10">
        <Overview doc={doc} baseUrl={baseUrl} hasOperation={(id) => operations.some((o) => o.id === id)} />
        {groups.map((g) => (
          <TagSection key={g.name} group={g} doc={doc} baseUrl={baseUrl} />
        ))}
        {schemas.length > 0 && (
          <section
            id="schemas"
            aria-labelledby="schemas-title"
            className="scroll-mt-20 space-y-4 outline-none"
          >
            <SectionHeading id="schemas-title" title="Schemas">
              What the operations take and answer. Links in the operations above lead here.
            </SectionHeading>
            {schemas.map(([name, schema]) => (
              <article
                key={name}
                id={schemaAnchor(name)}
                aria-labelledby={`${schemaAnchor(name)}-title`}
                className="scroll-mt-20 rounded-lg outline-none focus:ring-2 focus:ring-ring"
              >
                <Card>
                  <div className="border-b border-border px-5 py-3">
                    <h3 id={`${schemaAnchor(name)}-title`} className="flex flex-wrap items-baseline gap-x-2">
                      <span className="font-mono text-sm font-semibold text-fg">{name}</span>
                      <span className="font-mono text-xs font-normal text-muted">
                        {typeLabel(schema).text}
                      </span>
                    </h3>
                    {schema.description && <Prose text={schema.description} className="mt-1 text-muted" />}
                  </div>
                  <div className="px-4 py-3">
                    <SchemaTree doc={doc} schema={schema} label={`Schema ${name}`} seen={[name]} />
                  </div>
                </Card>
              </article>
            ))}
          </section>
        )}
      </div>
    </div>
  );
}

function SectionHeading({ id, title, children }: { id: string; title: string; children?: ReactNode }) {
  return (
    <div>
      <h2 id={id} className="text-lg font-semibold tracking-tight text-fg">
        {title}
      </h2>
      {children && <div className="mt-1 text-sm text-muted">{children}</div>}
    </div>
  );
}

function TagSection({ group, doc, baseUrl }: { group: TagGroup; doc: OpenApiDoc; baseUrl: string }) {
  const id = tagAnchor(group.name);
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="scroll-mt-20 space-y-4 outline-none">
      <SectionHeading id={`${id}-title`} title={group.name}>
        {group.description && <Prose text={group.description} className="text-muted" />}
      </SectionHeading>
      {group.operations.map((o) => (
        <OperationSection key={o.id} doc={doc} op={o} baseUrl={baseUrl} />
      ))}
    </section>
  );
}

function NavGroup({
  id,
  title,
  active,
  children,
}: {
  id: string;
  title: string;
  active: string;
  children: ReactNode;
}) {
  return (
    <div className="mt-3">
      <a
        href={`#${id}`}
        data-target={id}
        aria-current={active === id ? "location" : undefined}
        className={cn(
          "block rounded-md px-2 py-1 text-xs font-semibold outline-none focus-visible:ring-2 focus-visible:ring-ring",
          active === id ? "text-primary" : "text-fg hover:text-primary",
        )}
      >
        {title}
      </a>
      <ul className="mt-0.5 space-y-px">{children}</ul>
    </div>
  );
}

function NavLink({
  id,
  active,
  title,
  children,
}: {
  id: string;
  active: string;
  title?: string;
  children: ReactNode;
}) {
  const current = active === id;
  return (
    <a
      href={`#${id}`}
      data-target={id}
      title={title}
      aria-current={current ? "location" : undefined}
      className={cn(
        "flex min-w-0 items-center gap-2 rounded-md px-2 py-1 outline-none focus-visible:ring-2 focus-visible:ring-ring",
        current ? "bg-primary/10 text-primary" : "text-muted hover:bg-surface-2 hover:text-fg",
      )}
    >
      {children}
    </a>
  );
}

function Overview({
  doc,
  baseUrl,
  hasOperation,
}: {
  doc: OpenApiDoc;
  baseUrl: string;
  hasOperation: (id: string) => boolean;
}) {
  const opLink = (id: string, children: ReactNode) =>
    hasOperation(id) ? (
      <a href={`#${id}`} className={LINK}>
        {children}
      </a>
    ) : (
      children
    );
  const hasErrorSchema = !!doc.components?.schemas?.Error;
  return (
    <section
      id="overview"
      aria-label="Overview"
      className="scroll-mt-20 rounded-lg outline-none focus:ring-2 focus:ring-ring"
    >
      <Card>
        <CardHeader
          title="Overview"
          description={
            <>
              {doc.info.title} {doc.info.version && <>· version {doc.info.version} </>}· OpenAPI {doc.openapi}
            </>
          }
        />
        <dl className="divide-y divide-border text-sm">
          <OverviewItem term="Base URL">
            <p>
              <Code>{baseUrl}</Code>
            </p>
            <p className="mt-1">
              Every path below is relative to it. Requests and answers are JSON (
              <Code>Content-Type: application/json</Code>).
            </p>
          </OverviewItem>
          <OverviewItem term="Authentication">
            <p>
              Send an API token with every request: <Code>Authorization: Bearer &lt;token&gt;</Code>. Make a
              personal token under{" "}
              <Link href={TOKENS_HREF} className={LINK}>
                API tokens
              </Link>{" "}
              (it acts as you, only in the projects and with at most the role you choose), or ask a project
              admin for a service account&apos;s token. Personal tokens start with <Code>kcp_</Code>, service
              accounts&apos; with <Code>kcs_</Code>. The API never reads the console&apos;s session cookie;
              each operation says which role it needs.
            </p>
          </OverviewItem>
          <OverviewItem term="Changes that take time">
            <p>
              Creating, changing, stopping, starting, upgrading and deleting a cluster answer{" "}
              <Code>202 Accepted</Code> with the cluster and the <Code>operation</Code> that converges it.{" "}
              {opLink("getOperation", <Code>GET …/operations/{"{operationId}"}?wait=60</Code>)} answers when
              it ends — or after at most 60 seconds, with its state then.
            </p>
          </OverviewItem>
          <OverviewItem term="ETag and If-Match">
            <p>
              Reads of a cluster carry an <Code>ETag</Code>: its generation. A change to the cluster needs{" "}
              <Code>If-Match</Code> with that ETag (or <Code>generation</Code> in the body), so it never
              overwrites a change you have not seen: <Code>412</Code> when the cluster changed since you read
              it, <Code>428</Code> when neither is sent.
            </p>
          </OverviewItem>
          <OverviewItem term="Idempotency-Key">
            <p>
              Every <Code>POST</Code> takes an <Code>Idempotency-Key</Code> (any unique string of up to 255
              characters). A retry with the same key within 24 hours gets the first answer again (marked{" "}
              <Code>Idempotent-Replayed: true</Code>), so a retried create never makes two clusters; the same
              key with a different request is refused with <Code>422</Code>.
            </p>
          </OverviewItem>
          <OverviewItem term="Errors">
            <p>
              Every error has the same shape
              {hasErrorSchema && (
                <>
                  {" "}
                  (
                  <a href={`#${schemaAnchor("Error")}`} className={`font-mono ${LINK}`}>
                    Error
                  </a>
                  )
                </>
              )}
              : a stable <Code>code</Code>, a <Code>message</Code> for people, the <Code>requestId</Code> to
              quote when asking for help, and on <Code>400</Code> the <Code>fieldErrors</Code> naming each
              invalid field. <Code>429</Code> says in <Code>Retry-After</Code> how many seconds to wait.
            </p>
            <div className="mt-2">
              <CodeBlock code={ERROR_EXAMPLE} label="Example error" language="json" />
            </div>
          </OverviewItem>
        </dl>
      </Card>
    </section>
  );
}

const ERROR_EXAMPLE = `{
  "error": {
    "code": "NOT_FOUND",
    "message": "Cluster not found",
    "requestId": "0b6f4c2e-5d8a-4f5e-9a51-2f7c1e3d9b40",
    "fieldErrors": null
  }
}`;

function OverviewItem({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 px-5 py-4 xl:grid-cols-[10rem_minmax(0,1fr)] xl:gap-4">
      <dt className="font-medium text-fg">{term}</dt>
      <dd className="min-w-0 text-muted">{children}</dd>
    </div>
  );
}

/** The id of the last section whose top has passed under the header (the one being read). */
function useActiveSection(ids: string[]): string {
  const [active, setActive] = useState(ids[0] ?? "");
  useEffect(() => {
    let frame = 0;
    const measure = () => {
      frame = 0;
      let current = ids[0] ?? "";
      for (const id of ids) {
        const el = document.getElementById(id);
        if (!el) continue;
        if (el.getBoundingClientRect().top <= 96) current = id;
        else break;
      }
      // At the very bottom the last sections never reach the top: the hash's target if it is on
      // screen (a link just followed), else the last section in view.
      const atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
      if (atEnd) {
        const onScreen = (id: string) => {
          const r = document.getElementById(id)?.getBoundingClientRect();
          return !!r && r.top < window.innerHeight && r.bottom > 56;
        };
        const hash = decodeURIComponent(window.location.hash.slice(1));
        current = ids.includes(hash) && onScreen(hash) ? hash : (ids.findLast(onScreen) ?? current);
      }
      setActive(current);
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    window.addEventListener("scroll", onScroll, { passive: true });
    window.addEventListener("hashchange", onScroll);
    return () => {
      window.removeEventListener("scroll", onScroll);
      window.removeEventListener("hashchange", onScroll);
      cancelAnimationFrame(frame);
    };
  }, [ids]);
  return active;
}

/**
 * The element the URL's hash names gets focus (so a screen reader reads it
 * and Tab continues from there): on load, once the document is rendered —
 * the browser could not scroll to it before — and after every in-page link.
 */
function useHashFocus() {
  useEffect(() => {
    const focus = (scroll: boolean) => {
      let id = window.location.hash.slice(1);
      try {
        id = decodeURIComponent(id);
      } catch {
        // Left as it is.
      }
      const el = id ? document.getElementById(id) : null;
      if (!el) return;
      if (scroll) el.scrollIntoView({ block: "start" });
      if (!el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "-1");
        el.addEventListener("blur", () => el.removeAttribute("tabindex"), { once: true });
      }
      el.focus({ preventScroll: true });
    };
    focus(true);
    const onHash = () => focus(false);
    // A link to the hash already in the URL fires no hashchange: focus after its click too.
    const onClick = (e: MouseEvent) => {
      const a = (e.target as Element | null)?.closest?.("a[href^='#']");
      if (a) requestAnimationFrame(() => focus(false));
    };
    window.addEventListener("hashchange", onHash);
    document.addEventListener("click", onClick);
    return () => {
      window.removeEventListener("hashchange", onHash);
      document.removeEventListener("click", onClick);
    };
  }, []);
}
