import type { Metadata } from "next";
import { ClusterPage } from "@/components/clusters/cluster-page";

export const metadata: Metadata = { title: "Cluster" };

export default async function ClusterRoute({
  params,
}: {
  params: Promise<{ projectId: string; clusterId: string }>;
}) {
  const { projectId, clusterId } = await params;
  return <ClusterPage projectId={projectId} clusterId={clusterId} />;
}
