import type { Metadata } from "next";
import { ClustersList } from "@/components/clusters/clusters-list";
import { PageHeader } from "@/components/layout/app-shell";

export const metadata: Metadata = { title: "Clusters" };

export default async function ClustersPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return (
    <>
      <PageHeader title="Clusters" description="Kubernetes clusters running in this project's cloud." />
      <ClustersList projectId={projectId} />
    </>
  );
}
