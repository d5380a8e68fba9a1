import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/app-shell";
import { ProjectSettings } from "@/components/projects/project-settings";

export const metadata: Metadata = { title: "Project settings" };

export default async function SettingsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return (
    <>
      <PageHeader
        title="Project settings"
        description="Name, members and roles, and the OpenStack cloud this project deploys to."
      />
      <ProjectSettings projectId={projectId} />
    </>
  );
}
