"use client";

import { useMutation } from "@tanstack/react-query";
import { Check } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { useCatalog } from "@/components/catalog/catalog-provider";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { ClusterSpec } from "@/server/contracts/cluster";
import { fieldErrorsFromIssues } from "@/server/contracts/field-errors";
import { AddonsPoliciesStep } from "./addons-step";
import { BasicsStep } from "./basics-step";
import { NetworkStep } from "./network-step";
import { NodeGroupsStep } from "./node-groups-step";
import type { Spec } from "./parts";
import { presetSpec, type Purpose } from "./presets";
import { PurposeStep } from "./purpose-step";
import { useQuotaBlocked } from "./quota-check";
import { ReviewStep } from "./review-step";

const STEPS = [
  { title: "Purpose", fields: [] as string[] },
  {
    title: "Basics",
    fields: ["name", "version", "topology", "masterCount", "masterZone", "masterFlavor", "etcd"],
  },
  { title: "Network", fields: ["network", "podCidr", "serviceCidr", "apiAccess"] },
  { title: "Node groups", fields: ["nodeGroups"] },
  { title: "Addons & policies", fields: ["addons", "policies"] },
  { title: "Review", fields: [] },
];

const draftKey = (projectId: string) => `kube-console:wizard-draft:${projectId}`;

interface Draft {
  purpose: Purpose;
  step: number;
  spec: Spec;
}

function loadDraft(projectId: string): Draft | null {
  try {
    const raw = window.localStorage.getItem(draftKey(projectId));
    return raw ? (JSON.parse(raw) as Draft) : null;
  } catch {
    return null;
  }
}

/** The creation wizard. Validation is the server's own schema; the draft survives a reload. */
export function ClusterWizard({ projectId, initialSpec }: { projectId: string; initialSpec?: Spec }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { catalog } = useCatalog();
  const [draft, setDraft] = useState<Draft>(() => {
    if (initialSpec)
      return {
        purpose: "production",
        step: 1,
        spec: { ...initialSpec, name: `${initialSpec.name}-copy`.slice(0, 30) },
      };
    return (
      loadDraft(projectId) ?? {
        purpose: "production",
        step: 0,
        spec: presetSpec("production", catalog.newestVersion),
      }
    );
  });
  const [attempted, setAttempted] = useState<Set<number>>(new Set());
  const { spec, step, purpose } = draft;
  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const setSpec = (s: Spec) => update({ spec: s });

  useEffect(() => {
    window.localStorage.setItem(draftKey(projectId), JSON.stringify(draft));
  }, [draft, projectId]);

  const parsed = useMemo(() => ClusterSpec.safeParse(spec), [spec]);
  const quotaBlocked = useQuotaBlocked(
    projectId,
    parsed.success ? parsed.data : null,
    step === STEPS.length - 1,
  );
  const create = useMutation(trpc.cluster.create.mutationOptions({ meta: { inlineErrors: true } }));
  const errors = useMemo(
    () => ({
      ...(parsed.success ? {} : fieldErrorsFromIssues(parsed.error.issues)),
      ...prefixed(fieldErrorsOf(create.error)),
    }),
    [parsed, create.error],
  );
  const stepErrors = (i: number) =>
    Object.keys(errors).filter((k) => STEPS[i]!.fields.some((f) => k === f || k.startsWith(`${f}.`)));
  const show = (i: number) => attempted.has(i) || attempted.has(STEPS.length - 1);
  const err = (path: string) => (show(step) ? errors[path] : undefined);
  const under = (prefix: string) =>
    show(step)
      ? Object.entries(errors)
          .filter(([k]) => k === prefix || k.startsWith(`${prefix}.`))
          .flatMap(([, v]) => v)
      : [];

  function next() {
    setAttempted((a) => new Set(a).add(step));
    if (stepErrors(step).length === 0) update({ step: Math.min(step + 1, STEPS.length - 1) });
  }

  function submit() {
    setAttempted(new Set(STEPS.map((_, i) => i)));
    if (!parsed.success) {
      const first = STEPS.findIndex((_, i) => stepErrors(i).length > 0);
      if (first >= 0) update({ step: first });
      return;
    }
    create.mutate(
      { projectId, spec: parsed.data },
      {
        onSuccess: (c) => {
          window.localStorage.removeItem(draftKey(projectId));
          router.push(`/projects/${projectId}/clusters/${c.id}`);
        },
        onError: (e) => {
          const fe = prefixed(fieldErrorsOf(e));
          const first = STEPS.findIndex((s) =>
            Object.keys(fe).some((k) => s.fields.some((f) => k === f || k.startsWith(`${f}.`))),
          );
          if (first >= 0) update({ step: first });
        },
      },
    );
  }

  return (
    <div className="grid grid-cols-[13rem_1fr] gap-8">
      <nav aria-label="Wizard steps">
        <ol className="space-y-1">
          {STEPS.map((s, i) => {
            const bad = show(i) && stepErrors(i).length > 0;
            return (
              <li key={s.title}>
                <button
                  type="button"
                  onClick={() => update({ step: i })}
                  aria-current={i === step ? "step" : undefined}
                  className={cn(
                    "flex w-full items-center gap-2.5 rounded-md px-2.5 py-2 text-left text-sm outline-none focus-visible:ring-2 focus-visible:ring-ring",
                    i === step
                      ? "bg-primary/10 font-medium text-primary"
                      : "text-muted hover:bg-surface-2 hover:text-fg",
                  )}
                >
                  <span
                    className={cn(
                      "flex size-5 shrink-0 items-center justify-center rounded-full border text-[11px]",
                      bad
                        ? "border-danger text-danger"
                        : i < step
                          ? "border-success text-success"
                          : "border-border",
                    )}
                  >
                    {bad ? "!" : i < step ? <Check className="size-3" aria-hidden /> : i + 1}
                  </span>
                  {s.title}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>

      <div className="min-w-0 space-y-6">
        {step === 0 && (
          <PurposeStep
            purpose={purpose}
            onPick={(p) =>
              update({ purpose: p, spec: { ...presetSpec(p, catalog.newestVersion), name: spec.name } })
            }
          />
        )}
        {step === 1 && <BasicsStep spec={spec} setSpec={setSpec} err={err} under={under} />}
        {step === 2 && (
          <NetworkStep spec={spec} setSpec={setSpec} err={err} under={under} projectId={projectId} />
        )}
        {step === 3 && <NodeGroupsStep spec={spec} setSpec={setSpec} err={err} under={under} />}
        {step === 4 && <AddonsPoliciesStep spec={spec} setSpec={setSpec} under={under} />}
        {step === 5 && (
          <ReviewStep
            projectId={projectId}
            spec={spec}
            setSpec={setSpec}
            valid={parsed.success ? parsed.data : null}
            errors={errors}
          />
        )}

        {create.error && Object.keys(fieldErrorsOf(create.error)).length === 0 && (
          <div
            role="alert"
            className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2.5 text-sm text-danger"
          >
            {create.error.message}
          </div>
        )}
        <div className="flex items-center gap-2 border-t border-border pt-5">
          <Button variant="secondary" asChild>
            <Link href={`/projects/${projectId}/clusters`}>Cancel</Link>
          </Button>
          <span className="text-xs text-muted">Your draft is kept in this browser.</span>
          <div className="ml-auto flex gap-2">
            {step > 0 && (
              <Button variant="secondary" onClick={() => update({ step: step - 1 })}>
                Back
              </Button>
            )}
            {step < STEPS.length - 1 ? (
              <Button onClick={next}>Next</Button>
            ) : (
              <Button onClick={submit} loading={create.isPending} disabled={quotaBlocked}>
                Create cluster
              </Button>
            )}
          </div>
        </div>
      </div>
    </div>
  );
}

/** Server field errors are keyed under `spec.` (the procedure input); the form's keys are the spec's. */
function prefixed(fe: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(fe).map(([k, v]) => [k.replace(/^spec\./, ""), v]));
}
