import { z } from "zod";
import type { ClusterSpec } from "@/server/contracts/cluster";
import { addonEntry, checkValues, supports } from "./addons";
import { chartValuesOf } from "./chart-values";
import system from "./data/system-charts.json";

/**
 * What runs inside a cluster, as Helm charts an in-cluster Helm controller
 * installs (one `HelmChart` object each, named after its release): the pod
 * network (Calico or Cilium, fixed at creation), the OpenStack cloud
 * controller manager and Cinder CSI (once the cluster's cloud credentials
 * are in `kube-system/cloud-config`), Gatekeeper when policies are on, and
 * the user's addons with the chart values their console values stand for.
 * Pure: the reconciler's addons phase applies these and reads their status.
 */

const minorNum = (v: string) => Number(v.split(".")[1]);
const KubeRange = z.object({ min: z.string().regex(/^1\.\d+$/), max: z.string().regex(/^1\.\d+$/) });

const SystemChart = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  name: z.string(),
  role: z.enum(["cni", "cloud-controller", "csi", "policy"]),
  cni: z.enum(["calico", "cilium"]).optional(),
  repo: z.url({ protocol: /^https$/ }),
  chart: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  namespace: z.string(),
  bootstrap: z.boolean(),
  versions: z.array(z.object({ version: z.string().min(1), kubernetes: KubeRange })).min(1),
});
export type SystemChart = z.infer<typeof SystemChart>;

const SystemCatalog = z.object({
  helmController: z.object({ image: z.string().regex(/:v\d/), jobImage: z.string().regex(/:v\d/) }),
  charts: z.array(SystemChart),
});
export const SYSTEM = SystemCatalog.parse(system);

/** The Secret (kube-system) the cloud controller and Cinder CSI read their `cloud.conf` from. */
export const CLOUD_CONFIG_SECRET = "cloud-config";
/**
 * Namespaces Gatekeeper's admission webhook skips (its --exempt-namespace list and the
 * admission.gatekeeper.sh/ignore label): what the pod network, the Helm controller and
 * kube-system need to start before Gatekeeper does.
 */
export const WEBHOOK_EXEMPT_NAMESPACES = [
  "kube-system",
  "helm-controller",
  "tigera-operator",
  "calico-system",
];
export const WEBHOOK_IGNORE_LABEL = "admission.gatekeeper.sh/ignore";

/** Where the console keeps its HelmChart objects (and where their install jobs run). */
export const HELMCHART_NAMESPACE = "kube-system";

export interface WantedChart {
  /** The HelmChart's name, which is also the Helm release's name. */
  name: string;
  /** What it is, in words for a status line. */
  title: string;
  kind: "system" | "addon";
  repo: string;
  chart: string;
  version: string;
  targetNamespace: string;
  /** Installed before pod networking exists: the job runs on a master with host networking. */
  bootstrap: boolean;
  values: Record<string, unknown>;
}

/** The newest version of a system chart offered for a Kubernetes version (catalog order: oldest first). */
export function systemChartVersion(c: SystemChart, kubernetes: string): string | null {
  const m = minorNum(kubernetes);
  const fits = c.versions.filter((v) => m >= minorNum(v.kubernetes.min) && m <= minorNum(v.kubernetes.max));
  return fits.at(-1)?.version ?? null;
}

export interface ChartContext {
  clusterId: string;
  /** The nodes' subnet, for charts that trust the load balancer's PROXY protocol from it. */
  nodeCidr: string | null;
  /** kube-system/cloud-config holds the cluster's application credential: the cloud charts may go in. */
  cloudConfig: boolean;
}

function systemChart(c: SystemChart, spec: ClusterSpec, values: Record<string, unknown>): WantedChart | null {
  const version = systemChartVersion(c, spec.version);
  if (!version) return null;
  return {
    name: c.id,
    title: c.name,
    kind: "system",
    repo: c.repo,
    chart: c.chart,
    version,
    targetNamespace: c.namespace,
    bootstrap: c.bootstrap,
    values,
  };
}

const byRole = (role: SystemChart["role"], cni?: string) =>
  SYSTEM.charts.filter((c) => c.role === role && (cni === undefined || c.cni === cni));

/** The charts a cluster with this spec runs, system ones first (each in its install order). */
export function wantedCharts(spec: ClusterSpec, ctx: ChartContext): WantedChart[] {
  const out: WantedChart[] = [];
  const push = (c: WantedChart | null) => {
    if (c) out.push(c);
  };
  const cni = spec.cni ?? "calico";
  for (const c of byRole("cni", cni))
    push(
      systemChart(
        c,
        spec,
        cni === "calico"
          ? {
              installation: {
                calicoNetwork: {
                  ipPools: [
                    {
                      cidr: spec.podCidr,
                      encapsulation: "VXLAN",
                      natOutgoing: "Enabled",
                      blockSize: 26,
                      nodeSelector: "all()",
                    },
                  ],
                },
              },
            }
          : {
              ipam: {
                mode: "cluster-pool",
                operator: { clusterPoolIPv4PodCIDRList: [spec.podCidr], clusterPoolIPv4MaskSize: 24 },
              },
            },
      ),
    );
  if (ctx.cloudConfig) {
    for (const c of byRole("cloud-controller"))
      push(
        systemChart(c, spec, {
          secret: { enabled: true, create: false, name: CLOUD_CONFIG_SECRET },
          // Part of every load balancer's name the controller makes (kube_service_<cluster>_<ns>_<svc>).
          cluster: { name: ctx.clusterId },
        }),
      );
    for (const c of byRole("csi"))
      push(
        systemChart(c, spec, {
          secret: { enabled: true, create: false, name: CLOUD_CONFIG_SECRET, filename: "cloud.conf" },
          // The console makes one StorageClass per volume type itself.
          storageClass: { enabled: false },
          clusterID: ctx.clusterId,
        }),
      );
  }
  if (spec.policies?.gatekeeper)
    for (const c of byRole("policy"))
      push(
        systemChart(c, spec, {
          replicas: 2,
          auditInterval: 60,
          constraintViolationsLimit: 20,
          // Fail closed: while its webhook is down (a cluster starting again) no pod skips a deny constraint…
          validatingWebhookFailurePolicy: "Fail",
          // …except in the platform's namespaces (labelled admission.gatekeeper.sh/ignore), so it can start.
          controllerManager: { exemptNamespaces: [...WEBHOOK_EXEMPT_NAMESPACES] },
        }),
      );
  for (const a of spec.addons ?? []) {
    const entry = addonEntry(a.id);
    const v = entry?.versions.find((x) => x.version === a.version);
    const values = entry ? checkValues(entry, a.values).value : null;
    // Unknown, unsupported or invalid choices were refused at the API; a catalog change may orphan one.
    if (!entry || !v || !values || !supports(v, spec.version)) continue;
    out.push({
      name: a.id,
      title: entry.name,
      kind: "addon",
      repo: entry.chart.repo,
      chart: entry.chart.name,
      version: a.version,
      targetNamespace: entry.namespace,
      bootstrap: false,
      values: chartValuesOf(a.id, values, ctx),
    });
  }
  return out;
}
