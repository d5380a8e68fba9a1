import type { Metadata } from "next";
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
  return (
    <>
      <PageHeader
        title={from ? "Clone cluster" : "Create cluster"}
        description="A few choices; sensible defaults for everything else."
      />
      <WizardLoader projectId={projectId} fromClusterId={from} />
    </>
  );
}
