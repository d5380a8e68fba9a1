"use client";

import { HardDrive, Network } from "lucide-react";
import { useMemo } from "react";
import { Badge } from "@/components/ui/badge";
import { Field, Select } from "@/components/ui/field";
import { YamlEditor } from "@/components/ui/yaml-editor";
import type { AddonChoice } from "@/server/contracts/policies";
import { addonEntry, addonResources, checkValues, supports, type AddonEntry } from "@/server/domain/addons";

const minor = (v: string) => v.split(".").slice(0, 2).join(".");

/** What an addon will create in the cloud with these values, in words. */
export function ResourceList({ entry, values }: { entry: AddonEntry; values: unknown }) {
  const { loadBalancers, volumes } = addonResources(entry, values ?? entry.defaultValues);
  if (loadBalancers.length + volumes.length === 0)
    return <p className="text-xs text-muted">Creates no cloud resources.</p>;
  return (
    <ul className="space-y-1 text-xs text-muted">
      {loadBalancers.map((lb) => (
        <li key={lb.name} className="flex items-center gap-1.5">
          <Network className="size-3.5 shrink-0" aria-hidden />
          Octavia TCP load balancer ({lb.listeners.map((l) => `${l.port}→${l.nodePort}`).join(", ")})
          {lb.proxyProtocol ? ", PROXY protocol" : ""}
          {lb.public ? ", public IP" : ", internal only"}
        </li>
      ))}
      {volumes.map((v) => (
        <li key={v.name} className="flex items-center gap-1.5">
          <HardDrive className="size-3.5 shrink-0" aria-hidden />
          {v.sizeGb} GB {v.volumeType} volume for {v.name} (deleted with the addon)
        </li>
      ))}
    </ul>
  );
}

/**
 * Version and values of one addon. Versions that do not run on the
 * cluster's Kubernetes are listed but disabled, with their range; the
 * values are checked against the addon's schema as you type.
 */
export function AddonForm({
  value,
  onChange,
  kubernetes,
  extraErrors = [],
}: {
  value: AddonChoice;
  onChange: (v: AddonChoice) => void;
  kubernetes: string;
  extraErrors?: string[];
}) {
  const entry = addonEntry(value.id);
  const check = useMemo(() => (entry ? checkValues(entry, value.values) : null), [entry, value.values]);
  if (!entry) return <p className="text-sm text-danger">Unknown addon {value.id}</p>;
  const current = entry.versions.find((v) => v.version === value.version);
  return (
    <div className="space-y-4">
      <Field
        label="Version"
        hint={
          current
            ? `App ${current.appVersion}; supports Kubernetes ${current.kubernetes.min}–${current.kubernetes.max}`
            : undefined
        }
        errors={
          current && !supports(current, kubernetes)
            ? [`${entry.name} ${current.version} does not support Kubernetes ${minor(kubernetes)}`]
            : undefined
        }
      >
        {(p) => (
          <Select
            {...p}
            value={value.version}
            onChange={(e) => onChange({ ...value, version: e.target.value })}
          >
            {entry.versions.map((v) => {
              const ok = supports(v, kubernetes);
              return (
                <option key={v.version} value={v.version} disabled={!ok}>
                  {v.version} (app {v.appVersion})
                  {ok ? "" : ` — needs Kubernetes ${v.kubernetes.min}–${v.kubernetes.max}`}
                </option>
              );
            })}
          </Select>
        )}
      </Field>
      <YamlEditor
        label={`Values for ${entry.name}`}
        value={value.values}
        onChange={(values) => onChange({ ...value, values })}
        issues={check?.issues ?? []}
        hint="Checked against the addon's schema as you type. Secrets are not values: name a Kubernetes Secret instead."
      />
      {extraErrors.length > 0 && (
        <ul role="alert" className="space-y-0.5 text-xs font-medium text-danger">
          {extraErrors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      <div>
        <div className="mb-1 text-xs font-medium text-fg">Cloud resources</div>
        <ResourceList entry={entry} values={check?.value ?? null} />
      </div>
    </div>
  );
}

export function AddonBadges({ entry }: { entry: AddonEntry }) {
  return (
    <span className="flex flex-wrap gap-1">
      <Badge>{entry.category}</Badge>
      {!entry.removable && <Badge tone="primary">System</Badge>}
      {entry.requires.map((r) => (
        <Badge key={r} tone="warning">
          needs {r.replace("-", " ")}
        </Badge>
      ))}
    </span>
  );
}
