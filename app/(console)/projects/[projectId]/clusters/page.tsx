import type { Metadata } from "next";
import { ClustersEmpty } from "@/components/clusters/clusters-empty";
import { PageHeader } from "@/components/layout/app-shell";

export const metadata: Metadata = { title: "Clusters" };

export default async function ClustersPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return (
    <>
      <PageHeader title="Clusters" description="Kubernetes clusters running in this project's cloud." />
      <ClustersEmpty projectId={projectId} />
    </>
  );
}
