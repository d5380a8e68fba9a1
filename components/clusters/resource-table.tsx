"use client";

import { Badge } from "@/components/ui/badge";
import { operatingTone, provisioningTone } from "./made-by-cluster";

/** The classes of the cluster page's load balancer and volume tables (Overview cards). */
export const RT = {
  caption: "px-5 pt-4 pb-2 text-left text-sm font-medium text-fg",
  head: "border-b border-border",
  th: "px-3 py-2 first:pl-5 last:pr-5 align-bottom",
  td: "px-3 py-2.5 align-top first:pl-5 last:pr-5",
  /** Resource names (kube_service_<uuid>_…, pvc-<uuid>, c1-etcd-0): small, muted, broken anywhere. */
  resourceName: "mt-0.5 font-mono text-[11px] text-muted [overflow-wrap:anywhere]",
};

/** A load balancer's provisioning and operating status, as two badges. */
export function LbStatus({ provisioning, operating }: { provisioning: string; operating: string }) {
  return (
    <div className="flex flex-wrap gap-1.5">
      <Badge tone={provisioningTone(provisioning)}>
        <span className="sr-only">Provisioning: </span>
        {provisioning}
      </Badge>
      <Badge tone={operatingTone(operating)}>
        <span className="sr-only">Operating: </span>
        {operating}
      </Badge>
    </div>
  );
}
