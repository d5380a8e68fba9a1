import { createHash, X509Certificate } from "node:crypto";
import { z } from "zod";

/**
 * kubeadm's configuration documents (kubeadm.k8s.io/v1beta4, kubeadm 1.31
 * and later) and the kubelet's (kubelet.config.k8s.io/v1beta1), as typed
 * objects. Written from the kubeadm v1beta4 API reference: only the fields
 * the console sets, each with the reference's type (v1beta4's extraArgs and
 * kubeletExtraArgs are lists of {name, value}, not maps). Strict: a field
 * kubeadm would not know fails here, not on a VM. The emulator reads the
 * same documents back to decide whether a node would join.
 */

export const KUBEADM_API = "kubeadm.k8s.io/v1beta4";
export const KUBELET_API = "kubelet.config.k8s.io/v1beta1";

const Arg = z
  .object({ name: z.string().min(1).regex(/^[^-]/, "flag names go without dashes"), value: z.string() })
  .strict();
const Taint = z
  .object({
    key: z.string().min(1),
    value: z.string().optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
  })
  .strict();
/** A duration as kubeadm parses it (Go's time.ParseDuration subset the console writes). */
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const Duration = z.string().regex(DURATION, "a Go duration such as 24h0m0s");

export const NodeRegistration = z
  .object({
    name: z.string().min(1),
    criSocket: z.string().startsWith("unix://"),
    /** Unset gives a control-plane node kubeadm's control-plane taint; [] means none. */
    taints: z.array(Taint).optional(),
    kubeletExtraArgs: z.array(Arg).optional(),
    ignorePreflightErrors: z.array(z.string()).optional(),
  })
  .strict();
export type NodeRegistration = z.infer<typeof NodeRegistration>;

export const BOOTSTRAP_TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const APIEndpoint = z
  .object({
    advertiseAddress: z.string().optional(),
    bindPort: z.number().int().min(1).max(65535).optional(),
  })
  .strict();

export const InitConfiguration = z
  .object({
    apiVersion: z.literal(KUBEADM_API),
    kind: z.literal("InitConfiguration"),
    bootstrapTokens: z
      .array(
        z
          .object({
            token: z.string().regex(BOOTSTRAP_TOKEN),
            description: z.string().optional(),
            ttl: Duration.optional(),
            usages: z.array(z.enum(["signing", "authentication"])).optional(),
            groups: z.array(z.string().startsWith("system:bootstrappers:")).optional(),
          })
          .strict(),
      )
      .optional(),
    nodeRegistration: NodeRegistration,
    localAPIEndpoint: APIEndpoint.optional(),
    skipPhases: z.array(z.string()).optional(),
  })
  .strict();
export type InitConfiguration = z.infer<typeof InitConfiguration>;

const ControlPlaneComponent = z.object({ extraArgs: z.array(Arg).optional() }).strict();
export const ClusterConfiguration = z
  .object({
    apiVersion: z.literal(KUBEADM_API),
    kind: z.literal("ClusterConfiguration"),
    clusterName: z.string().min(1),
    kubernetesVersion: z.string().regex(/^v\d+\.\d+\.\d+$/),
    controlPlaneEndpoint: z.string().regex(/^[^:\s]+(:\d+)?$/),
    certificatesDir: z.string().startsWith("/").optional(),
    imageRepository: z.string().optional(),
    encryptionAlgorithm: z.enum(["RSA-2048", "RSA-3072", "RSA-4096", "ECDSA-P256", "ECDSA-P384"]).optional(),
    networking: z
      .object({
        podSubnet: z.string().optional(),
        serviceSubnet: z.string().optional(),
        dnsDomain: z.string().optional(),
      })
      .strict(),
    etcd: z
      .object({
        local: z
          .object({
            dataDir: z.string().startsWith("/"),
            extraArgs: z.array(Arg).optional(),
            serverCertSANs: z.array(z.string()).optional(),
            peerCertSANs: z.array(z.string()).optional(),
          })
          .strict(),
      })
      .strict(),
    apiServer: z
      .object({ certSANs: z.array(z.string().min(1)).optional(), extraArgs: z.array(Arg).optional() })
      .strict(),
    controllerManager: ControlPlaneComponent.optional(),
    scheduler: ControlPlaneComponent.optional(),
  })
  .strict();
export type ClusterConfiguration = z.infer<typeof ClusterConfiguration>;

export const JoinConfiguration = z
  .object({
    apiVersion: z.literal(KUBEADM_API),
    kind: z.literal("JoinConfiguration"),
    nodeRegistration: NodeRegistration,
    caCertPath: z.string().startsWith("/").optional(),
    discovery: z
      .object({
        bootstrapToken: z
          .object({
            token: z.string().regex(BOOTSTRAP_TOKEN),
            apiServerEndpoint: z.string().regex(/^[^:\s]+:\d+$/),
            caCertHashes: z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/)).min(1),
          })
          .strict(),
      })
      .strict(),
    controlPlane: z.object({ localAPIEndpoint: APIEndpoint.optional() }).strict().optional(),
    timeouts: z
      .object({ discovery: Duration.optional(), tlsBootstrap: Duration.optional() })
      .strict()
      .optional(),
  })
  .strict();
export type JoinConfiguration = z.infer<typeof JoinConfiguration>;

export const KubeletConfiguration = z
  .object({
    apiVersion: z.literal(KUBELET_API),
    kind: z.literal("KubeletConfiguration"),
    cgroupDriver: z.enum(["systemd", "cgroupfs"]),
    rotateCertificates: z.boolean().optional(),
    serverTLSBootstrap: z.boolean().optional(),
  })
  .strict();
export type KubeletConfiguration = z.infer<typeof KubeletConfiguration>;

export const KubeadmDocument = z.discriminatedUnion("kind", [
  InitConfiguration,
  ClusterConfiguration,
  JoinConfiguration,
  KubeletConfiguration,
]);
export type KubeadmDocument = z.infer<typeof KubeadmDocument>;

/** containerd's socket on the images the console supports (image-builder and the stock-image install). */
export const CRI_SOCKET = "unix:///var/run/containerd/containerd.sock";
/** kubeadm's default group for node bootstrap tokens. */
export const NODE_TOKEN_GROUP = "system:bootstrappers:kubeadm:default-node-token";

/** `sha256:<hex>` of the CA certificate's SubjectPublicKeyInfo (DER): what caCertHashes pins. */
export function caCertHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(spki).digest("hex")}`;
}

/** A Go duration for `ms` (whole seconds), as kubeadm writes it. */
export function goDuration(ms: number): string {
  const s = Math.max(1, Math.floor(ms / 1000));
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m${s % 60}s`;
}

/** A duration kubeadm reads (`24h0m0s`, `30m`) in ms; `fallbackMs` when unset or not one. */
export function goDurationMs(d: string | undefined, fallbackMs: number): number {
  const m = d ? DURATION.exec(d) : null;
  return m ? ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000 : fallbackMs;
}

/** "a=b,c=d" for the kubelet's --node-labels, sorted; keys and values are validated label syntax upstream. */
export function nodeLabelsArg(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}
