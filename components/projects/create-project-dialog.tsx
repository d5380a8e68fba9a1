"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { DialogActions, FormDialog } from "@/components/ui/dialog";
import { InputField } from "@/components/ui/field";
import { toast } from "@/components/ui/toast-store";

export function CreateProjectDialog({
  open,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (id: string) => void;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const create = useMutation(trpc.project.create.mutationOptions({ meta: { inlineErrors: true } }));

  function onSubmit() {
    create.mutate(
      { name },
      {
        onSuccess: async (p) => {
          await qc.invalidateQueries({ queryKey: trpc.project.list.queryKey() });
          toast({ variant: "success", title: `Project “${p.name}” created` });
          setName("");
          create.reset();
          onOpenChange(false);
          onCreated(p.id);
        },
      },
    );
  }

  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      onClose={() => create.reset()}
      title="Create project"
      description="Projects separate clusters, cloud credentials, members and the audit log. You will be its owner."
      onSubmit={onSubmit}
      formClassName="space-y-5"
    >
      <InputField
        label="Project name"
        errors={fieldErrorsOf(create.error).name}
        autoFocus
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder="e.g. Payments staging"
      />
      <DialogActions onCancel={() => onOpenChange(false)}>
        <Button type="submit" loading={create.isPending}>
          Create project
        </Button>
      </DialogActions>
    </FormDialog>
  );
}
