"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Copy, RotateCcw, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { DialogActions, FormDialog } from "@/components/ui/dialog";
import { InputField } from "@/components/ui/field";
import { toast } from "@/components/ui/toast-store";
import { type ClusterData } from "./labels";
import { KubeconfigButton, PowerButton, UpgradeButton } from "./lifecycle-actions";

export function ClusterActions({ projectId, cluster: c }: { projectId: string; cluster: ClusterData }) {
  const trpc = useTRPC();
  const router = useRouter();
  const qc = useQueryClient();
  const [deleting, setDeleting] = useState(false);
  const [confirm, setConfirm] = useState("");
  const del = useMutation(trpc.cluster.delete.mutationOptions({ meta: { inlineErrors: true } }));
  const retry = useMutation(trpc.cluster.retry.mutationOptions());
  if (c.phase === "Deleting") return null;
  return (
    <div className="flex shrink-0 items-center gap-2">
      <KubeconfigButton projectId={projectId} cluster={c} />
      <PowerButton projectId={projectId} cluster={c} />
      <UpgradeButton projectId={projectId} cluster={c} />
      {(c.phase === "Error" || c.status.lastError?.terminal) && (
        <Button
          variant="secondary"
          size="sm"
          loading={retry.isPending}
          onClick={() =>
            retry.mutate(
              { projectId, clusterId: c.id },
              {
                onSuccess: () =>
                  void qc.invalidateQueries({
                    queryKey: trpc.cluster.get.queryKey({ projectId, clusterId: c.id }),
                  }),
              },
            )
          }
        >
          <RotateCcw className="size-4" aria-hidden /> Retry
        </Button>
      )}
      <Button variant="secondary" size="sm" asChild>
        <Link href={`/projects/${projectId}/clusters/new?from=${c.id}`}>
          <Copy className="size-4" aria-hidden /> Clone
        </Link>
      </Button>
      <Button variant="secondary" size="sm" className="text-danger" onClick={() => setDeleting(true)}>
        <Trash2 className="size-4" aria-hidden /> Delete
      </Button>
      <FormDialog
        open={deleting}
        onOpenChange={(o) => {
          setDeleting(o);
          if (!o) {
            setConfirm("");
            del.reset();
          }
        }}
        title={`Delete cluster ${c.name}?`}
        description="All its servers, volumes (including etcd data), the load balancer and the network are deleted. This cannot be undone."
        onSubmit={() => {
          del.mutate(
            { projectId, clusterId: c.id, confirmName: confirm },
            {
              onSuccess: () => {
                toast({
                  variant: "success",
                  title: `Deleting ${c.name}`,
                  description:
                    "Resources are removed in reverse order; the cluster disappears when nothing is left.",
                });
                setDeleting(false);
                router.push(`/projects/${projectId}/clusters`);
              },
            },
          );
        }}
      >
        <InputField
          label={`Type ${c.name} to confirm`}
          errors={fieldErrorsOf(del.error).confirmName}
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          autoComplete="off"
        />
        <DialogActions onCancel={() => setDeleting(false)}>
          <Button type="submit" variant="danger" loading={del.isPending} disabled={confirm !== c.name}>
            Delete cluster
          </Button>
        </DialogActions>
      </FormDialog>
    </div>
  );
}
