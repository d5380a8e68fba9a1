"use client";

import { useMutation } from "@tanstack/react-query";
import { MoreHorizontal } from "lucide-react";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { FormDialog } from "@/components/ui/dialog";
import { DropdownContent, DropdownItem, DropdownRoot, DropdownTrigger } from "@/components/ui/dropdown";
import { toast } from "@/components/ui/toast-store";
import { NODE_ACTION_MEANS, type NodeAction } from "@/server/contracts/node-actions";
import type { ClusterData } from "./labels";
import { useClusterSaved } from "./use-cluster-saved";

type Node = ClusterData["status"]["nodes"][number];

const LABEL: Record<NodeAction, string> = {
  cordon: "Cordon",
  uncordon: "Uncordon",
  drain: "Drain",
  replace: "Replace",
};

/** Why the console cannot act on this cluster's nodes now (null: it can). */
export function nodeActionsBlocked(c: ClusterData): string | null {
  if (c.deletionRequestedAt) return "The cluster is being deleted";
  if (!["Running", "Updating", "Error"].includes(c.phase)) return `The cluster is ${c.phase.toLowerCase()}`;
  if (!c.spec.apiAccess.public || c.spec.apiAccess.allowedCidrs.length > 0)
    return "The console reaches this cluster's API only at a public address without an allowlist: use kubectl";
  return null;
}

/** A node's menu on the Node groups tab: cordon/uncordon, drain, replace, each confirmed and audited. */
export function NodeActionsMenu({
  projectId,
  cluster: c,
  node,
}: {
  projectId: string;
  cluster: ClusterData;
  node: Node;
}) {
  const trpc = useTRPC();
  const saved = useClusterSaved(projectId, c.id);
  const [asked, setAsked] = useState<NodeAction | null>(null);
  const act = useMutation(trpc.nodeGroup.nodeAction.mutationOptions({ meta: { inlineErrors: true } }));
  const blocked = nodeActionsBlocked(c);
  const progress = c.status.nodeActions?.[node.name];
  const running = progress?.state === "running";
  const cordoned = node.state === "Cordoned" || node.state === "Draining";
  const actions: NodeAction[] =
    node.role === "master"
      ? [cordoned ? "uncordon" : "cordon"]
      : [cordoned ? "uncordon" : "cordon", "drain", "replace"];
  return (
    <>
      <DropdownRoot>
        <DropdownTrigger asChild>
          <Button
            variant="ghost"
            size="icon"
            className="size-7"
            disabled={blocked !== null}
            title={blocked ?? undefined}
            aria-label={`Actions for ${node.name}`}
          >
            <MoreHorizontal className="size-4" aria-hidden />
          </Button>
        </DropdownTrigger>
        <DropdownContent align="end" className="min-w-40">
          {actions.map((a) => (
            <DropdownItem
              key={a}
              onSelect={() => {
                act.reset();
                setAsked(a);
              }}
              className={a === "replace" ? "text-danger" : undefined}
            >
              {LABEL[a]}…
            </DropdownItem>
          ))}
        </DropdownContent>
      </DropdownRoot>
      {running && (
        <span className="sr-only">
          {progress.action} in progress{progress.message ? `: ${progress.message}` : ""}
        </span>
      )}
      <FormDialog
        open={asked !== null}
        onOpenChange={(open) => !open && setAsked(null)}
        onClose={() => act.reset()}
        title={asked ? `${LABEL[asked]} ${node.name}?` : ""}
        description={asked ? NODE_ACTION_MEANS[asked] : undefined}
        onSubmit={() => {
          if (!asked) return;
          act.mutate(
            { projectId, clusterId: c.id, node: node.name, action: asked },
            {
              onSuccess: () => {
                toast({
                  variant: "success",
                  title: `${LABEL[asked]} ${node.name}: asked`,
                  description: "The console carries it out now; the node's row shows how it goes.",
                });
                setAsked(null);
                saved();
              },
            },
          );
        }}
      >
        {running && progress.action !== asked && (
          <p className="text-sm text-muted">
            This replaces the {progress.action} still in progress on {node.name}.
          </p>
        )}
        {act.error && (
          <p role="alert" className="text-sm font-medium text-danger">
            {act.error.message}
          </p>
        )}
        <div className="mt-4 flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={() => setAsked(null)}>
            Keep it as it is
          </Button>
          <Button
            type="submit"
            variant={asked === "replace" || asked === "drain" ? "danger" : "primary"}
            loading={act.isPending}
          >
            {asked ? LABEL[asked] : ""} {node.name}
          </Button>
        </div>
      </FormDialog>
    </>
  );
}

/** The node's action in progress (or just failed), for its row. */
export function NodeActionNote({ cluster: c, node }: { cluster: ClusterData; node: string }) {
  const p = c.status.nodeActions?.[node];
  if (!p || p.state === "done") return null;
  return (
    <div className={p.state === "failed" ? "mt-1 text-xs text-danger" : "mt-1 text-xs text-muted"}>
      {p.state === "failed"
        ? `${LABEL[p.action]} failed: ${p.message ?? ""}`
        : `${LABEL[p.action]} in progress${p.message ? `: ${p.message}` : "…"}`}
    </div>
  );
}
