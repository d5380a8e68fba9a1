"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { FormDialog, DialogActions } from "@/components/ui/dialog";
import { Field, Textarea } from "@/components/ui/field";
import { toast } from "@/components/ui/toast-store";
import type { ClusterData } from "./labels";
import { useClusterSaved } from "./use-cluster-saved";

const parse = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * Edits who may reach a public API: the Octavia listener's allowed source
 * CIDRs, changed in place (the address and open connections stay).
 */
export function ApiAllowlistButton({ projectId, cluster: c }: { projectId: string; cluster: ClusterData }) {
  const trpc = useTRPC();
  const saved = useClusterSaved(projectId, c.id);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const update = useMutation(trpc.cluster.update.mutationOptions({ meta: { inlineErrors: true } }));
  const fieldErrors = fieldErrorsOf(update.error);
  const errors = Object.entries(fieldErrors)
    .filter(([k]) => k.startsWith("spec.apiAccess") || k.startsWith("apiAccess"))
    .flatMap(([k, msgs]) => {
      const i = /allowedCidrs\.(\d+)$/.exec(k)?.[1];
      const entry = i !== undefined ? parse(text)[Number(i)] : undefined;
      // Name the entry, unless the message already does.
      return msgs.map((m) => (entry && !m.includes(entry) ? `${entry}: ${m}` : m));
    });
  const other = update.error && errors.length === 0 ? update.error.message : null;
  const busy = c.deletionRequestedAt !== null || c.phase === "Stopped" || c.phase === "Stopping";
  return (
    <>
      <Button
        size="sm"
        variant="ghost"
        className="-my-1 ml-2 h-7 px-2"
        disabled={busy}
        title={
          busy
            ? `The allowlist can be changed while the cluster runs (it is ${c.phase.toLowerCase()})`
            : undefined
        }
        onClick={() => {
          setText(c.spec.apiAccess.allowedCidrs.join("\n"));
          update.reset();
          setOpen(true);
        }}
      >
        Edit<span className="sr-only"> who may reach the API</span>
      </Button>
      <FormDialog
        open={open}
        onOpenChange={setOpen}
        onClose={() => update.reset()}
        title={`Who may reach the API of ${c.name}`}
        description="Source addresses allowed to reach the Kubernetes API on port 6443, as CIDRs (one per line). Empty: from anywhere. The load balancer's listener is changed in place; its address stays."
        onSubmit={() =>
          update.mutate(
            {
              projectId,
              clusterId: c.id,
              generation: c.generation,
              spec: { ...c.spec, apiAccess: { public: true, allowedCidrs: parse(text) } },
            },
            {
              onSuccess: () => {
                setOpen(false);
                saved();
                toast({
                  variant: "success",
                  title: "API allowlist saved",
                  description: "Applying it to the load balancer.",
                });
              },
            },
          )
        }
      >
        <Field
          label="Allowed source CIDRs"
          hint="With a list, the console itself can no longer ask the API about nodes: they show as unverified."
          errors={errors}
        >
          {(aria) => (
            <Textarea
              {...aria}
              rows={5}
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder={"203.0.113.0/24\n198.51.100.7/32"}
              spellCheck={false}
            />
          )}
        </Field>
        {other && (
          <p role="alert" className="text-sm font-medium text-danger">
            {other}
          </p>
        )}
        <DialogActions onCancel={() => setOpen(false)}>
          <Button type="submit" loading={update.isPending}>
            Save allowlist
          </Button>
        </DialogActions>
      </FormDialog>
    </>
  );
}
