"use client";

import { AlertTriangle, Copy } from "lucide-react";
import { useId, useRef, type ReactNode, type RefObject } from "react";
import { Badge } from "@/components/ui/badge";
import { Banner } from "@/components/ui/banner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Input } from "@/components/ui/field";
import { formatDate, formatDateTime, formatFromNow, formatRelative } from "@/components/ui/format";
import { Table, TableHead, type Column } from "@/components/ui/table";
import { toast } from "@/components/ui/toast-store";
import type { TokenView } from "@/server/contracts/tokens";
import { TOKEN_MAX_DAYS } from "@/server/contracts/token-lifetimes";

export const TOKEN_STATE = {
  active: { tone: "success", label: "Active" },
  expired: { tone: "warning", label: "Expired" },
  revoked: { tone: "danger", label: "Revoked" },
} as const satisfies Record<TokenView["state"], { tone: string; label: string }>;

/** What lists show of a token: its first characters, never the secret. */
export const shownPrefix = (prefix: string) => `${prefix}…`;

export function TokenStateBadge({ token: t }: { token: TokenView }) {
  const s = TOKEN_STATE[t.state];
  return (
    <Badge
      tone={s.tone}
      className="align-middle"
      // The moment it stopped working, on hover.
      {...(t.revokedAt
        ? { title: `Revoked ${formatDateTime(t.revokedAt)}` }
        : t.state === "expired"
          ? { title: `Expired ${formatDateTime(t.expiresAt)}` }
          : {})}
    >
      {s.label}
    </Badge>
  );
}

const tokenAnchor = (id: string) => `token-name-${id}`;

/** After a revoke the row's button is gone: keyboard focus goes to the row's token name. */
export function focusToken(id: string) {
  requestAnimationFrame(() => document.getElementById(tokenAnchor(id))?.focus());
}

/** Focus what `ref` holds after the next render (the list has just changed). */
export function focusLater(ref: RefObject<HTMLElement | null>) {
  requestAnimationFrame(() => ref.current?.focus());
}

/** Relative first ("in 90 days"), the date below, the exact time on hover. */
function When({ at, children }: { at: Date; children: ReactNode }) {
  return (
    <div title={formatDateTime(at)} className="whitespace-nowrap">
      <time dateTime={at.toISOString()}>{children}</time>
    </div>
  );
}

/**
 * A table of tokens: name and prefix, `access` (personal tokens: projects and
 * role), created, expires, last use, state and a Revoke button for live ones.
 */
export function TokenTable({
  tokens,
  caption,
  access,
  onRevoke,
  empty,
}: {
  tokens: TokenView[];
  caption: string;
  access?: (t: TokenView) => ReactNode;
  onRevoke: (t: TokenView) => void;
  empty: ReactNode;
}) {
  const columns: Column[] = [
    "Token and state",
    ...(access ? ["Access"] : []),
    "Created",
    "Expires",
    "Last used",
    { label: <span className="sr-only">Actions</span>, className: "text-right" },
  ];
  return (
    // Fixed columns, so every table of tokens lines up and fits 1024 px; the token column takes the rest.
    <Table className="table-fixed text-sm" caption={caption}>
      <colgroup>
        <col />
        {access && <col className="w-38" />}
        <col className="w-26" />
        <col className="w-28" />
        <col className="w-30" />
        <col className="w-24" />
      </colgroup>
      <TableHead
        className="border-b border-border bg-surface-2"
        cellClassName="px-3 py-2.5 first:pl-4 last:pr-4 whitespace-nowrap"
        columns={columns}
      />
      <tbody className="divide-y divide-border">
        {tokens.map((t) => {
          const live = t.state === "active";
          return (
            <tr key={t.id} className="align-top" data-testid={`token-${t.id}`}>
              <td className="py-3 pr-3 pl-4">
                <div
                  id={tokenAnchor(t.id)}
                  tabIndex={-1}
                  className="line-clamp-3 rounded-sm font-medium break-words text-fg outline-none focus-visible:ring-2 focus-visible:ring-ring"
                  title={t.name}
                >
                  {t.name}
                </div>
                <div className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1">
                  <code className="font-mono text-[11px] whitespace-nowrap text-muted">
                    {shownPrefix(t.prefix)}
                  </code>
                  <TokenStateBadge token={t} />
                </div>
              </td>
              {access && <td className="px-3 py-3">{access(t)}</td>}
              <td className="px-3 py-3 text-xs text-muted">
                <When at={t.createdAt}>{formatDate(t.createdAt)}</When>
              </td>
              <td className="px-3 py-3 text-xs">
                <When at={t.expiresAt}>
                  <span className={live ? "text-fg" : "text-muted"}>{formatFromNow(t.expiresAt)}</span>
                  <span className="block text-muted">{formatDate(t.expiresAt)}</span>
                </When>
              </td>
              <td className="px-3 py-3 text-xs">
                {t.lastUsedAt ? (
                  <>
                    <When at={t.lastUsedAt}>
                      <span className="text-fg">{formatRelative(t.lastUsedAt)}</span>
                    </When>
                    {t.lastUsedIp && (
                      <div
                        className="truncate font-mono text-[11px] text-muted"
                        title={`From ${t.lastUsedIp}`}
                      >
                        {t.lastUsedIp}
                      </div>
                    )}
                  </>
                ) : (
                  <span className="text-muted">Never used</span>
                )}
              </td>
              <td className="py-2 pr-4 pl-2 text-right">
                {live && (
                  <Button
                    variant="ghost"
                    size="sm"
                    className="text-danger"
                    aria-label={`Revoke ${t.name}`}
                    onClick={() => onRevoke(t)}
                  >
                    Revoke
                  </Button>
                )}
              </td>
            </tr>
          );
        })}
        {tokens.length === 0 && (
          <tr>
            <td colSpan={columns.length} className="px-4 py-6 text-center text-sm text-muted">
              {empty}
            </td>
          </tr>
        )}
      </tbody>
    </Table>
  );
}

/**
 * A new token's secret, shown this once: a read-only monospace field that
 * selects itself on focus, a Copy button and the warning. The parent drops
 * the secret when its dialog closes.
 */
export function SecretOnce({ secret, usage }: { secret: string; usage?: ReactNode }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      toast({ variant: "success", title: "Token copied" });
    } catch {
      // No clipboard (an insecure origin, a denied permission): leave it selected for Ctrl+C.
      input.current?.focus();
      input.current?.select();
      toast({ title: "Press Ctrl+C to copy", description: "The browser did not allow copying here." });
    }
  }
  return (
    <div className="space-y-4">
      <Banner tone="warning" icon={AlertTriangle}>
        <span className="font-medium text-fg">Copy the token now.</span>{" "}
        <span className="text-fg">
          It is shown only this once: the console keeps only a hash of it. If you lose it, revoke it and
          create another.
        </span>
      </Banner>
      <div className="space-y-1.5">
        <label htmlFor={id} className="block text-sm font-medium text-fg">
          Your new token
        </label>
        <div className="flex gap-2">
          <Input
            ref={input}
            id={id}
            readOnly
            autoFocus
            value={secret}
            spellCheck={false}
            autoComplete="off"
            className="min-w-0 flex-1 font-mono text-xs"
            onFocus={(e) => e.currentTarget.select()}
          />
          <Button type="button" variant="secondary" onClick={() => void copy()}>
            <Copy className="size-4" aria-hidden /> Copy
          </Button>
        </div>
      </div>
      {usage}
    </div>
  );
}

/** How to call the REST API with a token, for the dialogs that show a new one. */
export function BearerUsage({ path }: { path: string }) {
  return (
    <div className="space-y-1.5">
      <p className="text-xs text-muted">Use it in the Authorization header of REST API calls:</p>
      <pre className="overflow-x-auto rounded-md bg-surface-2 px-3 py-2 font-mono text-xs text-fg">
        {`curl -H "Authorization: Bearer $TOKEN" \\\n  ${typeof window === "undefined" ? "" : window.location.origin}${path}`}
      </pre>
    </div>
  );
}

/** "Revoke token?": the next request with it is refused; the row stays, marked revoked. */
export function RevokeTokenDialog({
  token,
  pending,
  onCancel,
  onConfirm,
}: {
  token: TokenView | null;
  pending: boolean;
  onCancel: () => void;
  onConfirm: (t: TokenView) => void;
}) {
  return (
    <Dialog
      open={token !== null}
      onOpenChange={(o) => !o && onCancel()}
      title={`Revoke ${token?.name ?? "token"}?`}
      description={
        <>
          Anything using{" "}
          <code className="font-mono text-xs text-fg">{token ? shownPrefix(token.prefix) : ""}</code> gets 401
          Unauthorized from its next request on. This cannot be undone; the token stays listed as revoked.
        </>
      }
    >
      <DialogActions onCancel={onCancel}>
        <Button variant="danger" loading={pending} onClick={() => token && onConfirm(token)}>
          Revoke token
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** The expiry field's hint: the date it will expire on. */
export function expiryHint(days: number): string {
  const range = `1 to ${TOKEN_MAX_DAYS} days`;
  if (!Number.isInteger(days) || days < 1 || days > TOKEN_MAX_DAYS) return `Whole days, ${range}.`;
  return `${range}. Expires on ${formatDate(new Date(Date.now() + days * 86_400_000))}.`;
}
