"use client";

import { WizardSummary } from "./wizard-summary";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Check } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { useCatalog } from "@/components/catalog/catalog-provider";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { FormError } from "@/components/ui/form-error";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
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
  { title: "Network", fields: ["network", "cni", "podCidr", "serviceCidr", "apiAccess"] },
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
  const queryClient = useQueryClient();
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
        spec: presetSpec("production", catalog.newestVersion, catalog),
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

  // Checked on the server with the schema cluster.create uses (debounced while the user types).
  const checkOf = (s: Spec) => trpc.catalog.checkSpec.queryOptions({ projectId, spec: s });
  const debounced = useDebouncedValue(spec);
  const checked = useQuery({ ...checkOf(debounced), placeholderData: (prev) => prev }).data;
  const valid = checked?.spec ?? null;
  const quotaBlocked = useQuotaBlocked(projectId, valid, step === STEPS.length - 1);
  const create = useMutation(trpc.cluster.create.mutationOptions({ meta: { inlineErrors: true } }));
  const withServer = (fe: Record<string, string[]>) => ({ ...fe, ...prefixed(fieldErrorsOf(create.error)) });
  const errors = useMemo(
    () => ({ ...checked?.errors, ...prefixed(fieldErrorsOf(create.error)) }),
    [checked, create.error],
  );
  const stepErrorsIn = (errs: Record<string, string[]>, i: number) =>
    Object.keys(errs).filter((k) => STEPS[i]!.fields.some((f) => k === f || k.startsWith(`${f}.`)));
  const stepErrors = (i: number) => stepErrorsIn(errors, i);
  /** The spec as it is now, checked (the errors shown may lag the last keystroke). */
  const checkNow = () => queryClient.fetchQuery(checkOf(spec));
  const show = (i: number) => attempted.has(i) || attempted.has(STEPS.length - 1);
  const err = (path: string) => (show(step) ? errors[path] : undefined);
  const under = (prefix: string) =>
    show(step)
      ? Object.entries(errors)
          .filter(([k]) => k === prefix || k.startsWith(`${prefix}.`))
          .flatMap(([, v]) => v)
      : [];

  // The step a click of Next applies to once the check returns (several quick clicks advance one step each).
  const stepRef = useRef(step);
  useEffect(() => {
    stepRef.current = step;
  }, [step]);

  async function next() {
    const now = await checkNow();
    const at = stepRef.current;
    setAttempted((a) => new Set(a).add(at));
    if (stepErrorsIn(withServer(now.errors), at).length === 0) {
      stepRef.current = Math.min(at + 1, STEPS.length - 1);
      update({ step: stepRef.current });
    }
  }

  async function submit() {
    setAttempted(new Set(STEPS.map((_, i) => i)));
    const now = await checkNow();
    if (!now.spec) {
      const first = STEPS.findIndex((_, i) => stepErrorsIn(withServer(now.errors), i).length > 0);
      if (first >= 0) update({ step: first });
      return;
    }
    create.mutate(
      { projectId, spec: now.spec },
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

  // A narrower step list below 1280 px leaves the form room for its selects' full text.
  return (
    <div className="grid grid-cols-[11rem_minmax(0,1fr)] gap-6 xl:grid-cols-[13rem_minmax(0,1fr)] xl:gap-8">
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
        {/* Review shows the full cost table and the quota check itself. */}
        {step > 0 && step < STEPS.length - 1 && (
          <WizardSummary projectId={projectId} valid={valid} draft={spec} />
        )}
        {step === 0 && (
          <PurposeStep
            projectId={projectId}
            purpose={purpose}
            onPick={(p) =>
              update({
                purpose: p,
                spec: { ...presetSpec(p, catalog.newestVersion, catalog), name: spec.name },
              })
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
            valid={valid}
            errors={errors}
            cloudWarnings={checked?.warnings ?? []}
          />
        )}

        {create.error && Object.keys(fieldErrorsOf(create.error)).length === 0 && (
          <FormError message={create.error.message} padding="py-2.5" />
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
              <Button onClick={() => void next()}>Next</Button>
            ) : (
              <Button onClick={() => void submit()} loading={create.isPending} disabled={quotaBlocked}>
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
