import type { ChartContext } from "./charts";
import { storageClassName } from "./storage-classes";

/**
 * The chart values an addon's console values stand for. The console's
 * values (checked against the catalog's JSON Schema) keep the few choices a
 * user makes in the wizard; each chart gets them under its own keys, as its
 * values.yaml names them. Ingress controllers are LoadBalancer Services the
 * cluster's OpenStack cloud controller gives an Octavia load balancer (its
 * annotations ask for the PROXY protocol, and for no floating IP when the
 * user wants it private), with PROXY protocol trusted from the nodes'
 * subnet (where the amphorae's member traffic comes from). Prometheus keeps
 * its data on a claim of the chosen volume type's StorageClass.
 */

type Values = Record<string, unknown>;

const num = (v: unknown, fallback: number) => (typeof v === "number" ? v : fallback);
const str = (v: unknown, fallback: string) => (typeof v === "string" ? v : fallback);
const bool = (v: unknown, fallback: boolean) => (typeof v === "boolean" ? v : fallback);
const obj = (v: unknown): Values => (v && typeof v === "object" ? (v as Values) : {});

/** The cloud controller's annotations for an ingress controller's Service (cloud-provider-openstack's names). */
export const PROXY_PROTOCOL_ANNOTATION = "loadbalancer.openstack.org/proxy-protocol";
export const INTERNAL_LB_ANNOTATION = "service.beta.kubernetes.io/openstack-internal-load-balancer";
const lbAnnotations = (proxy: boolean, isPublic: boolean) => ({
  [PROXY_PROTOCOL_ANNOTATION]: String(proxy),
  [INTERNAL_LB_ANNOTATION]: String(!isPublic),
});

const MAPPERS: Record<string, (v: Values, ctx: ChartContext) => Values> = {
  "ingress-nginx": (v, ctx) => {
    const c = obj(v.controller);
    const svc = obj(c.service);
    const ports = obj(svc.nodePorts);
    const res = obj(c.resources);
    const proxy = bool(c.proxyProtocol, false);
    const cls = str(c.ingressClass, "nginx");
    return {
      controller: {
        replicaCount: num(c.replicaCount, 2),
        ingressClass: cls,
        ingressClassResource: { name: cls, enabled: true, default: false },
        config: {
          "use-proxy-protocol": String(proxy),
          ...(proxy && ctx.nodeCidr ? { "proxy-real-ip-cidr": ctx.nodeCidr } : {}),
        },
        service: {
          type: "LoadBalancer",
          annotations: lbAnnotations(proxy, bool(svc.public, true)),
          nodePorts: { http: num(ports.http, 30080), https: num(ports.https, 30443) },
        },
        resources: {
          requests: { cpu: `${num(res.cpuMilli, 100)}m`, memory: `${num(res.memoryMi, 128)}Mi` },
        },
      },
    };
  },
  traefik: (v, ctx) => {
    const svc = obj(v.service);
    const ports = obj(svc.nodePorts);
    const proxy = bool(v.proxyProtocol, false);
    const trusted = proxy && ctx.nodeCidr ? { proxyProtocol: { trustedIPs: [ctx.nodeCidr] } } : {};
    return {
      deployment: { replicas: num(v.replicas, 1) },
      ingressClass: { enabled: true, isDefaultClass: false, name: str(v.ingressClass, "traefik") },
      service: { type: "LoadBalancer", annotations: lbAnnotations(proxy, bool(svc.public, true)) },
      ports: {
        web: { nodePort: num(ports.web, 30080), ...trusted },
        websecure: { nodePort: num(ports.websecure, 30443), ...trusted },
      },
    };
  },
  "cert-manager": (v) => ({
    replicaCount: num(v.replicaCount, 1),
    crds: { enabled: true },
    prometheus: { enabled: bool(obj(v.prometheus).enabled, false) },
  }),
  "kube-prometheus-stack": (v) => {
    const p = obj(v.prometheus);
    const g = obj(v.grafana);
    return {
      prometheus: {
        prometheusSpec: {
          retention: str(p.retention, "15d"),
          replicas: num(p.replicas, 1),
          // Each replica's data on its own Cinder volume, made by Cinder CSI for the claim.
          storageSpec: {
            volumeClaimTemplate: {
              spec: {
                storageClassName: storageClassName(str(p.volumeType, "ceph-ssd")),
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: `${num(p.storageGb, 50)}Gi` } },
              },
            },
          },
        },
      },
      grafana: {
        enabled: bool(g.enabled, true),
        admin: { existingSecret: str(g.adminPasswordSecret, "grafana-admin") },
      },
      alertmanager: { enabled: bool(obj(v.alertmanager).enabled, true) },
    };
  },
  "docker-registry": (v) => {
    const s3 = obj(v.s3);
    return {
      replicaCount: num(v.replicaCount, 1),
      ingress: {
        enabled: true,
        className: str(v.ingressClass, "nginx"),
        hosts: [str(v.host, "registry.example.com")],
      },
      storage: "s3",
      s3: {
        region: str(s3.region, ""),
        regionEndpoint: str(s3.endpoint, ""),
        bucket: str(s3.bucket, ""),
      },
      secrets: { s3: { secretRef: str(s3.credentialsSecret, "") } },
    };
  },
  velero: (v) => {
    const s3 = obj(v.s3);
    return {
      credentials: { useSecret: true, existingSecret: str(s3.credentialsSecret, "") },
      configuration: {
        backupStorageLocation: [
          {
            name: "default",
            provider: "aws",
            bucket: str(s3.bucket, ""),
            config: { region: str(s3.region, ""), s3Url: str(s3.endpoint, ""), s3ForcePathStyle: "true" },
          },
        ],
      },
      snapshotsEnabled: bool(v.snapshotVolumes, true),
      schedules: {
        daily: {
          schedule: str(v.schedule, "0 3 * * *"),
          template: { ttl: `${num(v.ttlHours, 720)}h0m0s`, snapshotVolumes: bool(v.snapshotVolumes, true) },
        },
      },
    };
  },
  "metrics-server": (v) => ({
    replicas: num(v.replicas, 1),
    args: [`--metric-resolution=${str(v.metricResolution, "15s")}`, "--kubelet-insecure-tls"],
  }),
};

/** The chart values for an addon's checked console values. */
export function chartValuesOf(addonId: string, values: Values, ctx: ChartContext): Values {
  const m = MAPPERS[addonId];
  if (!m) throw new Error(`No chart values are defined for addon ${addonId}`);
  return m(values, ctx);
}

/** Addons whose console values have a chart mapping (a catalog entry without one fails its test). */
export const MAPPED_ADDONS = Object.keys(MAPPERS);
