import type { Metadata } from "next";
import { Suspense } from "react";
import { ClusterDashboards } from "@/components/dashboards/cluster-dashboard";
import { PageHeader } from "@/components/layout/app-shell";

export const metadata: Metadata = { title: "Dashboards" };

export default async function DashboardsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return (
    <>
      <PageHeader
        title="Dashboards"
        description="Node lifecycle, node groups, load balancers and policy violations over time."
      />
      <Suspense>
        <ClusterDashboards projectId={projectId} />
      </Suspense>
    </>
  );
}
