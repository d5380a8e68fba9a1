"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { FormDialog } from "@/components/ui/dialog";
import { toast } from "@/components/ui/toast-store";
import type { ClusterData } from "./labels";
import { useClusterSaved } from "./use-cluster-saved";

const NOUN: Record<string, string> = {
  update: "change",
  scale: "scaling",
  stop: "stop",
  start: "start",
};

/**
 * Cancels the cluster's running or failed operation, after saying what that
 * does (the server's own words: a stop is undone by starting again, a change
 * by going back to the configuration before it).
 */
export function CancelOperationButton({
  projectId,
  cluster: c,
}: {
  projectId: string;
  cluster: ClusterData;
}) {
  const trpc = useTRPC();
  const saved = useClusterSaved(projectId, c.id);
  const [open, setOpen] = useState(false);
  const cancel = useMutation(trpc.cluster.cancelOperation.mutationOptions({ meta: { inlineErrors: true } }));
  const p = c.progress;
  if (!p || !p.cancel.possible || c.deletionRequestedAt) return null;
  const noun = NOUN[p.operation] ?? p.operation;
  const means = p.cancel.means;
  return (
    <>
      <Button
        size="sm"
        variant="secondary"
        onClick={() => {
          cancel.reset();
          setOpen(true);
        }}
      >
        Cancel {noun}
      </Button>
      <FormDialog
        open={open}
        onOpenChange={setOpen}
        onClose={() => cancel.reset()}
        title={`Cancel the ${noun} of ${c.name}?`}
        description={means}
        onSubmit={() =>
          cancel.mutate(
            { projectId, clusterId: c.id, operationId: p.operationId },
            {
              onSuccess: () => {
                setOpen(false);
                saved();
                toast({ variant: "success", title: `The ${noun} was cancelled`, description: means });
              },
            },
          )
        }
      >
        {cancel.error && (
          <p role="alert" className="text-sm font-medium text-danger">
            {cancel.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
            Keep the {noun}
          </Button>
          <Button type="submit" variant="danger" loading={cancel.isPending}>
            Cancel the {noun}
          </Button>
        </div>
      </FormDialog>
    </>
  );
}
