"use client";

import { ShieldCheck, ShieldX, Unplug } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import type { AdmissionRefusal } from "@/server/contracts/cluster-status";
import type { ClusterData } from "./labels";
import { explainRefusal, refusalsView } from "./refusals";
import { tabHref, tabTargetId } from "./use-tab-hash";

/** The card's id: links elsewhere ("3 objects refused") open it with tabHref("health", "refusals"). */
export const REFUSALS_ID = "refusals";

const LINK =
  "rounded-sm font-medium text-primary underline-offset-2 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring";

/**
 * Pods Gatekeeper's admission webhook refused: a deployment can show 32
 * replicas and 1 running with none pending because the other pods were
 * never created. Nothing at all when Gatekeeper is off.
 */
export function RefusalsCard({ cluster: c }: { cluster: ClusterData }) {
  const view = refusalsView(c.status.policies);
  if (view.kind === "off") return null;
  const constraints = new Set(c.spec.policies.constraints.map((x) => x.name));
  const n = view.kind === "list" ? view.refusals.length : 0;
  return (
    <Card
      id={tabTargetId("health", REFUSALS_ID)}
      role="region"
      aria-label="Refused by policy"
      className="scroll-mt-20 outline-none focus:ring-2 focus:ring-ring"
    >
      <CardHeader
        title="Refused by policy"
        description="Pods Gatekeeper's admission webhook refused. Their controller keeps asking, so they count as replicas but neither run nor wait for a node. The latest refusal of each object, newest first."
        actions={
          <>
            {n > 0 && (
              <Badge tone="danger">
                {n} object{n === 1 ? "" : "s"}
              </Badge>
            )}
            <a className={`text-sm ${LINK}`} href={tabHref("policies")}>
              Policies
            </a>
          </>
        }
      />
      {view.kind === "starting" ? (
        <p className="px-5 py-4 text-sm text-muted">
          Gatekeeper is starting: refusals are read once it is ready. Meanwhile its webhook, failing closed,
          can refuse new pods.
        </p>
      ) : view.kind === "unread" ? (
        <p className="px-5 py-4 text-sm text-muted">Not read from the cluster yet.</p>
      ) : (
        <>
          {view.stale && (
            <p className="px-5 pt-3 text-xs text-warning">
              The cluster&apos;s API is not answering the console: these are as read{" "}
              {formatRelative(new Date(view.at))}.
            </p>
          )}
          {n === 0 ? (
            <p className="flex items-center gap-2 px-5 py-4 text-sm text-muted">
              <ShieldCheck className="size-4 text-success" aria-hidden /> No pod was refused by a policy.
            </p>
          ) : (
            <ul className="divide-y divide-border" aria-label="Refused objects">
              {view.refusals.map((r) => (
                <RefusalRow
                  key={`${r.namespace}/${r.kind}/${r.name}`}
                  refusal={r}
                  constraints={constraints}
                />
              ))}
            </ul>
          )}
        </>
      )}
    </Card>
  );
}

function RefusalRow({ refusal: r, constraints }: { refusal: AdmissionRefusal; constraints: Set<string> }) {
  const why = explainRefusal(r);
  const Icon = why.kind === "unavailable" ? Unplug : ShieldX;
  return (
    <li className="flex items-start gap-3 px-5 py-3">
      <Icon
        className={`mt-0.5 size-4 shrink-0 ${why.kind === "unavailable" ? "text-warning" : "text-danger"}`}
        aria-hidden
      />
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5">
          <span className="font-mono text-xs text-fg [overflow-wrap:anywhere]">
            {r.kind} {r.namespace ? `${r.namespace}/` : ""}
            {r.name}
          </span>
          <RefusedAt at={r.at} />
        </div>
        {why.kind === "unavailable" ? (
          <div className="mt-1 text-sm">
            <p className="text-fg">
              <Badge tone="warning" className="mr-1.5 align-[1px]">
                Webhook unavailable
              </Badge>
              Gatekeeper&apos;s webhook was not answering: new pods are refused until it is back (fail
              closed).
            </p>
            {why.detail && (
              <p className="mt-1 font-mono text-xs text-muted [overflow-wrap:anywhere]">{why.detail}</p>
            )}
          </div>
        ) : (
          <ul className="mt-1 space-y-1 text-sm" aria-label="Reasons">
            {why.reasons.map((x, i) => (
              <li key={i} className="text-fg [overflow-wrap:anywhere]">
                {x.constraint && (
                  <ConstraintBadge name={x.constraint} linked={constraints.has(x.constraint)} />
                )}
                {x.text}
              </li>
            ))}
          </ul>
        )}
      </div>
    </li>
  );
}

/** A constraint that refused: a link to its row on the Policies tab (while it exists). */
function ConstraintBadge({ name, linked }: { name: string; linked: boolean }) {
  const badge = (
    <Badge tone="danger" className={linked ? "group-hover:bg-danger/20" : undefined}>
      <span className="sr-only">Constraint </span>
      {name}
    </Badge>
  );
  return linked ? (
    <a
      href={tabHref("policies", name)}
      title={`${name} on the Policies tab`}
      className="group mr-1.5 rounded-full align-[1px] outline-none focus-visible:ring-2 focus-visible:ring-ring"
    >
      {badge}
    </a>
  ) : (
    <span className="mr-1.5 align-[1px]" title="No longer one of this cluster's constraints">
      {badge}
    </span>
  );
}

/** When it was last refused, relative, with the full time on hover. */
function RefusedAt({ at }: { at: string | null }) {
  const d = at ? new Date(at) : null;
  if (!d || Number.isNaN(d.getTime())) return <span className="text-xs text-muted">time unknown</span>;
  return (
    <time
      dateTime={at!}
      title={formatDateTime(d)}
      className="text-xs whitespace-nowrap text-muted"
      suppressHydrationWarning
    >
      {formatRelative(d)}
    </time>
  );
}
