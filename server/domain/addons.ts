import { stringify } from "yaml";
import { z } from "zod";
import catalog from "./data/addons.json";
import { checkYaml, type SchemaIssue } from "./schema-check";

/** A JSON pointer into an addon's values ("/controller/replicaCount"), or a literal. */
const Ref = <T extends z.ZodType>(literal: T) => z.union([z.string().startsWith("/"), literal]);

const LoadBalancerResource = z.object({
  kind: z.literal("loadBalancer"),
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  public: Ref(z.boolean()),
  proxyProtocol: Ref(z.boolean()),
  listeners: z.array(z.object({ port: z.number().int(), nodePort: Ref(z.number().int()) })).min(1),
});
const VolumeResource = z.object({
  kind: z.literal("volume"),
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  sizeGb: Ref(z.number().int()),
  volumeType: Ref(z.string()),
});

const AddonEntry = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  name: z.string(),
  category: z.string(),
  description: z.string(),
  namespace: z.string(),
  /** The Helm chart it installs: each version below is a version of this chart. */
  chart: z.object({ repo: z.url({ protocol: /^https$/ }), name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/) }),
  /** Where its images come from (`<imageRepo>/<workload>:v<appVersion>`). */
  imageRepo: z.string().optional(),
  removable: z.boolean(),
  provides: z.array(z.string()),
  requires: z.array(z.string()),
  versions: z
    .array(
      z.object({
        version: z.string().regex(/^\d+\.\d+\.\d+$/),
        appVersion: z.string(),
        kubernetes: z.object({ min: z.string().regex(/^1\.\d+$/), max: z.string().regex(/^1\.\d+$/) }),
      }),
    )
    .min(1),
  defaultValues: z.record(z.string(), z.unknown()),
  valuesSchema: z.record(z.string(), z.unknown()),
  resources: z.array(z.discriminatedUnion("kind", [LoadBalancerResource, VolumeResource])),
  /** Where the values name the ingress class this addon serves (two controllers must not share one). */
  ingressClass: z.string().startsWith("/").optional(),
  /** Where the values name the ingress class this addon publishes itself through. */
  ingressClassRef: z.string().startsWith("/").optional(),
  workloads: z.array(
    z.object({
      name: z.string(),
      replicas: Ref(z.number().int()),
      cpuMilli: Ref(z.number().int()),
      memoryMi: Ref(z.number().int()),
      enabledBy: z.string().startsWith("/").optional(),
    }),
  ),
});
export type AddonEntry = z.infer<typeof AddonEntry>;

/** The catalog, validated once at load. */
export const ADDONS: AddonEntry[] = z.object({ addons: z.array(AddonEntry) }).parse(catalog).addons;

export function addonEntry(id: string): AddonEntry | null {
  return ADDONS.find((a) => a.id === id) ?? null;
}

const minorOf = (v: string) => v.split(".").slice(0, 2).join(".");
const minorNum = (m: string) => Number(m.split(".")[1]);

/** Whether an addon version runs on a Kubernetes version. */
export function supports(v: AddonEntry["versions"][number], kubernetes: string): boolean {
  const m = minorNum(minorOf(kubernetes));
  return m >= minorNum(v.kubernetes.min) && m <= minorNum(v.kubernetes.max);
}

/** Versions of an addon that run on a Kubernetes version, newest first. */
export function compatibleVersions(entry: AddonEntry, kubernetes: string): AddonEntry["versions"] {
  return entry.versions.filter((v) => supports(v, kubernetes));
}

/** The newest version of an addon that runs on a Kubernetes version. */
export function defaultVersion(entry: AddonEntry, kubernetes: string): string | null {
  return compatibleVersions(entry, kubernetes)[0]?.version ?? null;
}

/** The default values as the editor starts with them. */
export function defaultValuesYaml(entry: AddonEntry): string {
  return stringify(entry.defaultValues, { indent: 2 });
}

/** Parse and check values YAML against the addon's schema (errors carry lines). */
const checked = new Map<string, ReturnType<typeof checkYaml<Record<string, unknown>>>>();

/**
 * Parse and check values YAML against the addon's schema (errors carry
 * lines). Remembered per addon and text: the reconciler, the cost estimate
 * and the spec checks ask about the same values on every pass and list.
 */
export function checkValues(entry: AddonEntry, text: string) {
  const key = `${entry.id}\n${text}`;
  let r = checked.get(key);
  if (!r) {
    r = checkYaml<Record<string, unknown>>(text, entry.valuesSchema);
    if (checked.size >= 500) checked.delete(checked.keys().next().value!);
    checked.set(key, r);
  }
  return r;
}

export function pointer(values: unknown, ref: string): unknown {
  let cur: unknown = values;
  for (const seg of ref.split("/").slice(1)) {
    if (!cur || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}
function resolve<T>(values: unknown, ref: string | T, fallback: T): T {
  if (typeof ref !== "string" || !ref.startsWith("/")) return ref as T;
  const v = pointer(values, ref);
  return v === undefined || v === null ? fallback : (v as T);
}

export interface AddonLoadBalancer {
  name: string;
  public: boolean;
  proxyProtocol: boolean;
  listeners: Array<{ port: number; nodePort: number }>;
}
export interface AddonVolume {
  name: string;
  sizeGb: number;
  volumeType: string;
}
export interface AddonWorkload {
  name: string;
  replicas: number;
  cpuMilli: number;
  memoryMi: number;
}

/** The cloud resources an addon needs with these values. */
export function addonResources(
  entry: AddonEntry,
  values: unknown,
): { loadBalancers: AddonLoadBalancer[]; volumes: AddonVolume[] } {
  const loadBalancers: AddonLoadBalancer[] = [];
  const volumes: AddonVolume[] = [];
  for (const r of entry.resources) {
    if (r.kind === "loadBalancer")
      loadBalancers.push({
        name: r.name,
        public: resolve(values, r.public, true),
        proxyProtocol: resolve(values, r.proxyProtocol, false),
        listeners: r.listeners.map((l) => ({ port: l.port, nodePort: resolve(values, l.nodePort, 0) })),
      });
    else
      volumes.push({
        name: r.name,
        sizeGb: resolve(values, r.sizeGb, 10),
        volumeType: resolve(values, r.volumeType, "ceph-ssd"),
      });
  }
  return { loadBalancers, volumes };
}

export interface AddonChoice {
  id: string;
  version: string;
  values: string;
}
export interface AddonIssue {
  /** Index in the list of addons, and the field ("id", "version", "values"). */
  index: number;
  field: "id" | "version" | "values";
  message: string;
  /** For values: the schema issues with their lines. */
  issues?: SchemaIssue[];
}

/**
 * Every rule a set of addons must satisfy on a Kubernetes version: known
 * addon and version, the version supports the cluster's Kubernetes, values
 * valid for the schema, what an addon requires is provided, system addons
 * present, and no two addons claiming the same NodePort or ingress class.
 */
export function checkAddons(addons: readonly AddonChoice[], kubernetes: string | null): AddonIssue[] {
  const out: AddonIssue[] = [];
  const seen = new Map<string, number>();
  const parsed: Array<{ entry: AddonEntry; values: Record<string, unknown>; index: number }> = [];
  addons.forEach((a, index) => {
    const entry = addonEntry(a.id);
    if (!entry) {
      out.push({
        index,
        field: "id",
        message: `Unknown addon '${a.id}'. Available: ${ADDONS.map((x) => x.id).join(", ")}`,
      });
      return;
    }
    if (seen.has(a.id)) {
      out.push({ index, field: "id", message: `${entry.name} is already in the list` });
      return;
    }
    seen.set(a.id, index);
    const v = entry.versions.find((x) => x.version === a.version);
    if (!v)
      out.push({
        index,
        field: "version",
        message: `${entry.name} ${a.version} is not in the catalog (has ${entry.versions.map((x) => x.version).join(", ")})`,
      });
    else if (kubernetes && !supports(v, kubernetes)) {
      const ok = compatibleVersions(entry, kubernetes).map((x) => x.version);
      out.push({
        index,
        field: "version",
        message: `${entry.name} ${a.version} supports Kubernetes ${v.kubernetes.min}–${v.kubernetes.max}, not ${minorOf(kubernetes)}${ok.length ? `; choose ${ok.join(" or ")}` : "; no version of it supports this Kubernetes yet"}`,
      });
    }
    const check = checkValues(entry, a.values);
    if (check.issues.length > 0) {
      const first = check.issues[0]!;
      out.push({
        index,
        field: "values",
        message: `${entry.name} values${first.line ? `, line ${first.line}` : ""}: ${first.message}`,
        issues: check.issues,
      });
    } else if (check.value) parsed.push({ entry, values: check.value, index });
  });

  // What an addon requires must be provided by another one.
  for (const p of parsed) {
    for (const need of p.entry.requires) {
      if (!parsed.some((q) => q !== p && q.entry.provides.includes(need)))
        out.push({
          index: p.index,
          field: "id",
          message: `${p.entry.name} needs an addon that provides ${need} (${ADDONS.filter((x) =>
            x.provides.includes(need),
          )
            .map((x) => x.name)
            .join(" or ")})`,
        });
    }
    if (p.entry.ingressClassRef) {
      const cls = pointer(p.values, p.entry.ingressClassRef);
      const served = parsed.filter(
        (q) => q.entry.ingressClass && pointer(q.values, q.entry.ingressClass) === cls,
      );
      if (served.length === 0 && parsed.some((q) => q.entry.ingressClass))
        out.push({
          index: p.index,
          field: "values",
          message: `${p.entry.name} is published through ingress class '${String(cls)}', which no installed ingress controller serves`,
        });
    }
  }
  // System addons stay.
  for (const e of ADDONS.filter((x) => !x.removable))
    if (!seen.has(e.id))
      out.push({
        index: addons.length,
        field: "id",
        message: `${e.name} is a system addon and cannot be removed`,
      });

  // Two controllers on the same NodePort or ingress class.
  const ports = new Map<number, string>();
  const classes = new Map<string, string>();
  for (const p of parsed) {
    const { loadBalancers } = addonResources(p.entry, p.values);
    const own = new Set<number>();
    for (const lb of loadBalancers)
      for (const l of lb.listeners) {
        const holder = ports.get(l.nodePort);
        if (own.has(l.nodePort))
          out.push({
            index: p.index,
            field: "values",
            message: `${p.entry.name} uses NodePort ${l.nodePort} twice`,
          });
        else if (holder)
          out.push({
            index: p.index,
            field: "values",
            message: `${p.entry.name} and ${holder} both use NodePort ${l.nodePort}: give one of them other node ports`,
          });
        else ports.set(l.nodePort, p.entry.name);
        own.add(l.nodePort);
      }
    if (p.entry.ingressClass) {
      const cls = String(pointer(p.values, p.entry.ingressClass));
      const holder = classes.get(cls);
      if (holder)
        out.push({
          index: p.index,
          field: "values",
          message: `${p.entry.name} and ${holder} both serve ingress class '${cls}': two ingress controllers need different classes`,
        });
      else classes.set(cls, p.entry.name);
    }
  }
  return out;
}

/** The addons a new cluster starts with: the system ones, at their newest compatible version. */
export function defaultAddons(kubernetes: string): AddonChoice[] {
  return ADDONS.filter((a) => !a.removable).map((a) => ({
    id: a.id,
    version: defaultVersion(a, kubernetes) ?? a.versions[0]!.version,
    values: defaultValuesYaml(a),
  }));
}
