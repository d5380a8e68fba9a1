"use client";

import { useQuery } from "@tanstack/react-query";
import { HardDrive, Network } from "lucide-react";
import {
  minorOf,
  supports,
  useCatalog,
  type AddonResources,
  type CatalogAddon,
} from "@/components/catalog/catalog-provider";
import { useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { SelectField } from "@/components/ui/field";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import { YamlEditor } from "@/components/ui/yaml-editor";
import type { AddonChoice } from "@/server/contracts/policies";

/** What an addon will create in the cloud, in words. */
export function ResourceList({ resources }: { resources: AddonResources }) {
  const { loadBalancers, volumes } = resources;
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
 * An addon's values checked on the server against its schema as the user
 * types (debounced); `current` once the result is for exactly these values.
 */
export function useAddonValuesCheck(id: string, values: string) {
  const trpc = useTRPC();
  const { projectId } = useCatalog();
  const debounced = useDebouncedValue(values);
  const q = useQuery({
    ...trpc.catalog.checkAddonValues.queryOptions({ projectId, id, values: debounced }),
    placeholderData: (prev) => prev,
  });
  return { data: q.data, current: debounced === values && !q.isPlaceholderData && q.data !== undefined };
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
  const { catalog } = useCatalog();
  const entry = catalog.addons.find((a) => a.id === value.id);
  const check = useAddonValuesCheck(value.id, value.values);
  if (!entry) return <p className="text-sm text-danger">Unknown addon {value.id}</p>;
  const current = entry.versions.find((v) => v.version === value.version);
  return (
    <div className="space-y-4">
      <SelectField
        label="Version"
        hint={
          current
            ? `App ${current.appVersion}; supports Kubernetes ${current.kubernetes.min}–${current.kubernetes.max}`
            : undefined
        }
        errors={
          current && !supports(current, kubernetes)
            ? [`${entry.name} ${current.version} does not support Kubernetes ${minorOf(kubernetes)}`]
            : undefined
        }
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
      </SelectField>
      <YamlEditor
        label={`Values for ${entry.name}`}
        value={value.values}
        onChange={(values) => onChange({ ...value, values })}
        issues={check.data?.issues ?? []}
        schema={entry.valuesSchema}
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
        <ResourceList resources={check.data?.resources ?? entry.defaultResources} />
      </div>
    </div>
  );
}

export function AddonBadges({ entry }: { entry: CatalogAddon }) {
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
