import type { Metadata } from "next";
import { CatalogProvider } from "@/components/catalog/catalog-provider";
import { CloudCatalogGate } from "@/components/catalog/cloud-catalog-gate";
import { loadCatalog } from "@/components/catalog/load-catalog";
import { PageHeader } from "@/components/layout/app-shell";
import { WizardLoader } from "@/components/wizard/wizard-loader";

export const metadata: Metadata = { title: "Create cluster" };

export default async function NewClusterPage({
  params,
  searchParams,
}: {
  params: Promise<{ projectId: string }>;
  searchParams: Promise<{ from?: string }>;
}) {
  const { projectId } = await params;
  const { from } = await searchParams;
  const catalog = await loadCatalog(projectId);
  return (
    <>
      <PageHeader
        title={from ? "Clone cluster" : "Create cluster"}
        description="A few choices; sensible defaults for everything else."
      />
      <CatalogProvider projectId={projectId} initial={catalog}>
        <CloudCatalogGate>
          <WizardLoader projectId={projectId} fromClusterId={from} />
        </CloudCatalogGate>
      </CatalogProvider>
    </>
  );
}
