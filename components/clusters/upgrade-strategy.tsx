"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { DialogActions, FormDialog } from "@/components/ui/dialog";
import { InputField } from "@/components/ui/field";
import { toast } from "@/components/ui/toast-store";
import type { ClusterData } from "./labels";
import { useClusterSaved } from "./use-cluster-saved";

type Group = ClusterData["spec"]["nodeGroups"][number];

/** How a group's nodes move to a new version, in words. */
export function strategyText(u: Group["upgrade"]): string {
  return u.mode === "in-place"
    ? `in place, ${u.maxUnavailable} node${u.maxUnavailable === 1 ? "" : "s"} at a time (same servers, rebuilt)`
    : `rolling: up to ${u.maxSurge} new node${u.maxSurge === 1 ? "" : "s"} first, at most ${u.maxUnavailable} unavailable`;
}

/**
 * A node group's upgrade strategy — rolling (surge, drain, delete) or in
 * place (drain, rebuild) — with maxSurge and maxUnavailable; saved as a
 * change of the cluster's spec, checked by the server.
 */
export function UpgradeStrategyButton({
  projectId,
  cluster: c,
  group,
}: {
  projectId: string;
  cluster: ClusterData;
  group: Group;
}) {
  const trpc = useTRPC();
  const saved = useClusterSaved(projectId, c.id);
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState(group.upgrade.mode);
  const [surge, setSurge] = useState(String(group.upgrade.maxSurge));
  const [unavailable, setUnavailable] = useState(String(group.upgrade.maxUnavailable));
  const update = useMutation(trpc.cluster.update.mutationOptions({ meta: { inlineErrors: true } }));
  const index = c.spec.nodeGroups.findIndex((g) => g.name === group.name);
  const fe = fieldErrorsOf(update.error);
  const at = (f: string) =>
    fe[`spec.nodeGroups.${index}.upgrade.${f}`] ?? fe[`nodeGroups.${index}.upgrade.${f}`];
  const other =
    update.error && !at("maxSurge") && !at("maxUnavailable") && !at("mode") ? update.error.message : null;
  const busy = c.deletionRequestedAt !== null || c.phase === "Upgrading";
  return (
    <>
      <Button
        size="sm"
        variant="ghost"
        className="-my-1 h-7 px-2"
        disabled={busy}
        title={busy ? `Not while the cluster is ${c.phase.toLowerCase()}` : undefined}
        onClick={() => {
          setMode(group.upgrade.mode);
          setSurge(String(group.upgrade.maxSurge));
          setUnavailable(String(group.upgrade.maxUnavailable));
          update.reset();
          setOpen(true);
        }}
      >
        Edit<span className="sr-only"> the upgrade strategy of {group.name}</span>
      </Button>
      <FormDialog
        open={open}
        onOpenChange={setOpen}
        onClose={() => update.reset()}
        title={`How ${group.name} is upgraded`}
        description="Applies to the next upgrade of the cluster's Kubernetes version."
        onSubmit={() =>
          update.mutate(
            {
              projectId,
              clusterId: c.id,
              generation: c.generation,
              spec: {
                ...c.spec,
                nodeGroups: c.spec.nodeGroups.map((g) =>
                  g.name === group.name
                    ? {
                        ...g,
                        upgrade: { mode, maxSurge: Number(surge), maxUnavailable: Number(unavailable) },
                      }
                    : g,
                ),
              },
            },
            {
              onSuccess: () => {
                setOpen(false);
                saved();
                toast({ variant: "success", title: `${group.name}: upgrade strategy saved` });
              },
            },
          )
        }
      >
        <fieldset className="space-y-2">
          <legend className="mb-1 text-sm font-medium text-fg">Strategy</legend>
          {(
            [
              [
                "rolling",
                "Rolling",
                "New nodes join first (surge), then old ones are drained and deleted. Needs quota for the surge.",
              ],
              [
                "in-place",
                "In place",
                "Each node is drained and its server rebuilt with the new image: same server, addresses and volumes; no extra quota.",
              ],
            ] as const
          ).map(([value, label, hint]) => (
            <label key={value} className="flex items-start gap-2 text-sm">
              <input
                type="radio"
                name={`strategy-${group.name}`}
                value={value}
                checked={mode === value}
                onChange={() => setMode(value)}
                className="mt-1 accent-primary"
              />
              <span>
                <span className="font-medium text-fg">{label}</span>
                <span className="block text-xs text-muted">{hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="mt-4 grid grid-cols-2 gap-4">
          {mode === "rolling" && (
            <InputField
              label="maxSurge"
              hint="New nodes at a time"
              type="number"
              min={0}
              max={10}
              value={surge}
              onChange={(e) => setSurge(e.target.value)}
              errors={at("maxSurge")}
            />
          )}
          <InputField
            label="maxUnavailable"
            hint="Nodes that may be down at once"
            type="number"
            min={0}
            max={10}
            value={unavailable}
            onChange={(e) => setUnavailable(e.target.value)}
            errors={at("maxUnavailable") ?? at("mode")}
          />
        </div>
        {other && (
          <p role="alert" className="mt-3 text-sm font-medium text-danger">
            {other}
          </p>
        )}
        <div className="mt-4">
          <DialogActions onCancel={() => setOpen(false)}>
            <Button type="submit" loading={update.isPending}>
              Save strategy
            </Button>
          </DialogActions>
        </div>
      </FormDialog>
    </>
  );
}
