import { z } from "zod";
import type { ClusterSpec } from "@/server/contracts/cluster";
import type { MadeByCluster } from "@/server/contracts/cluster-status";
import prices from "./data/prices.json";
import { addonEntry, addonResources, checkValues } from "./addons";
import { desiredGroupSize } from "./placement";

const PriceList = z.object({
  currency: z.string(),
  hoursPerMonth: z.number().positive(),
  flavors: z.record(z.string(), z.number().nonnegative()),
  volumeTypesPerGbMonth: z.record(z.string(), z.number().nonnegative()),
  /** null: the cloud's price list does not say ("price not set"). */
  loadBalancerPerHour: z.number().nonnegative().nullable(),
  floatingIpPerHour: z.number().nonnegative().nullable(),
  masterRootDiskGb: z.number().int().positive(),
  /** The volume type of master root disks (the cloud's node disk type). */
  masterRootDiskType: z.string().nullable().default(null),
});
export type PriceList = z.infer<typeof PriceList>;
export const PRICES: PriceList = PriceList.parse(prices);

export interface CostLine {
  item: "masters" | "nodes" | "disks" | "loadBalancer" | "publicAddress" | "addons" | "madeByCluster";
  label: string;
  perHour: number;
  perMonth: number;
}

export interface CostEstimate {
  currency: string;
  lines: CostLine[];
  perHour: number;
  perMonth: number;
  /** What the estimate could not price (unknown flavor or volume type). */
  unpriced: string[];
  /** Autoscaling groups are priced at their minimum, with the maximum shown as a ceiling. */
  perMonthAtMax: number;
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Hourly and monthly cost of a cluster spec from a price list: masters and
 * worker nodes by flavor, etcd and node disks by volume type, the API load
 * balancer and, when public, its address. `stopped` prices a stopped
 * cluster (disks and addresses only). `made` adds what the cluster made
 * for itself (its Services' load balancers and addresses, its claims'
 * volumes), which cost the same running or stopped.
 */
export function estimateCost(
  spec: Pick<ClusterSpec, "masterCount" | "masterFlavor" | "etcd" | "nodeGroups" | "apiAccess"> & {
    addons?: ClusterSpec["addons"];
  },
  list: PriceList = PRICES,
  opts: {
    stopped?: boolean;
    made?: Pick<MadeByCluster, "loadBalancers" | "volumes" | "strayAddresses">;
  } = {},
): CostEstimate {
  const unpriced: string[] = [];
  const flavor = (name: string) => {
    const p = list.flavors[name];
    if (p === undefined) unpriced.push(`flavor ${name}`);
    return p ?? 0;
  };
  const gbMonth = (type: string) => {
    const p = list.volumeTypesPerGbMonth[type];
    if (p === undefined) unpriced.push(`volume type ${type}`);
    return p ?? 0;
  };
  const h = list.hoursPerMonth;
  const lbHour = () => {
    if (list.loadBalancerPerHour === null) unpriced.push("load balancer");
    return list.loadBalancerPerHour ?? 0;
  };
  const fipHour = () => {
    if (list.floatingIpPerHour === null) unpriced.push("floating IP");
    return list.floatingIpPerHour ?? 0;
  };
  const running = opts.stopped ? 0 : 1;
  const nodes = (atMax: boolean) =>
    spec.nodeGroups.reduce((sum, g) => {
      const n = atMax && g.scaling.mode === "autoscale" ? g.scaling.max : desiredGroupSize(g, 0);
      return sum + n * flavor(g.flavor);
    }, 0);
  const nodeCount = spec.nodeGroups.reduce((s, g) => s + desiredGroupSize(g, 0), 0);
  const nodeDisksMonth = spec.nodeGroups.reduce(
    (s, g) => s + desiredGroupSize(g, 0) * g.diskGb * gbMonth(g.diskType),
    0,
  );
  const disksMonth =
    spec.masterCount *
      (spec.etcd.sizeGb * gbMonth(spec.etcd.volumeType) +
        (list.masterRootDiskType ? list.masterRootDiskGb * gbMonth(list.masterRootDiskType) : 0)) +
    nodeDisksMonth;
  const lines: CostLine[] = [
    {
      item: "masters",
      label: `${spec.masterCount} × ${spec.masterFlavor}`,
      perHour: running * spec.masterCount * flavor(spec.masterFlavor),
      perMonth: 0,
    },
    {
      item: "nodes",
      label: `${nodeCount} worker node${nodeCount === 1 ? "" : "s"}`,
      perHour: running * nodes(false),
      perMonth: 0,
    },
    {
      item: "disks",
      label: `etcd ${spec.masterCount} × ${spec.etcd.sizeGb} GB ${spec.etcd.volumeType}, system and node disks`,
      perHour: disksMonth / h,
      perMonth: disksMonth,
    },
    {
      item: "loadBalancer",
      label: "API load balancer (active/standby)",
      perHour: lbHour(),
      perMonth: 0,
    },
  ];
  if (spec.apiAccess.public)
    lines.push({
      item: "publicAddress",
      label: "Public API address",
      perHour: fipHour(),
      perMonth: 0,
    });
  // Addons' load balancers, addresses and volumes (kept while the cluster is stopped, like the API's), as the
  // catalog says their charts will ask for them; once the cluster runs, what it really made (`made`) is priced.
  let addonHour = 0;
  let addonMonth = 0;
  const priced: string[] = [];
  for (const a of opts.made ? [] : (spec.addons ?? [])) {
    const entry = addonEntry(a.id);
    const values = entry ? checkValues(entry, a.values).value : null;
    if (!entry || !values) continue;
    const { loadBalancers, volumes } = addonResources(entry, values);
    for (const lb of loadBalancers) {
      addonHour += lbHour() + (lb.public ? fipHour() : 0);
      priced.push(`${entry.name} load balancer${lb.public ? " + address" : ""}`);
    }
    for (const v of volumes) {
      addonMonth += v.sizeGb * gbMonth(v.volumeType);
      priced.push(`${entry.name} ${v.sizeGb} GB volume`);
    }
  }
  if (priced.length)
    lines.push({
      item: "addons",
      label: priced.join(", "),
      perHour: addonHour + addonMonth / h,
      perMonth: addonHour * h + addonMonth,
    });
  const made = opts.made;
  if (made && made.loadBalancers.length + made.volumes.length + (made.strayAddresses?.length ?? 0) > 0) {
    const addresses =
      made.loadBalancers.filter((l) => l.floatingIp).length + (made.strayAddresses?.length ?? 0);
    const madeHour =
      (made.loadBalancers.length ? made.loadBalancers.length * lbHour() : 0) +
      (addresses ? addresses * fipHour() : 0);
    // A volume of no type is Cinder's default type: priced only when the price list names it "default".
    const madeMonth = made.volumes.reduce((sum, v) => sum + v.sizeGb * gbMonth(v.volumeType ?? "default"), 0);
    const gb = made.volumes.reduce((sum, v) => sum + v.sizeGb, 0);
    const stray = made.strayAddresses?.length ?? 0;
    const parts = [
      ...(stray && !made.loadBalancers.length ? [`${stray} address${stray === 1 ? "" : "es"}`] : []),
      ...(made.loadBalancers.length
        ? [
            `${made.loadBalancers.length} Service load balancer${made.loadBalancers.length === 1 ? "" : "s"}` +
              (addresses ? ` + ${addresses} address${addresses === 1 ? "" : "es"}` : ""),
          ]
        : []),
      ...(made.volumes.length
        ? [`${made.volumes.length} claim volume${made.volumes.length === 1 ? "" : "s"} (${gb} GB)`]
        : []),
    ];
    lines.push({
      item: "madeByCluster",
      label: `Made by the cluster: ${parts.join(", ")}`,
      perHour: madeHour + madeMonth / h,
      perMonth: madeHour * h + madeMonth,
    });
  }
  for (const l of lines)
    if (l.item !== "disks" && l.item !== "addons" && l.item !== "madeByCluster") l.perMonth = l.perHour * h;
  const perHour = lines.reduce((s, l) => s + l.perHour, 0);
  const perMonth = lines.reduce((s, l) => s + l.perMonth, 0);
  const extraAtMax = (nodes(true) - nodes(false)) * h * running;
  return {
    currency: list.currency,
    lines: lines.map((l) => ({
      ...l,
      perHour: round(l.perHour * 10_000) / 10_000,
      perMonth: round(l.perMonth),
    })),
    perHour: Math.round(perHour * 10_000) / 10_000,
    perMonth: round(perMonth),
    perMonthAtMax: round(perMonth + extraAtMax),
    unpriced: [...new Set(unpriced)],
  };
}
