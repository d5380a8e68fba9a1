import type { Metadata } from "next";
import { Suspense } from "react";
import { AuditLog } from "@/components/audit/audit-log";
import { PageHeader } from "@/components/layout/app-shell";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change in this project: who, what, when, from where, and whether it worked."
      />
      <Suspense>
        <AuditLog projectId={projectId} />
      </Suspense>
    </>
  );
}
