"use client";

import { MoreHorizontal } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { DropdownContent, DropdownItem, DropdownRoot, DropdownTrigger } from "@/components/ui/dropdown";
import { DeleteClusterDialog } from "./cluster-actions";
import type { ClusterData } from "./labels";
import { PowerButton, powerTransition, UpgradeButton } from "./lifecycle-actions";

/**
 * A clusters list row's menu: stop or start, upgrade and delete, each opening
 * the same confirmation as on the cluster page, without leaving the list.
 */
export function ClusterRowMenu({ projectId, cluster: c }: { projectId: string; cluster: ClusterData }) {
  const [dialog, setDialog] = useState<"power" | "upgrade" | "delete" | null>(null);
  if (c.phase === "Deleting" || c.deletionRequestedAt) return null;
  const control = (which: typeof dialog) => ({
    open: dialog === which,
    onOpenChange: (o: boolean) => setDialog(o ? which : null),
  });
  const { stopping, allowed: powerAllowed } = powerTransition(c);
  return (
    <>
      <DropdownRoot>
        <DropdownTrigger asChild>
          <Button variant="ghost" size="icon" className="size-7" aria-label={`Actions for ${c.name}`}>
            <MoreHorizontal className="size-4" aria-hidden />
          </Button>
        </DropdownTrigger>
        <DropdownContent align="end" className="min-w-40">
          {powerAllowed && (
            <DropdownItem onSelect={() => setDialog("power")}>{stopping ? "Stop…" : "Start…"}</DropdownItem>
          )}
          {c.phase === "Running" && (
            <DropdownItem onSelect={() => setDialog("upgrade")}>Upgrade…</DropdownItem>
          )}
          <DropdownItem onSelect={() => setDialog("delete")} className="text-danger">
            Delete…
          </DropdownItem>
        </DropdownContent>
      </DropdownRoot>
      {dialog === "power" && <PowerButton projectId={projectId} cluster={c} control={control("power")} />}
      {dialog === "upgrade" && (
        <UpgradeButton projectId={projectId} cluster={c} control={control("upgrade")} />
      )}
      {/* Mounted only when asked for: a list of 1,000 rows must not hold 1,000 dialogs and mutations. */}
      {dialog === "delete" && (
        <DeleteClusterDialog projectId={projectId} cluster={c} {...control("delete")} />
      )}
    </>
  );
}
