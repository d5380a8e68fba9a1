"use client";

import { NumberInput } from "@/components/ui/number-field";
import { Network, Server, ServerCog } from "lucide-react";
import { useState } from "react";
import { useCatalog } from "@/components/catalog/catalog-provider";
import { Field, InputField, SelectField } from "@/components/ui/field";
import { FlavorSelect } from "./flavor-select";
import { ChoiceCards, Section, type StepProps } from "./parts";

export function BasicsStep({ spec, setSpec, err }: StepProps) {
  const { catalog } = useCatalog();
  const [showEol, setShowEol] = useState(false);
  const topology = spec.topology;
  const version = catalog.versions.find((v) => v.version === spec.version && !v.endOfLifeReached);
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
          <InputField
            label="Cluster name"
            hint="Lowercase letters, digits and '-'; used in every cloud resource name."
            errors={err("name")}
            value={spec.name}
            onChange={(e) => setSpec({ ...spec, name: e.target.value })}
            placeholder="payments-prod"
          />
          {/* The options stay short enough for the select; the chosen version's support is said below it. */}
          <SelectField
            label="Kubernetes version"
            hint={version ? `Supported until ${version.endOfLife}` : undefined}
            errors={err("version")}
            value={spec.version}
            onChange={(e) => setSpec({ ...spec, version: e.target.value })}
          >
            {catalog.versions
              .filter((v) => showEol || !v.endOfLifeReached || v.version === spec.version)
              .map((v) => (
                <option key={v.version} value={v.version} disabled={v.endOfLifeReached}>
                  {v.version}
                  {v.endOfLifeReached ? " (end of life)" : ""}
                </option>
              ))}
          </SelectField>
          {catalog.versions.some((v) => v.endOfLifeReached) && (
            <label className="col-start-2 -mt-2 flex items-center gap-2 text-xs text-muted">
              <input
                type="checkbox"
                checked={showEol}
                onChange={(e) => setShowEol(e.target.checked)}
                className="size-3.5 accent-primary"
              />
              Also list end-of-life versions (they cannot be chosen for a new cluster)
            </label>
          )}
        </div>
      </Section>
      <Section title="Control plane" description="Where the masters run decides what the cluster survives.">
        <ChoiceCards
          label="Topology"
          name="topology"
          value={topology}
          options={cards}
          onPick={(id) =>
            setSpec({
              ...spec,
              topology: id,
              masterCount: id === "single" ? 1 : spec.masterCount === 1 ? 3 : spec.masterCount,
            })
          }
        />
        {/* The flavor's select gets a row of its own, so its size and price are never cut; the short
            fields share the next one, each label on one line so the inputs line up. */}
        <Field label="Master flavor" errors={err("masterFlavor")}>
          {(p) => (
            <FlavorSelect
              {...p}
              value={spec.masterFlavor}
              onChange={(v) => setSpec({ ...spec, masterFlavor: v })}
            />
          )}
        </Field>
        <div className="grid grid-cols-3 gap-4">
          {topology !== "single" && (
            <SelectField
              label="Masters"
              errors={err("masterCount")}
              value={spec.masterCount}
              onChange={(e) => setSpec({ ...spec, masterCount: Number(e.target.value) as 3 | 5 })}
            >
              <option value={3}>3</option>
              <option value={5}>5</option>
            </SelectField>
          )}
          {topology !== "regional" && (
            <SelectField
              label="Zone"
              errors={err("masterZone")}
              value={spec.masterZone ?? catalog.zones[0] ?? ""}
              onChange={(e) => setSpec({ ...spec, masterZone: e.target.value })}
            >
              {catalog.zones.map((z) => (
                <option key={z}>{z}</option>
              ))}
            </SelectField>
          )}
          <Field
            label="etcd disk (GB)"
            hint={`Volume type: ${catalog.etcdVolumeType ?? "the cloud's default"}`}
            errors={err("etcd.sizeGb")}
          >
            {(p) => (
              <NumberInput
                {...p}
                min={10}
                max={200}
                value={spec.etcd?.sizeGb ?? 20}
                onValueChange={(n) =>
                  setSpec({
                    ...spec,
                    etcd: { ...spec.etcd, sizeGb: n },
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
