"use client";

import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useTRPC } from "@/components/trpc/client";
import { Spinner } from "@/components/ui/spinner";

// The wizard keeps its draft in localStorage: render it in the browser only.
const ClusterWizard = dynamic(() => import("./cluster-wizard").then((m) => m.ClusterWizard), {
  ssr: false,
  loading: () => (
    <div className="flex items-center gap-2 py-16 text-sm text-muted">
      <Spinner className="size-4" /> Loading…
    </div>
  ),
});

/** `?from=<clusterId>` opens the wizard prefilled from that cluster (clone). */
export function WizardLoader({ projectId, fromClusterId }: { projectId: string; fromClusterId?: string }) {
  const trpc = useTRPC();
  const source = useQuery({
    ...trpc.cluster.get.queryOptions({ projectId, clusterId: fromClusterId ?? "" }),
    enabled: Boolean(fromClusterId),
  });
  if (fromClusterId && source.isPending) return <Spinner className="size-4" />;
  return <ClusterWizard projectId={projectId} initialSpec={source.data?.spec} />;
}
