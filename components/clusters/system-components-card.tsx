"use client";

import { Cloud, Cog, HardDrive, Network, ShieldCheck, Ship, type LucideIcon } from "lucide-react";
import { Card, CardHeader } from "@/components/ui/card";
import type { ClusterData } from "./labels";
import { ChartMessage, ChartPhaseBadge, PhaseSince } from "./chart-status";
import { orderedComponents } from "./system-components";

const ICON: Record<string, LucideIcon> = {
  "helm-controller": Ship,
  calico: Network,
  cilium: Network,
  "openstack-cloud-controller-manager": Cloud,
  "openstack-cinder-csi": HardDrive,
  gatekeeper: ShieldCheck,
};

/** What the console runs inside the cluster (pod network, cloud integration, Gatekeeper), as last read. */
export function SystemComponentsCard({ cluster: c }: { cluster: ClusterData }) {
  const components = orderedComponents(c.status.components);
  return (
    <Card>
      <CardHeader
        title="System components"
        description="Installed and kept up to date by the console; each one's state as the cluster reports it."
      />
      {components === null || components.length === 0 ? (
        <p className="px-5 py-4 text-sm text-muted">
          Not read from the cluster yet: they appear once its Kubernetes API answers.
        </p>
      ) : (
        <ul className="divide-y divide-border" aria-label="System components">
          {components.map(([key, s]) => {
            const Icon = ICON[key] ?? Cog;
            return (
              <li key={key} className="flex items-start gap-4 px-5 py-4" data-testid={`component-${key}`}>
                <Icon className="mt-0.5 size-5 shrink-0 text-muted" aria-hidden />
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                    <span className="font-medium text-fg">{s.title || key}</span>
                    {s.version && <span className="text-sm text-muted">{s.version}</span>}
                    <ChartPhaseBadge phase={s.phase} />
                    <PhaseSince phase={s.phase} since={s.since} />
                  </div>
                  {s.message && <ChartMessage phase={s.phase} message={s.message} overdue={s.overdue} />}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
