import type { Metadata } from "next";
import { CatalogProvider } from "@/components/catalog/catalog-provider";
import { loadCatalog } from "@/components/catalog/load-catalog";
import { ClusterPage } from "@/components/clusters/cluster-page";

export const metadata: Metadata = { title: "Cluster" };

export default async function ClusterRoute({
  params,
}: {
  params: Promise<{ projectId: string; clusterId: string }>;
}) {
  const { projectId, clusterId } = await params;
  return (
    <CatalogProvider projectId={projectId} initial={await loadCatalog(projectId)}>
      <ClusterPage projectId={projectId} clusterId={clusterId} />
    </CatalogProvider>
  );
}
