import { BarChart3 } from "lucide-react";
import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/app-shell";
import { EmptyState } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Dashboards" };

export default function DashboardsPage() {
  return (
    <>
      <PageHeader
        title="Dashboards"
        description="Node lifecycle, autoscaler decisions and load-balancer health."
      />
      <EmptyState
        icon={<BarChart3 className="size-6" aria-hidden />}
        title="Nothing to chart yet"
        description="Dashboards fill in as soon as a cluster in this project is running: node states, scaling events and load-balancer members over time."
      />
    </>
  );
}
