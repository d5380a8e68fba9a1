"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { AlertTriangle, Check, Copy, Download, Network, Plus, Server, ServerCog, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import { parseDocument, stringify } from "yaml";
import { formatMoney } from "@/components/clusters/labels";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Field, Input, Select, Textarea } from "@/components/ui/field";
import { LIMITS, ZONES, type ClusterSpec, type ClusterSpecInput } from "@/server/contracts/cluster";
import { fieldErrorsFromIssues } from "@/server/contracts/field-errors";
import { CheckedClusterSpec } from "@/server/domain/cluster-spec-check";
import { allocatable, FLAVORS } from "@/server/domain/flavors";
import { quotaProblems } from "@/server/domain/quota";
import { VERSIONS, versionInfo } from "@/server/domain/versions";
import { AddonsPoliciesStep } from "./addons-step";
import { PURPOSES, presetSpec, type Purpose } from "./presets";

type Spec = ClusterSpecInput;
type Group = NonNullable<Spec["nodeGroups"]>[number];

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
  const [draft, setDraft] = useState<Draft>(() => {
    if (initialSpec)
      return {
        purpose: "production",
        step: 1,
        spec: { ...initialSpec, name: `${initialSpec.name}-copy`.slice(0, 30) },
      };
    return loadDraft(projectId) ?? { purpose: "production", step: 0, spec: presetSpec("production") };
  });
  const [attempted, setAttempted] = useState<Set<number>>(new Set());
  const { spec, step, purpose } = draft;
  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const setSpec = (s: Spec) => update({ spec: s });

  useEffect(() => {
    window.localStorage.setItem(draftKey(projectId), JSON.stringify(draft));
  }, [draft, projectId]);

  const parsed = useMemo(() => CheckedClusterSpec.safeParse(spec), [spec]);
  const quotaBlocked = useQuotaBlocked(projectId, parsed.success ? parsed.data : null);
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
            onPick={(p) => update({ purpose: p, spec: { ...presetSpec(p), name: spec.name } })}
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

function Section({
  title,
  description,
  children,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="space-y-4">
      <div>
        <h2 className="text-base font-semibold text-fg">{title}</h2>
        {description && <p className="mt-0.5 text-sm text-muted">{description}</p>}
      </div>
      {children}
    </section>
  );
}

function ChoiceCard({
  selected,
  onSelect,
  icon,
  title,
  children,
  name,
}: {
  selected: boolean;
  onSelect: () => void;
  icon?: ReactNode;
  title: string;
  children: ReactNode;
  name: string;
}) {
  return (
    <label
      className={cn(
        "flex cursor-pointer flex-col gap-2 rounded-lg border bg-surface p-4 shadow-xs has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring",
        selected ? "border-primary ring-1 ring-primary" : "border-border hover:border-muted",
      )}
    >
      <input type="radio" name={name} checked={selected} onChange={onSelect} className="sr-only" />
      <span className="flex items-center gap-2 text-sm font-semibold text-fg">
        {icon}
        {title}
        {selected && <Check className="ml-auto size-4 text-primary" aria-hidden />}
      </span>
      <span className="text-sm text-muted">{children}</span>
    </label>
  );
}

type StepProps = {
  spec: Spec;
  setSpec: (s: Spec) => void;
  err: (path: string) => string[] | undefined;
  /** Every message at or below a path (e.g. all label keys of a group). */
  under: (prefix: string) => string[];
};

function PurposeStep({ purpose, onPick }: { purpose: Purpose; onPick: (p: Purpose) => void }) {
  return (
    <Section
      title="What is this cluster for?"
      description="A starting point for every setting; you can change all of them in the next steps."
    >
      <div role="radiogroup" aria-label="Purpose" className="grid grid-cols-3 gap-4">
        {PURPOSES.map((p) => (
          <ChoiceCard
            key={p.id}
            name="purpose"
            selected={purpose === p.id}
            onSelect={() => onPick(p.id)}
            title={p.title}
          >
            {p.text}
          </ChoiceCard>
        ))}
      </div>
    </Section>
  );
}

function BasicsStep({ spec, setSpec, err }: StepProps) {
  const topology = spec.topology;
  const cards = [
    {
      id: "single" as const,
      icon: <Server className="size-4 text-primary" aria-hidden />,
      title: "Single master",
      text: "One control-plane node. Not highly available: the loss of the master stops the cluster API.",
    },
    {
      id: "standard" as const,
      icon: <ServerCog className="size-4 text-primary" aria-hidden />,
      title: "Standard",
      text: "3 or 5 masters in one zone. Survives the loss of masters, not of the zone.",
    },
    {
      id: "regional" as const,
      icon: <Network className="size-4 text-primary" aria-hidden />,
      title: "Regional",
      text: "3 or 5 masters spread across every zone. Survives the loss of a whole zone.",
    },
  ];
  return (
    <>
      <Section title="Basics">
        <div className="grid grid-cols-2 gap-4">
          <Field
            label="Cluster name"
            hint="Lowercase letters, digits and '-'; used in every cloud resource name."
            errors={err("name")}
          >
            {(p) => (
              <Input
                {...p}
                value={spec.name}
                onChange={(e) => setSpec({ ...spec, name: e.target.value })}
                placeholder="payments-prod"
              />
            )}
          </Field>
          <Field label="Kubernetes version" errors={err("version")}>
            {(p) => (
              <Select
                {...p}
                value={spec.version}
                onChange={(e) => setSpec({ ...spec, version: e.target.value })}
              >
                {[...VERSIONS].reverse().flatMap((v) =>
                  [...v.patches].reverse().map((patch) => {
                    const info = versionInfo(patch)!;
                    return (
                      <option key={patch} value={patch} disabled={info.endOfLifeReached}>
                        {patch} — {info.endOfLifeReached ? "end of life" : `supported until ${v.endOfLife}`}
                      </option>
                    );
                  }),
                )}
              </Select>
            )}
          </Field>
        </div>
      </Section>
      <Section title="Control plane" description="Where the masters run decides what the cluster survives.">
        <div role="radiogroup" aria-label="Topology" className="grid grid-cols-3 gap-4">
          {cards.map((c) => (
            <ChoiceCard
              key={c.id}
              name="topology"
              selected={topology === c.id}
              icon={c.icon}
              title={c.title}
              onSelect={() =>
                setSpec({
                  ...spec,
                  topology: c.id,
                  masterCount: c.id === "single" ? 1 : spec.masterCount === 1 ? 3 : spec.masterCount,
                })
              }
            >
              {c.text}
            </ChoiceCard>
          ))}
        </div>
        <div className="grid grid-cols-[repeat(auto-fill,minmax(9rem,1fr))] gap-4">
          {topology !== "single" && (
            <Field label="Masters" errors={err("masterCount")}>
              {(p) => (
                <Select
                  {...p}
                  value={spec.masterCount}
                  onChange={(e) => setSpec({ ...spec, masterCount: Number(e.target.value) as 3 | 5 })}
                >
                  <option value={3}>3</option>
                  <option value={5}>5</option>
                </Select>
              )}
            </Field>
          )}
          {topology !== "regional" && (
            <Field label="Zone" errors={err("masterZone")}>
              {(p) => (
                <Select
                  {...p}
                  value={spec.masterZone ?? "ru-msk-a"}
                  onChange={(e) => setSpec({ ...spec, masterZone: e.target.value as (typeof ZONES)[number] })}
                >
                  {ZONES.map((z) => (
                    <option key={z}>{z}</option>
                  ))}
                </Select>
              )}
            </Field>
          )}
          <Field label="Master flavor" errors={err("masterFlavor")} className="col-span-2">
            {(p) => (
              <FlavorSelect
                {...p}
                value={spec.masterFlavor}
                onChange={(v) => setSpec({ ...spec, masterFlavor: v })}
              />
            )}
          </Field>
          <Field label="etcd disk (GB, High-IOPS)" errors={err("etcd.sizeGb")}>
            {(p) => (
              <Input
                {...p}
                type="number"
                min={10}
                max={200}
                value={spec.etcd?.sizeGb ?? 20}
                onChange={(e) =>
                  setSpec({
                    ...spec,
                    etcd: {
                      volumeType: spec.etcd?.volumeType ?? "high-iops",
                      sizeGb: Number(e.target.value),
                    },
                  })
                }
              />
            )}
          </Field>
        </div>
      </Section>
    </>
  );
}

function FlavorSelect({
  value,
  onChange,
  ...p
}: {
  value: string;
  onChange: (v: string) => void;
  id: string;
  "aria-invalid": boolean;
  "aria-describedby": string | undefined;
}) {
  return (
    <Select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
      {FLAVORS.map((f) => (
        <option key={f.name} value={f.name}>
          {f.name} · {f.vcpus} vCPU, {f.ramGb} GB · {formatMoney(f.pricePerHour * 730, "EUR")}/mo
        </option>
      ))}
    </Select>
  );
}

function NetworkStep({ spec, setSpec, err, projectId }: StepProps & { projectId: string }) {
  const trpc = useTRPC();
  const facts = useQuery(trpc.cloud.quotas.queryOptions({ projectId }));
  const networks = facts.data?.networks ?? [];
  const net = spec.network ?? { mode: "new" as const, cidr: "10.0.0.0/24" };
  const api = { public: spec.apiAccess?.public ?? true, allowedCidrs: spec.apiAccess?.allowedCidrs ?? [] };
  const chosen = net.mode === "existing" ? networks.find((n) => n.id === net.networkId) : undefined;
  return (
    <Section
      title="Network"
      description="Nodes live in a private network; only the API load balancer can have a public address."
    >
      <div role="radiogroup" aria-label="Node network" className="grid grid-cols-2 gap-4">
        <ChoiceCard
          name="network-mode"
          title="New network"
          selected={net.mode === "new"}
          onSelect={() => setSpec({ ...spec, network: { mode: "new", cidr: "10.0.0.0/24" } })}
        >
          The console creates a network, subnet and router for this cluster, and removes them with it.
        </ChoiceCard>
        <ChoiceCard
          name="network-mode"
          title="Existing network"
          selected={net.mode === "existing"}
          onSelect={() =>
            setSpec({
              ...spec,
              network: {
                mode: "existing",
                networkId: networks[0]?.id ?? "",
                subnetId: networks[0]?.subnets[0]?.id ?? "",
              },
            })
          }
        >
          {networks.length > 0
            ? `One of this project's ${networks.length} network${networks.length === 1 ? "" : "s"}; it must already route to the internet.`
            : "This project has no networks of its own in the cloud yet."}
        </ChoiceCard>
      </div>
      <div className="grid grid-cols-3 gap-4">
        {net.mode === "new" ? (
          <Field
            label="Node subnet (new network)"
            hint="Between /16 and /27, private."
            errors={err("network.cidr")}
          >
            {(p) => (
              <Input
                {...p}
                value={net.cidr ?? ""}
                onChange={(e) => setSpec({ ...spec, network: { mode: "new", cidr: e.target.value } })}
              />
            )}
          </Field>
        ) : (
          <>
            <Field label="Network" errors={err("network.networkId")}>
              {(p) => (
                <Select
                  {...p}
                  value={net.networkId}
                  onChange={(e) => {
                    const n = networks.find((x) => x.id === e.target.value);
                    setSpec({
                      ...spec,
                      network: {
                        mode: "existing",
                        networkId: e.target.value,
                        subnetId: n?.subnets[0]?.id ?? "",
                      },
                    });
                  }}
                >
                  {networks.length === 0 && <option value="">No networks</option>}
                  {networks.map((n) => (
                    <option key={n.id} value={n.id}>
                      {n.name || n.id}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="Subnet" errors={err("network.subnetId")}>
              {(p) => (
                <Select
                  {...p}
                  value={net.subnetId}
                  onChange={(e) =>
                    setSpec({
                      ...spec,
                      network: { mode: "existing", networkId: net.networkId, subnetId: e.target.value },
                    })
                  }
                >
                  {(chosen?.subnets ?? []).map((sb) => (
                    <option key={sb.id} value={sb.id}>
                      {sb.name || sb.id} ({sb.cidr})
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </>
        )}
        <Field label="Pod CIDR" hint="/20 or larger." errors={err("podCidr")}>
          {(p) => (
            <Input
              {...p}
              value={spec.podCidr ?? ""}
              onChange={(e) => setSpec({ ...spec, podCidr: e.target.value })}
            />
          )}
        </Field>
        <Field label="Service CIDR" errors={err("serviceCidr")}>
          {(p) => (
            <Input
              {...p}
              value={spec.serviceCidr ?? ""}
              onChange={(e) => setSpec({ ...spec, serviceCidr: e.target.value })}
            />
          )}
        </Field>
      </div>
      <label className="flex items-center gap-2 text-sm text-fg">
        <input
          type="checkbox"
          checked={api.public}
          onChange={(e) =>
            setSpec({
              ...spec,
              apiAccess: { public: e.target.checked, allowedCidrs: e.target.checked ? api.allowedCidrs : [] },
            })
          }
          className="size-4 accent-[var(--primary)]"
        />
        Public API endpoint (a floating IP on the API load balancer)
      </label>
      {api.public && (
        <Field
          label="Allow the API only from (CIDRs, comma-separated; empty: from anywhere)"
          errors={err("apiAccess.allowedCidrs")}
        >
          {(p) => (
            <Input
              {...p}
              value={api.allowedCidrs.join(", ")}
              onChange={(e) =>
                setSpec({
                  ...spec,
                  apiAccess: {
                    public: true,
                    allowedCidrs: e.target.value
                      .split(",")
                      .map((x) => x.trim())
                      .filter(Boolean),
                  },
                })
              }
              placeholder="203.0.113.0/24, 198.51.100.7/32"
            />
          )}
        </Field>
      )}
      {api.allowedCidrs.map((_, i) => err(`apiAccess.allowedCidrs.${i}`)).filter(Boolean).length > 0 && (
        <p role="alert" className="text-xs font-medium text-danger">
          {api.allowedCidrs
            .map((_, i) => err(`apiAccess.allowedCidrs.${i}`)?.join(" "))
            .filter(Boolean)
            .join(" ")}
        </p>
      )}
    </Section>
  );
}

function NodeGroupsStep({ spec, setSpec, err, under }: StepProps) {
  const groups = spec.nodeGroups ?? [];
  const setGroup = (i: number, g: Group) =>
    setSpec({ ...spec, nodeGroups: groups.map((x, j) => (j === i ? g : x)) });
  const zones = new Set(groups.map((g) => g.zone));
  return (
    <Section
      title="Node groups"
      description={`Workers, grouped by flavor and zone. Up to ${LIMITS.nodeGroupsPerCluster} groups and ${LIMITS.nodesPerCluster} nodes.`}
    >
      {groups.length > 1 && zones.size === 1 && (
        <p className="flex items-center gap-2 rounded-md border border-warning/30 bg-warning/10 px-3 py-2 text-sm text-warning">
          <AlertTriangle className="size-4" aria-hidden /> All groups are in one zone: an outage of that zone
          stops every workload.
        </p>
      )}
      {err("nodeGroups")?.map((m) => (
        <p key={m} role="alert" className="text-sm font-medium text-danger">
          {m}
        </p>
      ))}
      {groups.map((g, i) => {
        const flavor = FLAVORS.find((f) => f.name === g.flavor);
        const alloc = flavor ? allocatable(flavor, g.diskGb ?? 50) : null;
        const e = (k: string) => err(`nodeGroups.${i}.${k}`);
        return (
          <Card key={i} className="space-y-4 p-5">
            <div className="flex items-center justify-between">
              <h3 className="text-sm font-semibold text-fg">Group {i + 1}</h3>
              <Button
                variant="ghost"
                size="sm"
                className="text-danger"
                onClick={() => setSpec({ ...spec, nodeGroups: groups.filter((_, j) => j !== i) })}
                aria-label={`Remove group ${i + 1}`}
              >
                <Trash2 className="size-4" aria-hidden /> Remove
              </Button>
            </div>
            <div className="grid grid-cols-3 gap-4">
              <Field label="Name" errors={e("name")}>
                {(p) => (
                  <Input
                    {...p}
                    value={g.name}
                    onChange={(ev) => setGroup(i, { ...g, name: ev.target.value })}
                  />
                )}
              </Field>
              <Field
                label="Flavor"
                hint={
                  alloc
                    ? `Allocatable after Kubernetes reserves: ${alloc.cpu} vCPU, ${alloc.memoryGb} GB RAM, ${alloc.storageGb} GB disk`
                    : undefined
                }
                errors={e("flavor")}
              >
                {(p) => (
                  <FlavorSelect {...p} value={g.flavor} onChange={(v) => setGroup(i, { ...g, flavor: v })} />
                )}
              </Field>
              <Field label="Zone" errors={e("zone")}>
                {(p) => (
                  <Select
                    {...p}
                    value={g.zone}
                    onChange={(ev) => setGroup(i, { ...g, zone: ev.target.value as (typeof ZONES)[number] })}
                  >
                    {ZONES.map((z) => (
                      <option key={z}>{z}</option>
                    ))}
                  </Select>
                )}
              </Field>
              <Field label="Scaling" errors={e("scaling")}>
                {(p) => (
                  <Select
                    {...p}
                    value={g.scaling.mode}
                    onChange={(ev) =>
                      setGroup(i, {
                        ...g,
                        scaling:
                          ev.target.value === "fixed"
                            ? {
                                mode: "fixed",
                                size: g.scaling.mode === "fixed" ? g.scaling.size : g.scaling.min,
                              }
                            : {
                                mode: "autoscale",
                                min: g.scaling.mode === "fixed" ? g.scaling.size : 1,
                                max: Math.max(3, g.scaling.mode === "fixed" ? g.scaling.size : 3),
                              },
                      })
                    }
                  >
                    <option value="fixed">Fixed size</option>
                    <option value="autoscale">Autoscaling</option>
                  </Select>
                )}
              </Field>
              {g.scaling.mode === "fixed" ? (
                <Field label="Nodes" errors={e("scaling.size")}>
                  {(p) => (
                    <Input
                      {...p}
                      type="number"
                      min={0}
                      max={100}
                      value={g.scaling.mode === "fixed" ? g.scaling.size : 0}
                      onChange={(ev) =>
                        setGroup(i, { ...g, scaling: { mode: "fixed", size: Number(ev.target.value) } })
                      }
                    />
                  )}
                </Field>
              ) : (
                <div className="grid grid-cols-2 gap-2">
                  <Field label="Min nodes" errors={e("scaling.min")}>
                    {(p) => (
                      <Input
                        {...p}
                        type="number"
                        min={0}
                        value={g.scaling.mode === "autoscale" ? g.scaling.min : 0}
                        onChange={(ev) =>
                          g.scaling.mode === "autoscale" &&
                          setGroup(i, { ...g, scaling: { ...g.scaling, min: Number(ev.target.value) } })
                        }
                      />
                    )}
                  </Field>
                  <Field label="Max nodes" errors={e("scaling.max")}>
                    {(p) => (
                      <Input
                        {...p}
                        type="number"
                        min={1}
                        value={g.scaling.mode === "autoscale" ? g.scaling.max : 1}
                        onChange={(ev) =>
                          g.scaling.mode === "autoscale" &&
                          setGroup(i, { ...g, scaling: { ...g.scaling, max: Number(ev.target.value) } })
                        }
                      />
                    )}
                  </Field>
                </div>
              )}
              <Field label="Disk (GB)" errors={e("diskGb")}>
                {(p) => (
                  <Input
                    {...p}
                    type="number"
                    min={20}
                    max={2000}
                    value={g.diskGb ?? 50}
                    onChange={(ev) => setGroup(i, { ...g, diskGb: Number(ev.target.value) })}
                  />
                )}
              </Field>
              <Field label="Disk type" errors={e("diskType")}>
                {(p) => (
                  <Select
                    {...p}
                    value={g.diskType ?? "ceph-ssd"}
                    onChange={(ev) => setGroup(i, { ...g, diskType: ev.target.value })}
                  >
                    <option value="ceph-ssd">SSD (ceph-ssd)</option>
                    <option value="high-iops">High-IOPS SSD (high-iops)</option>
                    <option value="ceph-hdd">HDD (ceph-hdd)</option>
                  </Select>
                )}
              </Field>
              <Field
                label="Labels"
                hint="key=value, comma-separated"
                errors={under(`nodeGroups.${i}.labels`)}
              >
                {(p) => (
                  <KeyValueInput
                    {...p}
                    value={labelsText(g.labels)}
                    onCommit={(text) => setGroup(i, { ...g, labels: parseLabels(text) })}
                    placeholder="tier=web, team=payments"
                  />
                )}
              </Field>
              <Field
                label="Taints"
                hint="key=value:NoSchedule | PreferNoSchedule | NoExecute"
                errors={under(`nodeGroups.${i}.taints`)}
              >
                {(p) => (
                  <KeyValueInput
                    {...p}
                    value={taintsText(g.taints)}
                    onCommit={(text) => setGroup(i, { ...g, taints: parseTaints(text) })}
                    placeholder="gpu=true:NoSchedule"
                  />
                )}
              </Field>
            </div>
            <label className="flex items-center gap-2 text-sm text-fg">
              <input
                type="checkbox"
                checked={g.antiAffinity ?? false}
                onChange={(ev) => setGroup(i, { ...g, antiAffinity: ev.target.checked })}
                className="size-4 accent-[var(--primary)]"
              />
              Anti-affinity: every node on a different host (at most {LIMITS.antiAffinityMaxNodes} nodes)
            </label>
            {e("antiAffinity") && (
              <p role="alert" className="text-xs font-medium text-danger">
                {e("antiAffinity")!.join(" ")}
              </p>
            )}
          </Card>
        );
      })}
      <Button
        variant="secondary"
        disabled={groups.length >= LIMITS.nodeGroupsPerCluster}
        onClick={() =>
          setSpec({
            ...spec,
            nodeGroups: [
              ...groups,
              {
                name: `group-${groups.length + 1}`,
                flavor: "STD2-4-8",
                zone: ZONES[groups.length % ZONES.length]!,
                scaling: { mode: "fixed", size: 2 },
              },
            ],
          })
        }
      >
        <Plus className="size-4" aria-hidden /> Add node group
      </Button>
    </Section>
  );
}

function ReviewStep({
  projectId,
  spec,
  setSpec,
  valid,
  errors,
}: {
  projectId: string;
  spec: Spec;
  setSpec: (s: Spec) => void;
  valid: ClusterSpec | null;
  errors: Record<string, string[]>;
}) {
  const trpc = useTRPC();
  const estimate = useQuery({
    ...trpc.cluster.estimate.queryOptions({ projectId, spec: valid ?? (spec as ClusterSpec) }),
    enabled: valid !== null,
  });
  const [yamlText, setYamlText] = useState(() => stringify(spec));
  const [yamlError, setYamlError] = useState<string | null>(null);
  const warnings: string[] = [];
  if (spec.topology === "single")
    warnings.push("Single master: not highly available. Losing the master stops the cluster API.");
  if (spec.topology === "standard")
    warnings.push("All masters are in one zone: a zone outage stops the cluster API.");
  if ((spec.nodeGroups ?? []).length === 0)
    warnings.push("No worker nodes: only system pods can run until you add a node group.");
  const issues = Object.entries(errors);
  const lineOf = (path: string) => {
    const doc = parseDocument(yamlText);
    const node = doc.getIn(
      path.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
      true,
    ) as { range?: [number, number, number] } | undefined;
    const offset = node?.range?.[0];
    return offset === undefined ? null : yamlText.slice(0, offset).split("\n").length;
  };

  function onYaml(text: string) {
    setYamlText(text);
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
      setYamlError(
        `Line ${doc.errors[0]!.linePos?.[0]?.line ?? "?"}: ${doc.errors[0]!.message.split("\n")[0]}`,
      );
      return;
    }
    setYamlError(null);
    const value = doc.toJS() as unknown;
    if (value && typeof value === "object") setSpec(value as Spec);
  }

  const money = (n: number) => formatMoney(n, estimate.data?.currency ?? "EUR", 2);
  return (
    <>
      <Section title="Review">
        <dl className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-2 rounded-lg border border-border bg-surface p-5 text-sm shadow-xs">
          <dt className="text-muted">Name</dt>
          <dd className="text-fg">{spec.name || "—"}</dd>
          <dt className="text-muted">Kubernetes</dt>
          <dd className="text-fg">{spec.version}</dd>
          <dt className="text-muted">Control plane</dt>
          <dd className="text-fg">
            {spec.masterCount} × {spec.masterFlavor},{" "}
            {spec.topology === "regional" ? "across all zones" : `in ${spec.masterZone ?? "ru-msk-a"}`}
          </dd>
          <dt className="text-muted">Node groups</dt>
          <dd className="text-fg">
            {(spec.nodeGroups ?? [])
              .map(
                (g) =>
                  `${g.name}: ${g.scaling.mode === "fixed" ? `${g.scaling.size}` : `${g.scaling.min}–${g.scaling.max}`} × ${g.flavor} in ${g.zone}`,
              )
              .join("; ") || "none"}
          </dd>
          <dt className="text-muted">API</dt>
          <dd className="text-fg">{spec.apiAccess?.public === false ? "Private" : "Public"}</dd>
        </dl>
        {warnings.map((w) => (
          <p
            key={w}
            className="flex items-center gap-2 rounded-md border border-warning/30 bg-warning/10 px-3 py-2 text-sm text-warning"
          >
            <AlertTriangle className="size-4 shrink-0" aria-hidden /> {w}
          </p>
        ))}
      </Section>

      <QuotaCheck projectId={projectId} spec={valid} serverProblems={errors._quota} />

      <Section
        title="Estimated cost"
        description="From the public price list; autoscaling groups at their minimum."
      >
        {!valid ? (
          <p className="text-sm text-muted">Fix the errors below to see the estimate.</p>
        ) : estimate.data ? (
          <table className="w-full max-w-xl text-sm">
            <caption className="sr-only">Cost estimate</caption>
            <thead className="text-xs text-muted">
              <tr>
                <th scope="col" className="py-1 text-left font-medium">
                  Item
                </th>
                <th scope="col" className="py-1 text-right font-medium">
                  Per hour
                </th>
                <th scope="col" className="py-1 text-right font-medium">
                  Per month
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {estimate.data.lines.map((l) => (
                <tr key={l.item}>
                  <td className="py-1.5 text-fg">{l.label}</td>
                  <td className="py-1.5 text-right text-muted tabular-nums">
                    {formatMoney(l.perHour, estimate.data.currency, 4)}
                  </td>
                  <td className="py-1.5 text-right text-fg tabular-nums">{money(l.perMonth)}</td>
                </tr>
              ))}
              <tr className="font-semibold">
                <td className="py-1.5 text-fg">Total</td>
                <td className="py-1.5 text-right tabular-nums">
                  {formatMoney(estimate.data.perHour, estimate.data.currency, 4)}
                </td>
                <td className="py-1.5 text-right tabular-nums">{money(estimate.data.perMonth)}</td>
              </tr>
            </tbody>
          </table>
        ) : (
          <p className="text-sm text-muted">Calculating…</p>
        )}
        {estimate.data && estimate.data.perMonthAtMax > estimate.data.perMonth && (
          <p className="text-xs text-muted">
            Up to {money(estimate.data.perMonthAtMax)} per month when every autoscaling group is at its
            maximum.
          </p>
        )}
      </Section>

      <Section
        title="Specification (YAML)"
        description="Edit it here or in the form: both stay in step, and errors show below with their line."
      >
        <div className="flex gap-2">
          <Button variant="secondary" size="sm" onClick={() => void navigator.clipboard?.writeText(yamlText)}>
            <Copy className="size-4" aria-hidden /> Copy
          </Button>
          <Button variant="secondary" size="sm" asChild>
            <a
              href={`data:application/yaml;charset=utf-8,${encodeURIComponent(yamlText)}`}
              download={`${spec.name || "cluster"}.yaml`}
            >
              <Download className="size-4" aria-hidden /> Download
            </a>
          </Button>
        </div>
        <Field label="Cluster spec" errors={yamlError ? [yamlError] : undefined}>
          {(p) => (
            <Textarea
              {...p}
              rows={18}
              spellCheck={false}
              value={yamlText}
              onChange={(e) => onYaml(e.target.value)}
            />
          )}
        </Field>
        {issues.length > 0 && (
          <div role="alert">
            <ul aria-label="Problems in the specification" className="space-y-1 text-sm text-danger">
              {issues.map(([path, messages]) => (
                <li key={path}>
                  <span className="mr-1.5 rounded border border-danger/40 px-1.5 py-0.5 font-mono text-xs">
                    {lineOf(path) ? `line ${lineOf(path)}` : path}
                  </span>
                  <span className="font-mono text-xs">{path}</span>: {messages.join(" ")}
                </li>
              ))}
            </ul>
          </div>
        )}
      </Section>
    </>
  );
}

/** The project's cloud quotas (as a worker last read them) against what this cluster needs. */
function QuotaCheck({
  projectId,
  spec,
  serverProblems,
}: {
  projectId: string;
  spec: ClusterSpec | null;
  serverProblems?: string[];
}) {
  const trpc = useTRPC();
  // "Check again" asks a worker for a fresh reading; poll until one newer than the shown one arrives.
  const [asked, setAsked] = useState<Date | null>(null);
  const refresh = useMutation(trpc.cloud.refreshQuotas.mutationOptions());
  const quotas = useQuery({
    ...trpc.cloud.quotas.queryOptions({ projectId }),
    refetchInterval: (q) => {
      const d = q.state.data;
      const waiting = asked !== null && (!d?.fetchedAt || d.fetchedAt <= asked);
      return waiting || !d?.quotas || d.refreshing ? 1_000 : false;
    },
  });
  const waiting = asked !== null && (!quotas.data?.fetchedAt || quotas.data.fetchedAt <= asked);
  const problems =
    spec && quotas.data?.quotas && !waiting
      ? quotaProblems(spec, quotas.data.quotas).map((p) => p.message)
      : [];
  const all = [...new Set([...problems, ...(serverProblems ?? [])])];
  return (
    <Section
      title="Quotas"
      description={
        <>
          What this cluster needs from the project&apos;s cloud quotas
          {quotas.data?.fetchedAt ? `, as read at ${quotas.data.fetchedAt.toLocaleTimeString()}` : ""}.{" "}
          <button
            type="button"
            className="font-medium text-primary hover:underline disabled:opacity-60"
            disabled={waiting || refresh.isPending}
            onClick={() => {
              // Wait for a reading newer than the one shown (server time; no clock comparison with the browser).
              setAsked(quotas.data?.fetchedAt ?? new Date(0));
              refresh.mutate({ projectId });
            }}
          >
            {waiting ? "Checking…" : "Check again"}
          </button>
        </>
      }
    >
      {all.length > 0 ? (
        <div
          role="alert"
          className="space-y-1 rounded-md border border-danger/30 bg-danger/10 px-3 py-2.5 text-sm text-danger"
        >
          {all.map((m) => (
            <p key={m} className="flex items-start gap-2">
              <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden /> {m}
            </p>
          ))}
          <p className="text-xs text-fg">
            Make the cluster smaller, or ask your cloud administrator to raise the quota.
          </p>
        </div>
      ) : !quotas.data?.quotas ? (
        <p className="text-sm text-muted">Reading this project&apos;s quotas from the cloud…</p>
      ) : spec ? (
        <p className="flex items-center gap-2 text-sm text-success">
          <Check className="size-4" aria-hidden /> Fits within the project&apos;s quotas.
        </p>
      ) : (
        <p className="text-sm text-muted">Fix the errors below to check quotas.</p>
      )}
    </Section>
  );
}

/** True when the last quota reading shows the spec would not fit. */
function useQuotaBlocked(projectId: string, spec: ClusterSpec | null): boolean {
  const trpc = useTRPC();
  const quotas = useQuery(trpc.cloud.quotas.queryOptions({ projectId }));
  return Boolean(spec && quotas.data?.quotas && quotaProblems(spec, quotas.data.quotas).length > 0);
}

function labelsText(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)) {
    const [k, ...v] = part.split("=");
    out[(k ?? "").trim()] = v.join("=").trim();
  }
  return out;
}

type Taint = { key: string; value?: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" };

function taintsText(taints: Taint[] | undefined): string {
  return (taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`).join(", ");
}

function parseTaints(text: string): Taint[] {
  return text
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)
    .map((part) => {
      const [kv = "", effect = ""] = part.split(":");
      const [key = "", value = ""] = kv.split("=");
      return { key: key.trim(), value: value.trim(), effect: effect.trim() as Taint["effect"] };
    });
}

/** A text field edited freely and applied to the spec on blur (so half-typed pairs are not parsed). */
function KeyValueInput({
  value,
  onCommit,
  ...p
}: {
  value: string;
  onCommit: (text: string) => void;
  id: string;
  placeholder?: string;
  "aria-invalid": boolean;
  "aria-describedby": string | undefined;
}) {
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    setText(value);
  }
  return (
    <Input {...p} value={text} onChange={(e) => setText(e.target.value)} onBlur={() => onCommit(text)} />
  );
}
