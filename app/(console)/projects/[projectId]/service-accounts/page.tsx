import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/app-shell";
import { ServiceAccounts } from "@/components/tokens/service-accounts";

export const metadata: Metadata = { title: "Service accounts" };

export default async function ServiceAccountsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return (
    <>
      <PageHeader
        title="Service accounts"
        description="Members of this project that are not people: pipelines and tools act as them with their own tokens and role."
      />
      <ServiceAccounts projectId={projectId} />
    </>
  );
}
