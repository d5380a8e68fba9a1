"use client";

import { CheckCircle2, CircleDashed } from "lucide-react";
import { Card, CardHeader } from "@/components/ui/card";
import { CNI_LABEL, type ClusterData, TOPOLOGY_LABEL } from "./labels";
import { formatMoney } from "@/components/ui/format";
import { ApiAllowlistButton } from "./api-access";
import { MadeByClusterCard } from "./made-by-cluster-card";
import { InventoryCard } from "./inventory-card";

export function OverviewTab({
  projectId,
  cluster: c,
  canEdit,
}: {
  projectId: string;
  cluster: ClusterData;
  canEdit: boolean;
}) {
  const zones = [...new Set(c.status.nodes.map((n) => n.zone).filter(Boolean))].sort();
  const rows: Array<[string, string]> = [
    ["API endpoint", c.status.apiEndpoint ?? "Not ready yet"],
    [
      "Public API",
      c.spec.apiAccess.public
        ? c.spec.apiAccess.allowedCidrs.length
          ? `Yes, from ${c.spec.apiAccess.allowedCidrs.join(", ")}`
          : "Yes, from anywhere"
        : "No (private network only)",
    ],
    ["Kubernetes", c.spec.version],
    ["Topology", `${TOPOLOGY_LABEL[c.spec.topology]}, ${c.spec.masterCount} × ${c.spec.masterFlavor}`],
    ["etcd", `${c.spec.masterCount} × ${c.spec.etcd.sizeGb} GB ${c.spec.etcd.volumeType}`],
    ["Zones in use", zones.join(", ") || "—"],
    ["Pod network", `${CNI_LABEL[c.spec.cni]} (fixed at creation)`],
    ["Pod / service CIDR", `${c.spec.podCidr} / ${c.spec.serviceCidr}`],
    [
      "Cost",
      `${formatMoney(c.cost.perMonth, c.cost.currency)} per month (${formatMoney(c.cost.perHour, c.cost.currency, 4)} per hour)`,
    ],
    [
      "Revision",
      c.observedGeneration === c.generation
        ? `${c.generation} (applied)`
        : `${c.generation} (cloud at ${c.observedGeneration})`,
    ],
  ];
  return (
    <div className="space-y-6">
      {/* Side by side from 1280 px; below, the two cards stack so values keep a readable width. */}
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[3fr_2fr]">
        <Card className="min-w-0">
          <CardHeader title="Details" />
          <dl className="grid grid-cols-[10rem_minmax(0,1fr)] gap-x-4 gap-y-2.5 px-5 py-4 text-sm">
            {rows.map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="text-muted">{k}</dt>
                {/* Lines break between words; a word is split only when it is wider than the column. */}
                <dd className="break-words text-fg">
                  {v}
                  {k === "Public API" && canEdit && c.spec.apiAccess.public && (
                    <ApiAllowlistButton projectId={projectId} cluster={c} />
                  )}
                </dd>
              </div>
            ))}
          </dl>
        </Card>
        <Card className="min-w-0">
          <CardHeader title="Conditions" />
          <ul className="divide-y divide-border">
            {c.conditions.length === 0 && (
              <li className="px-5 py-4 text-sm text-muted">The reconciler has not reported yet.</li>
            )}
            {c.conditions.map((cond) => (
              <li key={cond.type} className="flex gap-3 px-5 py-3">
                {cond.status === "True" ? (
                  <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-success" aria-hidden />
                ) : (
                  <CircleDashed className="mt-0.5 size-4 shrink-0 text-primary" aria-hidden />
                )}
                <div className="min-w-0 text-sm">
                  <div className="font-medium text-fg">
                    {cond.type}{" "}
                    <span className="font-normal text-muted">
                      {cond.status === "True" ? "" : `(${cond.reason})`}
                    </span>
                  </div>
                  <div className="text-xs text-muted">{cond.message}</div>
                </div>
              </li>
            ))}
          </ul>
        </Card>
      </div>
      <InventoryCard cluster={c} />
      <MadeByClusterCard cluster={c} />
    </div>
  );
}
