"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/client";

/** After a change to a cluster: refetch it (the page then shows the new intent and, live, its progress). */
export function useClusterSaved(projectId: string, clusterId: string) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return () => void qc.invalidateQueries({ queryKey: trpc.cluster.get.queryKey({ projectId, clusterId }) });
}
