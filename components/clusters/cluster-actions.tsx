"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Copy, RotateCcw, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { DialogActions, FormDialog } from "@/components/ui/dialog";
import { InputField } from "@/components/ui/field";
import { toast } from "@/components/ui/toast-store";
import { type ClusterData } from "./labels";
import { KubeconfigButton, PowerButton, UpgradeButton } from "./lifecycle-actions";
import { deleteImpact } from "./made-by-cluster";

export function ClusterActions({ projectId, cluster: c }: { projectId: string; cluster: ClusterData }) {
  const trpc = useTRPC();
  const router = useRouter();
  const qc = useQueryClient();
  const [deleting, setDeleting] = useState(false);
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
      <DeleteClusterDialog
        projectId={projectId}
        cluster={c}
        open={deleting}
        onOpenChange={setDeleting}
        onDeleted={() => router.push(`/projects/${projectId}/clusters`)}
      />
    </div>
  );
}

/** Delete a cluster: type its name; what the cluster made for itself is named, and its claims' volumes may be kept. */
export function DeleteClusterDialog({
  projectId,
  cluster: c,
  open,
  onOpenChange,
  onDeleted,
}: {
  projectId: string;
  cluster: ClusterData;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onDeleted?: () => void;
}) {
  const trpc = useTRPC();
  const [confirm, setConfirm] = useState("");
  const [keepVolumes, setKeepVolumes] = useState(false);
  const keepHintId = useId();
  const del = useMutation(trpc.cluster.delete.mutationOptions({ meta: { inlineErrors: true } }));
  const impact = deleteImpact(c.status.madeByCluster);
  return (
    <FormDialog
      open={open}
      onOpenChange={(o) => {
        onOpenChange(o);
        if (!o) {
          setConfirm("");
          setKeepVolumes(false);
          del.reset();
        }
      }}
      title={`Delete cluster ${c.name}?`}
      description="All its servers and their volumes (including etcd data), its API load balancer and its network are deleted. This cannot be undone."
      onSubmit={() => {
        del.mutate(
          // No volumes, no choice: nothing to keep.
          {
            projectId,
            clusterId: c.id,
            confirmName: confirm,
            keepVolumes: impact.volumes > 0 && keepVolumes,
          },
          {
            onSuccess: () => {
              toast({
                variant: "success",
                title: `Deleting ${c.name}`,
                description:
                  "Resources are removed in reverse order; the cluster disappears when nothing is left.",
              });
              onOpenChange(false);
              onDeleted?.();
            },
          },
        );
      }}
    >
      {(impact.loadBalancers || impact.claimVolumes) && (
        <div className="rounded-md bg-surface-2 px-3 py-2.5 text-sm" data-testid="delete-made-by-cluster">
          <div className="font-medium text-fg">Made by the cluster for its Services and claims</div>
          <ul className="mt-1 list-disc space-y-0.5 pl-5 text-muted">
            {impact.loadBalancers && <li>Deleted: {impact.loadBalancers}</li>}
            {impact.claimVolumes && (
              <li>
                {keepVolumes ? "Kept in the project" : "Deleted"}: {impact.claimVolumes}
              </li>
            )}
          </ul>
        </div>
      )}
      {impact.keepLabel && (
        <div>
          <label className="flex items-start gap-2 text-sm font-medium text-fg">
            <input
              type="checkbox"
              className="mt-0.5 size-4 shrink-0 accent-[var(--color-primary)]"
              checked={keepVolumes}
              onChange={(e) => setKeepVolumes(e.target.checked)}
              aria-describedby={keepHintId}
            />
            {impact.keepLabel}
          </label>
          <p id={keepHintId} className="mt-1 pl-6 text-xs text-muted">
            Kept volumes stay in the project with their data and are still billed. They keep the metadata{" "}
            <code className="font-mono [overflow-wrap:anywhere]">
              cinder.csi.openstack.org/cluster={c.id}
            </code>
            . Delete them yourself when you no longer need them.
          </p>
        </div>
      )}
      <InputField
        label={`Type ${c.name} to confirm`}
        errors={fieldErrorsOf(del.error).confirmName}
        value={confirm}
        onChange={(e) => setConfirm(e.target.value)}
        autoComplete="off"
      />
      <DialogActions onCancel={() => onOpenChange(false)}>
        <Button type="submit" variant="danger" loading={del.isPending} disabled={confirm !== c.name}>
          Delete cluster
        </Button>
      </DialogActions>
    </FormDialog>
  );
}
