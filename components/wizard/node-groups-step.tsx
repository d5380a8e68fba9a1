"use client";

import { NumberInput } from "@/components/ui/number-field";
import { useQueries } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { AlertTriangle, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { useCatalog } from "@/components/catalog/catalog-provider";
import { pickFlavor } from "./presets";
import { useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { CheckboxField, Field, FieldErrors, Input, InputField, SelectField } from "@/components/ui/field";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import type { AppRouter } from "@/server/api/root";
import { FlavorSelect } from "./flavor-select";
import { Section, type Group, type StepProps } from "./parts";

type AllocatableView = inferRouterOutputs<AppRouter>["catalog"]["allocatable"];

export function NodeGroupsStep({ spec, setSpec, err, under }: StepProps) {
  const trpc = useTRPC();
  const { projectId, catalog } = useCatalog();
  const { limits, zones } = catalog;
  const groups = spec.nodeGroups ?? [];
  const setGroup = (i: number, g: Group) =>
    setSpec({ ...spec, nodeGroups: groups.map((x, j) => (j === i ? g : x)) });
  const usedZones = new Set(groups.map((g) => g.zone));
  // What each group's nodes leave for workloads, from the server (debounced while the disk size is typed).
  const sizes = useDebouncedValue(JSON.stringify(groups.map((g) => [g.flavor, g.diskGb ?? 50])));
  const allocatable = useQueries({
    queries: (JSON.parse(sizes) as Array<[string, number]>).map(([flavor, diskGb]) => ({
      ...trpc.catalog.allocatable.queryOptions({ projectId, flavor, diskGb }),
      placeholderData: (prev: AllocatableView | undefined) => prev,
    })),
  });
  return (
    <Section
      title="Node groups"
      description={`Workers, grouped by flavor and zone. Up to ${limits.nodeGroupsPerCluster} groups and ${limits.nodesPerCluster} nodes.`}
    >
      {groups.length > 1 && usedZones.size === 1 && (
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
        const alloc = allocatable[i]?.data ?? null;
        const e = (k: string) => err(`nodeGroups.${i}.${k}`);
        return (
          <Card key={i} className="@container space-y-4 p-5">
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
            {/* Two columns in a narrow form, three from 42rem; the flavor spans two, so every select
                shows its whole text. */}
            <div className="grid grid-cols-2 gap-4 @2xl:grid-cols-3">
              <InputField
                label="Name"
                errors={e("name")}
                value={g.name}
                onChange={(ev) => setGroup(i, { ...g, name: ev.target.value })}
              />
              <Field
                label="Flavor"
                hint={
                  alloc
                    ? `Allocatable after Kubernetes reserves: ${alloc.cpu} vCPU, ${alloc.memoryGb} GB RAM, ${alloc.storageGb} GB disk`
                    : undefined
                }
                errors={e("flavor")}
                className="col-span-2"
              >
                {(p) => (
                  <FlavorSelect {...p} value={g.flavor} onChange={(v) => setGroup(i, { ...g, flavor: v })} />
                )}
              </Field>
              <SelectField
                label="Zone"
                errors={e("zone")}
                value={g.zone}
                onChange={(ev) => setGroup(i, { ...g, zone: ev.target.value })}
              >
                {zones.map((z) => (
                  <option key={z}>{z}</option>
                ))}
              </SelectField>
              <SelectField
                label="Scaling"
                errors={e("scaling")}
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
              </SelectField>
              {g.scaling.mode === "fixed" ? (
                <Field label="Nodes" errors={e("scaling.size")}>
                  {(p) => (
                    <NumberInput
                      {...p}
                      min={0}
                      max={100}
                      value={g.scaling.mode === "fixed" ? g.scaling.size : 0}
                      onValueChange={(n) => setGroup(i, { ...g, scaling: { mode: "fixed", size: n } })}
                    />
                  )}
                </Field>
              ) : (
                <div className="grid grid-cols-2 gap-2">
                  <Field label="Min nodes" errors={e("scaling.min")}>
                    {(p) => (
                      <NumberInput
                        {...p}
                        min={0}
                        value={g.scaling.mode === "autoscale" ? g.scaling.min : 0}
                        onValueChange={(n) =>
                          g.scaling.mode === "autoscale" &&
                          setGroup(i, { ...g, scaling: { ...g.scaling, min: n } })
                        }
                      />
                    )}
                  </Field>
                  <Field label="Max nodes" errors={e("scaling.max")}>
                    {(p) => (
                      <NumberInput
                        {...p}
                        min={1}
                        value={g.scaling.mode === "autoscale" ? g.scaling.max : 1}
                        onValueChange={(n) =>
                          g.scaling.mode === "autoscale" &&
                          setGroup(i, { ...g, scaling: { ...g.scaling, max: n } })
                        }
                      />
                    )}
                  </Field>
                </div>
              )}
              <Field label="Disk (GB)" errors={e("diskGb")}>
                {(p) => (
                  <NumberInput
                    {...p}
                    min={20}
                    max={2000}
                    value={g.diskGb ?? 50}
                    onValueChange={(n) => setGroup(i, { ...g, diskGb: n })}
                  />
                )}
              </Field>
              {/* The options are the types' names; the chosen one's description is said below. */}
              <SelectField
                label="Disk type"
                hint={
                  catalog.volumeTypes.find((t) => t.name === (g.diskType ?? catalog.nodeDiskType))
                    ?.description ?? undefined
                }
                errors={e("diskType")}
                value={g.diskType ?? catalog.nodeDiskType ?? ""}
                onChange={(ev) => setGroup(i, { ...g, diskType: ev.target.value })}
              >
                {catalog.volumeTypes.map((t) => (
                  <option key={t.name} value={t.name}>
                    {t.name}
                    {t.pricePerGbMonth === null ? " (price not set)" : ""}
                  </option>
                ))}
              </SelectField>
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
            <CheckboxField
              label={
                <>
                  Anti-affinity: every node on a different host (at most {limits.antiAffinityMaxNodes} nodes)
                </>
              }
              checked={g.antiAffinity ?? false}
              onChange={(ev) => setGroup(i, { ...g, antiAffinity: ev.target.checked })}
              className="size-4 accent-[var(--primary)]"
            />
            {e("antiAffinity") && <FieldErrors messages={e("antiAffinity")!} />}
          </Card>
        );
      })}
      <Button
        variant="secondary"
        disabled={groups.length >= limits.nodeGroupsPerCluster}
        onClick={() =>
          setSpec({
            ...spec,
            nodeGroups: [
              ...groups,
              {
                name: `group-${groups.length + 1}`,
                flavor: pickFlavor(catalog.flavors, 4, 8),
                zone: zones[groups.length % zones.length] ?? "",
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
