"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Loader2, MoreHorizontal } from "lucide-react";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { toast } from "@/components/ui/toast-store";
import { Button } from "@/components/ui/button";
import { DropdownContent, DropdownItem, DropdownRoot, DropdownTrigger } from "@/components/ui/dropdown";
import { DeleteClusterDialog } from "./cluster-actions";
import type { ClusterSummaryData } from "./labels";
import { PowerButton, powerTransition, UpgradeButton } from "./lifecycle-actions";

type Which = "power" | "upgrade" | "delete";

/**
 * A clusters list row's menu: stop or start, upgrade and delete, each opening
 * the same confirmation as on the cluster page, without leaving the list. The
 * row holds a summary; the chosen dialog reads the whole cluster first (what
 * stopping saves, the versions, what the cluster made), so it confirms
 * against the cluster as it is now.
 */
export function ClusterRowMenu({
  projectId,
  cluster: c,
}: {
  projectId: string;
  cluster: ClusterSummaryData;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<Which | null>(null);
  const [loading, setLoading] = useState(false);
  const options = trpc.cluster.get.queryOptions({ projectId, clusterId: c.id });
  // Kept fresh (live updates) while a dialog is open.
  const full = useQuery({ ...options, enabled: dialog !== null });
  /** Reads the whole cluster, then opens the dialog; a cluster that cannot be read (gone meanwhile) is said so. */
  const open = (which: Which) => {
    setLoading(true);
    qc.fetchQuery(options)
      .then(
        () => setDialog(which),
        (err: unknown) =>
          toast({
            variant: "error",
            title: `Could not open ${c.name}`,
            description: err instanceof Error ? err.message : String(err),
          }),
      )
      .finally(() => setLoading(false));
  };
  if (c.phase === "Deleting" || c.deletionRequestedAt) return null;
  const control = (which: Which) => ({
    open: dialog === which,
    onOpenChange: (o: boolean) => setDialog(o ? which : null),
  });
  const { stopping, allowed: powerAllowed } = powerTransition(c);
  const cluster = dialog !== null ? full.data : undefined;
  return (
    <>
      <DropdownRoot>
        <DropdownTrigger asChild>
          <Button
            variant="ghost"
            size="icon"
            className="size-7"
            aria-label={loading ? `Loading ${c.name}…` : `Actions for ${c.name}`}
            aria-busy={loading}
          >
            {loading ? (
              <Loader2 className="size-4 animate-spin" aria-hidden />
            ) : (
              <MoreHorizontal className="size-4" aria-hidden />
            )}
          </Button>
        </DropdownTrigger>
        <DropdownContent align="end" className="min-w-40">
          {powerAllowed && (
            <DropdownItem onSelect={() => open("power")}>{stopping ? "Stop…" : "Start…"}</DropdownItem>
          )}
          {c.phase === "Running" && <DropdownItem onSelect={() => open("upgrade")}>Upgrade…</DropdownItem>}
          <DropdownItem onSelect={() => open("delete")} className="text-danger">
            Delete…
          </DropdownItem>
        </DropdownContent>
      </DropdownRoot>
      {/* Mounted only when asked for: a list of 1,000 rows must not hold 1,000 dialogs and mutations. */}
      {cluster && dialog === "power" && (
        <PowerButton projectId={projectId} cluster={cluster} control={control("power")} />
      )}
      {cluster && dialog === "upgrade" && (
        <UpgradeButton projectId={projectId} cluster={cluster} control={control("upgrade")} />
      )}
      {cluster && dialog === "delete" && (
        <DeleteClusterDialog projectId={projectId} cluster={cluster} {...control("delete")} />
      )}
    </>
  );
}
