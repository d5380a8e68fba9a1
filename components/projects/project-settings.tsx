"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { InputField } from "@/components/ui/field";
import { LoadError } from "@/components/ui/load-state";
import { Spinner } from "@/components/ui/spinner";
import { toast } from "@/components/ui/toast-store";
import { roleAtLeast } from "@/server/contracts/roles";
import { CloudBindingCard } from "./cloud-binding-card";
import { MembersCard } from "./members-card";

export function ProjectSettings({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const project = useQuery(trpc.project.get.queryOptions({ projectId }));
  const me = useQuery(trpc.auth.me.queryOptions());
  const failed = project.error ?? me.error;
  if (failed) return <LoadError>The settings could not be loaded: {failed.message}</LoadError>;
  if (!project.data || !me.data) return <SettingsSkeleton />;
  const role = project.data.role;
  return (
    <div className="space-y-6">
      <GeneralCard
        projectId={projectId}
        name={project.data.name}
        canEdit={roleAtLeast(role, "admin")}
        personal={project.data.personal}
      />
      <MembersCard projectId={projectId} role={role} myUserId={me.data.id} />
      <CloudBindingCard projectId={projectId} canEdit={roleAtLeast(role, "admin")} />
    </div>
  );
}

function GeneralCard({
  projectId,
  name,
  canEdit,
  personal,
}: {
  projectId: string;
  name: string;
  canEdit: boolean;
  personal: boolean;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const [value, setValue] = useState(name);
  const rename = useMutation(trpc.project.rename.mutationOptions({ meta: { inlineErrors: true } }));
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    rename.mutate(
      { projectId, name: value },
      {
        onSuccess: async () => {
          await qc.invalidateQueries({ queryKey: trpc.project.pathKey() });
          toast({ variant: "success", title: "Project renamed" });
          router.refresh();
        },
      },
    );
  }
  return (
    <Card>
      <CardHeader
        title="General"
        description={
          personal ? "Your personal project, created with your account." : "Basic project details."
        }
      />
      <form onSubmit={onSubmit} className="flex items-end gap-3 px-5 py-4" noValidate>
        <InputField
          label="Project name"
          errors={fieldErrorsOf(rename.error).name}
          fieldClassName="max-w-sm flex-1"
          value={value}
          disabled={!canEdit}
          onChange={(e) => setValue(e.target.value)}
        />
        {canEdit && (
          <Button
            type="submit"
            variant="secondary"
            loading={rename.isPending}
            disabled={value.trim() === name}
          >
            Save
          </Button>
        )}
        <div className="ml-auto text-right text-xs text-muted">
          Project ID
          <code className="mt-1 block font-mono text-[11px] text-fg">{projectId}</code>
        </div>
      </form>
    </Card>
  );
}

/** The cards' outlines while the project loads, so the page never stands blank. */
function SettingsSkeleton() {
  return (
    <div className="space-y-6" aria-busy="true">
      <p role="status" className="flex items-center gap-2 text-sm text-muted">
        <Spinner className="size-4" /> Loading settings…
      </p>
      {["General", "Members", "Cloud"].map((title, i) => (
        <Card key={title} aria-hidden>
          <CardHeader title={title} />
          <div className="space-y-3 px-5 py-4">
            <div className="h-4 w-1/3 animate-pulse rounded bg-surface-2" />
            <div className="h-9 w-full max-w-sm animate-pulse rounded-md bg-surface-2" />
            {i > 0 && <div className="h-4 w-2/3 animate-pulse rounded bg-surface-2" />}
          </div>
        </Card>
      ))}
    </div>
  );
}
