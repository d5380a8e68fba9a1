/**
 * The chart repositories an emulated cluster can fetch from: which chart
 * versions each repository publishes, and the Deployments a release of it
 * runs by default (named as each chart's templates name them, sized from
 * the values the chart reads). A test double of the Internet's chart
 * repositories: a version not listed here is "not found", as a repository
 * index without it answers. A release's Services and its workloads' claims
 * are objects the cluster's cloud controller and CSI act on. DaemonSets and
 * most workloads operators create later (Calico's calico-system) are not
 * modelled; Prometheus' StatefulSet pods are, as one Deployment per replica.
 */

type Values = Record<string, unknown>;
export interface ChartWorkload {
  name: string;
  replicas: number;
  cpuMilli: number;
  memoryMi: number;
  image: string;
  /** Runs on masters too (host network, control-plane tolerations): system charts installed before workers. */
  onMasters?: boolean;
  /** Claims its pod mounts, made with the release when it does not exist yet. */
  claims?: ChartClaim[];
}
/** A Service a release makes (a LoadBalancer one is the cloud controller's to serve). */
export interface ChartService {
  name: string;
  type: "ClusterIP" | "NodePort" | "LoadBalancer";
  annotations: Record<string, string>;
  ports: Array<{ name: string; port: number; nodePort?: number }>;
}
/** A claim a release's workload makes (a StatefulSet's volumeClaimTemplate): kept when the release goes, as Helm keeps it. */
export interface ChartClaim {
  name: string;
  storageClassName?: string;
  storage: string;
}
interface IndexedChart {
  versions: string[];
  workloads: (release: string, values: Values) => ChartWorkload[];
  services?: (release: string, values: Values) => ChartService[];
}

const at = (v: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Values)[k] : undefined), v);
const int = (v: unknown, fallback: number) => (typeof v === "number" && Number.isInteger(v) ? v : fallback);
const milli = (v: unknown, fallback: number) => {
  if (typeof v !== "string") return fallback;
  const m = /^(\d+)m$/.exec(v);
  return m ? Number(m[1]) : /^\d+$/.test(v) ? Number(v) * 1000 : fallback;
};
const mebi = (v: unknown, fallback: number) => {
  if (typeof v !== "string") return fallback;
  const m = /^(\d+)(Mi|Gi)$/.exec(v);
  return m ? Number(m[1]) * (m[2] === "Gi" ? 1024 : 1) : fallback;
};
const serviceType = (v: unknown): ChartService["type"] =>
  v === "ClusterIP" || v === "NodePort" ? v : "LoadBalancer";
const stringMap = (v: unknown): Record<string, string> =>
  v && typeof v === "object"
    ? Object.fromEntries(
        Object.entries(v as Values).filter((e): e is [string, string] => typeof e[1] === "string"),
      )
    : {};
const port = (name: string, p: number, nodePort: unknown) => ({
  name,
  port: p,
  ...(typeof nodePort === "number" ? { nodePort } : {}),
});

/** Helm's usual fullname: the release name when it already contains the chart's, else `<release>-<chart>`. */
const fullname = (release: string, chart: string, max = 63) =>
  (release.includes(chart) ? release : `${release}-${chart}`).slice(0, max).replace(/-+$/, "");

const REPOS: Record<string, Record<string, IndexedChart>> = {
  "https://docs.tigera.io/calico/charts": {
    "tigera-operator": {
      versions: ["v3.29.3", "v3.30.1", "v3.30.2", "v3.30.3", "v3.31.2", "v3.31.3"],
      workloads: () => [
        {
          name: "tigera-operator",
          replicas: 1,
          cpuMilli: 100,
          memoryMi: 128,
          image: "quay.io/tigera/operator",
          onMasters: true,
        },
      ],
    },
  },
  "https://helm.cilium.io": {
    cilium: {
      versions: ["1.16.6", "1.17.5", "1.17.6", "1.18.4", "1.18.5"],
      workloads: (_r, v) => [
        {
          name: "cilium-operator",
          replicas: int(at(v, "operator.replicas"), 2),
          cpuMilli: 100,
          memoryMi: 128,
          image: "quay.io/cilium/operator-generic",
          onMasters: true,
        },
      ],
    },
  },
  "https://kubernetes.github.io/cloud-provider-openstack": {
    // The cloud controller is a DaemonSet on the masters (not modelled).
    "openstack-cloud-controller-manager": { versions: ["2.34.1", "2.36.0", "2.36.4"], workloads: () => [] },
    "openstack-cinder-csi": {
      versions: ["2.34.0", "2.34.1", "2.35.0", "2.36.4"],
      workloads: () => [
        {
          name: "openstack-cinder-csi-controllerplugin",
          replicas: 1,
          cpuMilli: 100,
          memoryMi: 128,
          image: "registry.k8s.io/provider-os/cinder-csi-plugin",
        },
      ],
    },
  },
  "https://open-policy-agent.github.io/gatekeeper/charts": {
    gatekeeper: {
      versions: ["3.20.0", "3.20.1", "3.21.0", "3.21.1", "3.22.0", "3.23.0", "3.23.1"],
      workloads: (_r, v) => [
        {
          name: "gatekeeper-controller-manager",
          replicas: int(at(v, "replicas"), 3),
          cpuMilli: 100,
          memoryMi: 256,
          image: "openpolicyagent/gatekeeper",
        },
        {
          name: "gatekeeper-audit",
          replicas: 1,
          cpuMilli: 100,
          memoryMi: 256,
          image: "openpolicyagent/gatekeeper",
        },
      ],
    },
  },
  "https://kubernetes-sigs.github.io/metrics-server/": {
    "metrics-server": {
      versions: ["3.12.2", "3.13.0", "3.13.1"],
      workloads: (r, v) => [
        {
          name: fullname(r, "metrics-server"),
          replicas: int(at(v, "replicas"), 1),
          cpuMilli: 100,
          memoryMi: 200,
          image: "registry.k8s.io/metrics-server/metrics-server",
        },
      ],
    },
  },
  "https://kubernetes.github.io/ingress-nginx": {
    "ingress-nginx": {
      versions: ["4.12.0", "4.12.3", "4.12.7", "4.13.0", "4.13.3"],
      workloads: (r, v) => [
        {
          name: `${fullname(r, "ingress-nginx")}-controller`,
          replicas: int(at(v, "controller.replicaCount"), 1),
          cpuMilli: milli(at(v, "controller.resources.requests.cpu"), 100),
          memoryMi: mebi(at(v, "controller.resources.requests.memory"), 90),
          image: "registry.k8s.io/ingress-nginx/controller",
        },
      ],
      // The chart's controller Service: LoadBalancer unless the values say otherwise.
      services: (r, v) => [
        {
          name: `${fullname(r, "ingress-nginx")}-controller`,
          type: serviceType(at(v, "controller.service.type")),
          annotations: stringMap(at(v, "controller.service.annotations")),
          ports: [
            port("http", 80, at(v, "controller.service.nodePorts.http")),
            port("https", 443, at(v, "controller.service.nodePorts.https")),
          ],
        },
      ],
    },
  },
  "https://traefik.github.io/charts": {
    traefik: {
      versions: ["34.3.0", "35.2.0", "37.0.0", "37.1.2", "37.4.0"],
      workloads: (r, v) => [
        {
          name: fullname(r, "traefik"),
          replicas: int(at(v, "deployment.replicas"), 1),
          cpuMilli: 100,
          memoryMi: 100,
          image: "docker.io/library/traefik",
        },
      ],
      services: (r, v) => [
        {
          name: fullname(r, "traefik"),
          type: serviceType(at(v, "service.type")),
          annotations: stringMap(at(v, "service.annotations")),
          ports: [
            port("web", 80, at(v, "ports.web.nodePort")),
            port("websecure", 443, at(v, "ports.websecure.nodePort")),
          ],
        },
      ],
    },
  },
  "https://charts.jetstack.io": {
    "cert-manager": {
      versions: ["1.16.5", "1.17.2", "1.18.2", "1.19.1"],
      workloads: (r, v) => {
        const f = fullname(r, "cert-manager");
        return [
          {
            name: f,
            replicas: int(at(v, "replicaCount"), 1),
            cpuMilli: 50,
            memoryMi: 64,
            image: "quay.io/jetstack/cert-manager-controller",
          },
          {
            name: `${f}-webhook`,
            replicas: 1,
            cpuMilli: 20,
            memoryMi: 32,
            image: "quay.io/jetstack/cert-manager-webhook",
          },
          {
            name: `${f}-cainjector`,
            replicas: 1,
            cpuMilli: 20,
            memoryMi: 64,
            image: "quay.io/jetstack/cert-manager-cainjector",
          },
        ];
      },
    },
  },
  "https://prometheus-community.github.io/helm-charts": {
    "kube-prometheus-stack": {
      versions: ["70.4.2", "72.9.1", "75.9.0", "77.10.0", "77.12.0"],
      workloads: (r, v) => {
        const f = fullname(r, "kube-prometheus-stack", 26);
        return [
          {
            name: `${f}-operator`,
            replicas: 1,
            cpuMilli: 100,
            memoryMi: 128,
            image: "quay.io/prometheus-operator/prometheus-operator",
          },
          ...(at(v, "grafana.enabled") === false
            ? []
            : [
                {
                  name: `${r}-grafana`,
                  replicas: 1,
                  cpuMilli: 100,
                  memoryMi: 256,
                  image: "docker.io/grafana/grafana",
                },
              ]),
          // What the operator runs for the Prometheus resource: one pod per replica, each with its
          // volumeClaimTemplate's claim when storageSpec asks for one.
          ...Array.from({ length: int(at(v, "prometheus.prometheusSpec.replicas"), 1) }, (_, i) => {
            const set = `prometheus-${f}-prometheus`;
            const template = at(v, "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec");
            const storage = at(template, "resources.requests.storage");
            const className = at(template, "storageClassName");
            return {
              name: `${set}-${i}`,
              replicas: 1,
              cpuMilli: 200,
              memoryMi: 512,
              image: "quay.io/prometheus/prometheus",
              ...(typeof storage === "string"
                ? {
                    claims: [
                      {
                        name: `${set}-db-${set}-${i}`,
                        storage,
                        ...(typeof className === "string" ? { storageClassName: className } : {}),
                      },
                    ],
                  }
                : {}),
            };
          }),
          {
            name: `${r}-kube-state-metrics`,
            replicas: 1,
            cpuMilli: 50,
            memoryMi: 64,
            image: "registry.k8s.io/kube-state-metrics/kube-state-metrics",
          },
        ];
      },
    },
  },
  "https://helm.twun.io": {
    "docker-registry": {
      versions: ["1.10.1", "2.2.2", "2.3.0", "3.0.0"],
      workloads: (r, v) => [
        {
          name: fullname(r, "docker-registry"),
          replicas: int(at(v, "replicaCount"), 1),
          cpuMilli: 100,
          memoryMi: 256,
          image: "docker.io/library/registry",
        },
      ],
    },
  },
  "https://vmware-tanzu.github.io/helm-charts": {
    velero: {
      versions: ["7.2.1", "8.7.2", "9.1.2", "10.1.1", "11.4.0"],
      workloads: (r) => [
        {
          name: fullname(r, "velero"),
          replicas: 1,
          cpuMilli: 100,
          memoryMi: 128,
          image: "docker.io/velero/velero",
        },
      ],
    },
  },
};

/**
 * What `helm install` of this chart finds: its workloads, or the error
 * Helm prints (klipper-helm adds the repository under the release's name
 * and installs `<release>/<chart>`).
 */
export function fetchChart(
  release: string,
  repo: string,
  chart: string,
  version: string,
  values: Values,
): { workloads: ChartWorkload[]; services: ChartService[] } | { error: string } {
  const r = REPOS[repo] ?? REPOS[repo.replace(/\/$/, "")] ?? REPOS[`${repo}/`];
  if (!r)
    return {
      error: `Error: looks like "${repo}" is not a valid chart repository or cannot be reached: failed to fetch ${repo}/index.yaml : 404 Not Found`,
    };
  const c = r[chart];
  const shown = version.replace(/^v/, "");
  if (!c || !c.versions.includes(version))
    return {
      error: `Error: INSTALLATION FAILED: chart "${chart}" matching ${version} not found in ${release} index. (try 'helm repo update'): no chart version found for ${chart}-${shown}`,
    };
  return { workloads: c.workloads(release, values), services: c.services?.(release, values) ?? [] };
}

/** Whether a HelmChart installs Gatekeeper (its CRDs and webhook come with the chart). */
export const isGatekeeperChart = (repo: string, chart: string) =>
  chart === "gatekeeper" &&
  repo.replace(/\/$/, "") === "https://open-policy-agent.github.io/gatekeeper/charts";
