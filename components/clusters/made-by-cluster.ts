import type { MadeByCluster } from "@/server/contracts/cluster-status";
import type { CostLine } from "@/server/domain/cost";

/**
 * What the cluster made for itself in the project (status.madeByCluster):
 * the Octavia load balancers its cloud controller made for Services of type
 * LoadBalancer and the Cinder volumes Cinder CSI made for
 * PersistentVolumeClaims, as the Overview tab and the delete dialog show them.
 */

export type MadeLoadBalancer = MadeByCluster["loadBalancers"][number];
export type MadeVolume = MadeByCluster["volumes"][number];
type Tone = "success" | "primary" | "warning" | "danger" | "neutral";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What the card has to show. */
export type MadeByClusterView =
  /** The worker has not looked yet (a new cluster, or a status from before it looked). */
  | { kind: "unknown" }
  /** Looked at `at`: nothing. */
  | { kind: "empty"; at: string }
  | {
      kind: "list";
      at: string;
      loadBalancers: MadeLoadBalancer[];
      volumes: MadeVolume[];
      /** The running cost's line for them; null when the cost has none. */
      price: { perMonth: number; currency: string } | null;
      /** What of them the price list cannot price ("load balancer", "volume type ceph-ssd"). */
      unpriced: string[];
    };

export function madeByClusterView(
  made: MadeByCluster | undefined,
  cost: { currency: string; lines: Pick<CostLine, "item" | "perMonth">[]; unpriced: string[] },
): MadeByClusterView {
  if (!made) return { kind: "unknown" };
  if (made.loadBalancers.length === 0 && made.volumes.length === 0) return { kind: "empty", at: made.at };
  const line = cost.lines.find((l) => l.item === "madeByCluster");
  // The cost's unpriced list is the whole cluster's: keep what these resources need.
  const needs = new Set<string>([
    ...(made.loadBalancers.length ? ["load balancer"] : []),
    ...(made.loadBalancers.some((l) => l.floatingIp) ? ["floating IP"] : []),
    ...made.volumes.map((v) => `volume type ${v.volumeType ?? "default"}`),
  ]);
  return {
    kind: "list",
    at: made.at,
    loadBalancers: ownedFirst(made.loadBalancers, (l) => l.service),
    volumes: ownedFirst(made.volumes, (v) => v.claim),
    price: line ? { perMonth: line.perMonth, currency: cost.currency } : null,
    unpriced: [...new Set(cost.unpriced)].filter((u) => needs.has(u)),
  };
}

/** By owner ("namespace/name"), then those of no known owner by their own name. */
function ownedFirst<T extends { name: string }>(
  xs: readonly T[],
  owner: (x: T) => { namespace: string; name: string } | null,
): T[] {
  return [...xs].sort((a, b) => {
    const oa = owner(a);
    const ob = owner(b);
    if (oa && ob) return qualified(oa).localeCompare(qualified(ob));
    if (oa || ob) return oa ? -1 : 1;
    return a.name.localeCompare(b.name);
  });
}

/** "namespace/name" of a Service or claim. */
export const qualified = (o: { namespace: string; name: string }) => `${o.namespace}/${o.name}`;

/** Where the Service is reached: its floating IP, or only the VIP on the cluster's network. */
export function lbAddress(lb: Pick<MadeLoadBalancer, "floatingIp" | "vipAddress">): {
  text: string;
  public: boolean;
} {
  return lb.floatingIp
    ? { text: lb.floatingIp, public: true }
    : { text: `VIP ${lb.vipAddress} (no public address)`, public: false };
}

/** Octavia's provisioning status: ACTIVE, PENDING_* (busy), ERROR. */
export function provisioningTone(s: string): Tone {
  if (s === "ACTIVE") return "success";
  if (s === "ERROR") return "danger";
  if (s.startsWith("PENDING_")) return "primary";
  return "warning";
}

/** Octavia's operating status: ONLINE, NO_MONITOR (up, no health monitor), DEGRADED, OFFLINE, ERROR. */
export function operatingTone(s: string): Tone {
  if (s === "ONLINE" || s === "NO_MONITOR") return "success";
  if (s === "DEGRADED") return "warning";
  if (s === "OFFLINE" || s === "ERROR") return "danger";
  return "neutral";
}

/** Cinder's volume status: in-use / available are fine, *ing is busy, error* is broken. */
export function volumeStatusTone(s: string): Tone {
  if (s === "in-use") return "success";
  if (s === "available") return "neutral";
  if (s.startsWith("error")) return "danger";
  if (s.endsWith("ing")) return "primary";
  return "warning";
}

/** What deleting the cluster does to what it made: the delete dialog's lines. */
export interface DeleteImpact {
  volumes: number;
  volumeGb: number;
  /** The keep checkbox's label; null when there are no volumes (no checkbox). */
  keepLabel: string | null;
  /** "2 Service load balancers and 1 public address"; null when there are none. */
  loadBalancers: string | null;
  /** "3 claim volumes (35 GB)"; null when there are none. */
  claimVolumes: string | null;
}

export function deleteImpact(
  made: Pick<MadeByCluster, "loadBalancers" | "volumes"> | undefined,
): DeleteImpact {
  const volumes = made?.volumes ?? [];
  const lbs = made?.loadBalancers ?? [];
  const volumeGb = volumes.reduce((s, v) => s + v.sizeGb, 0);
  const addresses = lbs.filter((l) => l.floatingIp).length;
  return {
    volumes: volumes.length,
    volumeGb,
    keepLabel:
      volumes.length === 0
        ? null
        : volumes.length === 1
          ? `Keep the volume made for a PersistentVolumeClaim (${volumeGb} GB)`
          : `Keep the ${volumes.length} volumes made for PersistentVolumeClaims (${volumeGb} GB)`,
    loadBalancers: lbs.length
      ? plural(lbs.length, "Service load balancer") +
        (addresses ? ` and ${plural(addresses, "public address", "public addresses")}` : "")
      : null,
    claimVolumes: volumes.length ? `${plural(volumes.length, "claim volume")} (${volumeGb} GB)` : null,
  };
}
