"use client";

import { Table, TableHead } from "@/components/ui/table";
import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, Copy, Download } from "lucide-react";
import { useState } from "react";
import { parseDocument, stringify } from "yaml";
import { formatMoney } from "@/components/ui/format";
import { useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { YamlEditor, type EditorIssue } from "@/components/ui/yaml-editor";
import { useCatalog } from "@/components/catalog/catalog-provider";
import { CNI_LABEL } from "@/components/clusters/labels";
import type { ClusterSpec } from "@/server/contracts/cluster";
import { Section, type Spec } from "./parts";
import { QuotaCheck } from "./quota-check";

export function ReviewStep({
  projectId,
  spec,
  setSpec,
  valid,
  errors,
  cloudWarnings,
}: {
  projectId: string;
  spec: Spec;
  setSpec: (s: Spec) => void;
  valid: ClusterSpec | null;
  errors: Record<string, string[]>;
  /** From the server's check against this project's cloud (its zones). */
  cloudWarnings: string[];
}) {
  const trpc = useTRPC();
  const estimate = useQuery({
    ...trpc.cluster.estimate.queryOptions({ projectId, spec: valid ?? (spec as ClusterSpec) }),
    enabled: valid !== null,
  });
  const [yamlText, setYamlText] = useState(() => stringify(spec));
  const [yamlError, setYamlError] = useState<EditorIssue | null>(null);
  const { catalog } = useCatalog();
  const warnings: string[] = [...cloudWarnings];
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
      setYamlError({
        line: doc.errors[0]!.linePos?.[0]?.line ?? null,
        message: doc.errors[0]!.message.split("\n")[0] ?? "not YAML",
      });
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
            {spec.topology === "regional"
              ? "across all zones"
              : `in ${spec.masterZone ?? "the cloud's first zone"}`}
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
          <dt className="text-muted">Pod network</dt>
          <dd className="text-fg">
            {CNI_LABEL[spec.cni ?? "calico"]}, pods in {spec.podCidr ?? "10.100.0.0/16"}
          </dd>
          <dt className="text-muted">API</dt>
          <dd className="text-fg">
            {spec.apiAccess?.public === false
              ? "Private"
              : (spec.apiAccess?.allowedCidrs ?? []).length > 0
                ? `Public, from ${(spec.apiAccess?.allowedCidrs ?? []).join(", ")}`
                : "Public"}
          </dd>
          <dt className="text-muted">Addons</dt>
          <dd className="text-fg">
            {(spec.addons ?? []).map((a) => `${a.id} ${a.version}`).join(", ") || "none"}
          </dd>
          <dt className="text-muted">Policies</dt>
          <dd className="text-fg">
            {spec.policies?.gatekeeper === false
              ? "Gatekeeper off"
              : `Gatekeeper on; ${
                  (spec.policies?.constraints ?? [])
                    .map(
                      (c) =>
                        `${c.name} (${c.kind}, ${c.enforcementAction === "dryrun" ? "dry run" : c.enforcementAction})`,
                    )
                    .join(", ") || "no constraints"
                }${(spec.policies?.templates ?? []).length ? `; ${(spec.policies?.templates ?? []).length} custom template(s)` : ""}`}
          </dd>
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
        description="From this cloud's price list; autoscaling groups at their minimum."
      >
        {!valid ? (
          <p className="text-sm text-muted">Fix the errors below to see the estimate.</p>
        ) : estimate.data ? (
          <Table className="max-w-xl text-sm" caption="Cost estimate">
            <TableHead
              cellClassName="py-1"
              columns={[
                { label: "Item", className: "text-left" },
                { label: "Per hour", className: "text-right" },
                { label: "Per month", className: "text-right" },
              ]}
            />
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
          </Table>
        ) : (
          <p className="text-sm text-muted">Calculating…</p>
        )}
        {estimate.data && estimate.data.unpriced.length > 0 && (
          <p role="status" className="text-xs text-warning">
            Price not set for {estimate.data.unpriced.join(", ")}: the total leaves them out.
          </p>
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
        <YamlEditor
          label="Cluster spec"
          value={yamlText}
          onChange={onYaml}
          rows={18}
          schema={catalog.specSchema}
          issues={[
            ...(yamlError ? [yamlError] : []),
            ...issues.map(([path, messages]) => ({
              line: lineOf(path),
              message: `${path}: ${messages.map((m) => m.replace(/[.\s]*$/, "")).join("; ")}`,
            })),
          ]}
          hint="Checked as you type; every field of the form is here."
        />
      </Section>
    </>
  );
}
