import type { ClusterSpec } from "@/server/contracts/cluster";
import type { WorkloadSnapshot } from "@/server/contracts/cluster-status";
import { addonEntry, compatibleVersions, supports } from "./addons";
import { desiredGroupSize } from "./placement";
import { removedBy, upgradeTargets, versionInfo } from "./versions";

export type { WorkloadSnapshot };

export interface Finding {
  /** Stable id: acknowledging blocking findings means sending their ids back. */
  id: string;
  severity: "blocking" | "warning" | "info";
  title: string;
  detail: string;
}

export interface ReadinessReport {
  from: string;
  to: string;
  kind: "patch" | "minor";
  findings: Finding[];
  highlights: string[];
  /** Nodes created or rebuilt, for the confirmation. */
  nodesToReplace: number;
}

const STALE_MS = 15 * 60_000;

/**
 * Everything that could make an upgrade hurt, found before it starts:
 * APIs the target removes that clients still call, disruption budgets that
 * would hold drains forever, quota for surge nodes, groups that would drop
 * below their minimum, an API server that goes away (single master).
 * Pure: reads the spec, the last workload snapshot and the quota snapshot.
 */
export function readinessReport(args: {
  spec: ClusterSpec;
  target: string;
  workload: WorkloadSnapshot | null;
  quota: Record<string, { limit: number; used: number }> | null;
  /** The cloud's flavors (vCPU and RAM as Nova states them), for the surge's quota. */
  flavors: ReadonlyArray<{ name: string; vcpus: number; ramMb: number }>;
  now?: Date;
}): ReadinessReport | null {
  const now = args.now ?? new Date();
  const { spec, target } = args;
  const t = upgradeTargets(spec.version, now).find((x) => x.version === target);
  if (!t) return null;
  const findings: Finding[] = [];
  const cur = versionInfo(spec.version, now);
  if (cur?.endOfLifeReached)
    findings.push({
      id: "eol",
      severity: "info",
      title: `Kubernetes ${cur.minor} reached end of life on ${cur.endOfLife}`,
      detail: "It no longer gets security fixes; this upgrade moves the cluster toward a supported version.",
    });
  if (t.endOfLifeReached)
    findings.push({
      id: "target-eol",
      severity: "warning",
      title: `${target} is itself past end of life`,
      detail: "Minors cannot be skipped, so this is a step; plan the next upgrade right after it.",
    });

  const w = args.workload;
  if (!w || now.getTime() - new Date(w.at).getTime() > STALE_MS) {
    findings.push({
      id: "workload-unknown",
      severity: "warning",
      title: "The cluster's workload could not be checked recently",
      detail:
        "The Kubernetes API did not answer the console in the last 15 minutes, so removed-API usage and disruption budgets are unknown.",
    });
  } else {
    if (t.kind === "minor")
      for (const d of w.deprecatedApis)
        if (removedBy(d.removedRelease, target))
          findings.push({
            id: `api:${d.group}/${d.version}/${d.resource}`,
            severity: "blocking",
            title: `${d.resource}.${d.group}/${d.version} is removed in ${d.removedRelease}`,
            detail: `Clients still call this API version. After the upgrade those calls fail with 404: move the manifests and controllers to a served version first.`,
          });
    for (const p of w.pdbs)
      if (p.expectedPods > 0 && p.disruptionsAllowed === 0)
        findings.push({
          id: `pdb:${p.namespace}/${p.name}`,
          severity: "blocking",
          title: `PodDisruptionBudget ${p.namespace}/${p.name} allows no disruption`,
          detail: `${p.desiredHealthy} of ${p.expectedPods} pods must stay healthy (${p.currentHealthy} are), so no node running them can be drained. Acknowledge to let the upgrade delete those pods when their node is drained (a short disruption of ${p.namespace}/${p.name}).`,
        });
  }

  // Surge nodes (rolling groups) need room in the quota while old and new nodes overlap.
  let surgeNodes = 0;
  let surgeCores = 0;
  let surgeRam = 0;
  let replaced = spec.masterCount;
  for (const g of spec.nodeGroups) {
    const size = desiredGroupSize(g, 0);
    replaced += size;
    const strat = g.upgrade;
    const f = args.flavors.find((x) => x.name === g.flavor);
    if (strat.mode === "rolling" && size > 0) {
      const n = Math.min(strat.maxSurge, size);
      surgeNodes = Math.max(surgeNodes, n);
      surgeCores = Math.max(surgeCores, n * (f?.vcpus ?? 0));
      surgeRam = Math.max(surgeRam, n * (f?.ramMb ?? 0));
    }
    if (g.scaling.mode === "autoscale" && size - strat.maxUnavailable < g.scaling.min)
      findings.push({
        id: `min:${g.name}`,
        severity: "blocking",
        title: `Node group ${g.name} would drop below its minimum of ${g.scaling.min}`,
        detail: `With maxUnavailable ${strat.maxUnavailable} it may have only ${size - strat.maxUnavailable} Ready nodes during the upgrade. Lower maxUnavailable or use a rolling upgrade with surge.`,
      });
  }
  if (surgeNodes > 0) {
    const q = args.quota;
    if (!q) {
      findings.push({
        id: "quota-unknown",
        severity: "warning",
        title: "Quota for surge nodes could not be checked",
        detail: `A rolling upgrade adds up to ${surgeNodes} node(s) at a time; the cloud's quotas have not been read yet.`,
      });
    } else {
      const short = (
        [
          ["instances", surgeNodes, "instances"],
          ["cores", surgeCores, "vCPUs"],
          ["ram", surgeRam, "MB of RAM"],
        ] as const
      ).filter(([k, need]) => {
        const v = q[k];
        return v && v.limit >= 0 && v.limit - v.used < need;
      });
      if (short.length)
        findings.push({
          id: "quota:surge",
          severity: "blocking",
          title: "Not enough quota for surge nodes",
          detail: `A rolling upgrade adds up to ${surgeNodes} node(s) at a time. Short of: ${short
            .map(([k, need, label]) => `${label} (needs ${need}, free ${q[k]!.limit - q[k]!.used})`)
            .join(", ")}. Raise the quota, lower maxSurge, or upgrade in place.`,
        });
    }
  }
  if (spec.masterCount === 1)
    findings.push({
      id: "single-master",
      severity: "warning",
      title: "The Kubernetes API is unavailable while the only master is rebuilt",
      detail:
        "Workloads keep running; kubectl and controllers pause for a few minutes. Clusters with 3 or 5 masters upgrade without API downtime.",
    });
  const blocked = addonsBlockingUpgrade(spec, target);
  for (const b of blocked)
    findings.push({
      id: `addon:${b.id}`,
      severity: "blocking",
      title: `${b.name} ${b.version} does not support Kubernetes ${minorOf(target)}`,
      detail: b.fix
        ? `Upgrade it to ${b.fix} on the Addons tab first; the cluster upgrade is refused until then.`
        : "No version of it supports the target yet; uninstall it or wait for a newer catalog.",
    });
  const fine = (spec.addons ?? []).filter((a) => !blocked.some((b) => b.id === a.id));
  findings.push({
    id: "addons",
    severity: "info",
    title: "Addons",
    detail: fine.length
      ? `Compatible with ${minorOf(target)}: ${fine.map((a) => `${addonEntry(a.id)?.name ?? a.id} ${a.version}`).join(", ")}.`
      : "No addons to check.",
  });
  return {
    from: spec.version,
    to: target,
    kind: t.kind,
    findings,
    highlights: t.highlights,
    nodesToReplace: replaced,
  };
}

const minorOf = (v: string) => v.split(".").slice(0, 2).join(".");

/** Installed addons whose version does not run on `target`, with the version to move to first. */
export function addonsBlockingUpgrade(
  spec: Pick<ClusterSpec, "addons" | "version">,
  target: string,
): Array<{ id: string; name: string; version: string; fix: string | null }> {
  const out: Array<{ id: string; name: string; version: string; fix: string | null }> = [];
  for (const a of spec.addons ?? []) {
    const entry = addonEntry(a.id);
    const v = entry?.versions.find((x) => x.version === a.version);
    if (!entry || !v || supports(v, target)) continue;
    // The addon is upgraded before the cluster, so its new version must run on both.
    const fix = compatibleVersions(entry, target).find((x) => supports(x, spec.version))?.version ?? null;
    out.push({ id: a.id, name: entry.name, version: a.version, fix });
  }
  return out;
}
