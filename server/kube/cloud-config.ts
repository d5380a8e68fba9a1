import { parseAllDocuments, stringify } from "yaml";
import {
  CLUSTER_ID_LABEL,
  ETCD_DATA_DIR,
  ETCD_DISK_SCRIPT,
  ETCD_MOUNT,
  KUBEADM_CONFIG_PATH,
  NODE_GROUP_LABEL,
  NODE_ROLE_LABEL,
  PKI_FILES,
  volumeSerial,
} from "@/server/contracts/node-config";
import {
  CRI_SOCKET,
  KUBEADM_API,
  KUBELET_API,
  NODE_TOKEN_GROUP,
  caCertHash,
  goDuration,
  nodeLabelsArg,
  KubeadmDocument,
  type NodeRegistration,
} from "@/server/contracts/kubeadm";
import type { KeyPairPem } from "./pki";

/**
 * Nova user data for a node: a `#cloud-config` whose `write_files` place
 * kubeadm's config (and, on masters, the cluster's CAs and service-account
 * keys where kubeadm looks for pre-placed certificates) and whose `runcmd`
 * runs `kubeadm init` (the first master of a new cluster) or `kubeadm join`
 * (every other node). Workers get no private key: a bootstrap token and the
 * CA's public-key hash only. The image must carry containerd, kubelet and
 * kubeadm of the cluster's exact version (README: the image contract).
 */

/** What a control-plane node needs pre-placed: kubeadm signs everything else from these. */
export interface ControlPlaneMaterial {
  ca: KeyPairPem;
  etcdCa: KeyPairPem;
  frontProxyCa: KeyPairPem;
  serviceAccount: { publicKeyPem: string; keyPem: string };
}

export interface BootstrapToken {
  id: string;
  secret: string;
  expiresAt: Date;
}

interface NodeBase {
  cluster: { id: string; name: string };
  /** Kubernetes version, without the v (from the spec). */
  version: string;
  /** The API load balancer's VIP and port, which every node reaches. */
  endpoint: { host: string; port: number };
  caCertPem: string;
  token: BootstrapToken;
  nodeName: string;
  now: Date;
}

export interface MasterInput extends NodeBase {
  /** init: the first master of a cluster never initialized; join: every other control-plane node. */
  mode: "init" | "join";
  /** init over an etcd volume that already holds the cluster's data (a rebuilt single master). */
  reinit?: boolean;
  advertiseAddress: string | undefined;
  certSANs: string[];
  podCidr: string;
  serviceCidr: string;
  etcdVolumeId: string;
  material: ControlPlaneMaterial;
}

export interface WorkerInput extends NodeBase {
  group: string;
  labels: Record<string, string>;
  taints: Array<{ key: string; value: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }>;
}

/** How long a joining node keeps retrying discovery: workers boot beside the first master and wait for its API. */
const DISCOVERY_TIMEOUT = "30m0s";

/**
 * Labels the kubelet may set on its own Node (the NodeRestriction admission
 * plugin refuses any other key in the kubernetes.io and k8s.io namespaces,
 * and the kubelet then does not start).
 */
export function kubeletMaySetLabel(key: string): boolean {
  const slash = key.indexOf("/");
  if (slash < 0) return true;
  const prefix = key.slice(0, slash);
  const restricted =
    prefix === "kubernetes.io" ||
    prefix.endsWith(".kubernetes.io") ||
    prefix === "k8s.io" ||
    prefix.endsWith(".k8s.io");
  if (!restricted) return true;
  if (prefix === "kubelet.kubernetes.io" || prefix === "node.kubernetes.io") return true;
  return [
    "kubernetes.io/arch",
    "kubernetes.io/hostname",
    "kubernetes.io/os",
    "beta.kubernetes.io/arch",
    "beta.kubernetes.io/os",
    "beta.kubernetes.io/instance-type",
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
  ].includes(key);
}

function kubeletArgs(labels: Record<string, string>) {
  const allowed = Object.fromEntries(Object.entries(labels).filter(([k]) => kubeletMaySetLabel(k)));
  return [
    // The OpenStack cloud controller manager initializes the node (addresses, zone, provider id).
    { name: "cloud-provider", value: "external" },
    { name: "node-labels", value: nodeLabelsArg(allowed) },
  ];
}

const kubeletConfiguration: KubeadmDocument = {
  apiVersion: KUBELET_API,
  kind: "KubeletConfiguration",
  cgroupDriver: "systemd",
  rotateCertificates: true,
};

function discovery(n: NodeBase) {
  return {
    bootstrapToken: {
      token: `${n.token.id}.${n.token.secret}`,
      apiServerEndpoint: `${n.endpoint.host}:${n.endpoint.port}`,
      caCertHashes: [caCertHash(n.caCertPem)],
    },
  };
}

/** The etcd volume's mount script: waits for the attachment, formats only a blank volume, mounts by UUID. */
const ETCD_DISK_SH = `#!/bin/sh
# Mounts the cluster's etcd volume (Cinder) before kubeadm runs.
# Usage: kc-etcd-disk <first 20 characters of the volume id> <mount point>
set -eu
serial="$1"; mnt="$2"; waited=0; dev=""
while :; do
  for c in "/dev/disk/by-id/virtio-$serial" "/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_$serial"; do
    if [ -e "$c" ]; then dev=$(readlink -f "$c"); break; fi
  done
  [ -n "$dev" ] && break
  if [ "$waited" -ge 900 ]; then echo "kc-etcd-disk: volume $serial is not attached after 900 s" >&2; exit 1; fi
  sleep 3; waited=$((waited + 3))
done
blkid "$dev" >/dev/null 2>&1 || mkfs.ext4 -q -L etcd "$dev"
uuid=$(blkid -s UUID -o value "$dev")
mkdir -p "$mnt"
grep -q "UUID=$uuid " /etc/fstab || echo "UUID=$uuid $mnt ext4 defaults,nofail 0 2" >> /etc/fstab
mountpoint -q "$mnt" || mount "$mnt"
chmod 0700 "$mnt"
`;

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
  owner: string;
}
const file = (path: string, content: string, permissions = "0600"): WriteFile => ({
  path,
  content,
  permissions,
  owner: "root:root",
});

function cloudConfig(files: WriteFile[], runcmd: Array<string | string[]>): string {
  // `set -e` first: cloud-init runs runcmd as one shell script, and kubeadm must not run after a failed step.
  return `#cloud-config\n${stringify({ write_files: files, runcmd: ["set -e", ...runcmd] }, { lineWidth: 0 })}`;
}

export function masterCloudConfig(m: MasterInput): string {
  const registration: NodeRegistration = {
    name: m.nodeName,
    criSocket: CRI_SOCKET,
    // Unset: kubeadm's control-plane NoSchedule taint.
    kubeletExtraArgs: kubeletArgs({ [CLUSTER_ID_LABEL]: m.cluster.id, [NODE_ROLE_LABEL]: "master" }),
    // Re-initializing over the cluster's own etcd data: the data dir is not empty, on purpose.
    ...(m.reinit ? { ignorePreflightErrors: [`DirAvailable-${ETCD_DATA_DIR.replaceAll("/", "-")}`] } : {}),
  };
  const local = m.advertiseAddress
    ? { advertiseAddress: m.advertiseAddress, bindPort: 6443 }
    : { bindPort: 6443 };
  const cluster: KubeadmDocument = {
    apiVersion: KUBEADM_API,
    kind: "ClusterConfiguration",
    clusterName: m.cluster.name,
    kubernetesVersion: `v${m.version}`,
    controlPlaneEndpoint: `${m.endpoint.host}:${m.endpoint.port}`,
    encryptionAlgorithm: "ECDSA-P256",
    networking: { podSubnet: m.podCidr, serviceSubnet: m.serviceCidr, dnsDomain: "cluster.local" },
    etcd: { local: { dataDir: ETCD_DATA_DIR } },
    apiServer: { certSANs: m.certSANs },
    controllerManager: { extraArgs: [{ name: "cloud-provider", value: "external" }] },
  };
  const docs: KubeadmDocument[] =
    m.mode === "init"
      ? [
          {
            apiVersion: KUBEADM_API,
            kind: "InitConfiguration",
            bootstrapTokens: [
              {
                token: `${m.token.id}.${m.token.secret}`,
                description: `kube-console: nodes of ${m.cluster.name}`,
                ttl: goDuration(m.token.expiresAt.getTime() - m.now.getTime()),
                usages: ["signing", "authentication"],
                groups: [NODE_TOKEN_GROUP],
              },
            ],
            nodeRegistration: registration,
            localAPIEndpoint: local,
          },
          cluster,
          kubeletConfiguration,
        ]
      : [
          {
            apiVersion: KUBEADM_API,
            kind: "JoinConfiguration",
            nodeRegistration: registration,
            discovery: discovery(m),
            controlPlane: { localAPIEndpoint: local },
            timeouts: { discovery: DISCOVERY_TIMEOUT },
          },
          // join reads ClusterConfiguration and KubeletConfiguration from the cluster (kubeadm-config,
          // kubelet-config ConfigMaps) and ignores them in the file: not sent.
        ];
  const { material: p } = m;
  const files = [
    file(PKI_FILES.caCert, p.ca.certPem, "0644"),
    file(PKI_FILES.caKey, p.ca.keyPem),
    file(PKI_FILES.etcdCaCert, p.etcdCa.certPem, "0644"),
    file(PKI_FILES.etcdCaKey, p.etcdCa.keyPem),
    file(PKI_FILES.frontProxyCaCert, p.frontProxyCa.certPem, "0644"),
    file(PKI_FILES.frontProxyCaKey, p.frontProxyCa.keyPem),
    file(PKI_FILES.saKey, p.serviceAccount.keyPem),
    file(PKI_FILES.saPub, p.serviceAccount.publicKeyPem, "0644"),
    file(KUBEADM_CONFIG_PATH, renderKubeadmConfig(docs)),
    file(ETCD_DISK_SCRIPT, ETCD_DISK_SH, "0700"),
  ];
  return cloudConfig(files, [
    [ETCD_DISK_SCRIPT, volumeSerial(m.etcdVolumeId), ETCD_MOUNT],
    ["kubeadm", m.mode, "--config", KUBEADM_CONFIG_PATH],
  ]);
}

export function workerCloudConfig(w: WorkerInput): string {
  const labels = {
    ...w.labels,
    [CLUSTER_ID_LABEL]: w.cluster.id,
    [NODE_ROLE_LABEL]: "worker",
    [NODE_GROUP_LABEL]: w.group,
  };
  const docs: KubeadmDocument[] = [
    {
      apiVersion: KUBEADM_API,
      kind: "JoinConfiguration",
      nodeRegistration: {
        name: w.nodeName,
        criSocket: CRI_SOCKET,
        taints: w.taints.map((t) => ({
          key: t.key,
          ...(t.value ? { value: t.value } : {}),
          effect: t.effect,
        })),
        kubeletExtraArgs: kubeletArgs(labels),
      },
      discovery: discovery(w),
      timeouts: { discovery: DISCOVERY_TIMEOUT },
    },
  ];
  return cloudConfig(
    [file(KUBEADM_CONFIG_PATH, renderKubeadmConfig(docs))],
    [["kubeadm", "join", "--config", KUBEADM_CONFIG_PATH]],
  );
}

/** Several documents in one file, `---` between them, each checked against its schema first. */
export function renderKubeadmConfig(docs: KubeadmDocument[]): string {
  return docs.map((d) => stringify(KubeadmDocument.parse(d), { lineWidth: 0 })).join("---\n");
}

/** The documents of a kubeadm config file; throws naming the first document that is not valid. */
export function parseKubeadmConfig(text: string): KubeadmDocument[] {
  return parseAllDocuments(text).map((doc, i) => {
    if (doc.errors.length) throw new Error(`document ${i + 1}: ${doc.errors[0]!.message}`);
    const r = KubeadmDocument.safeParse(doc.toJS());
    if (!r.success)
      throw new Error(
        `document ${i + 1}: ${r.error.issues.map((e) => `${e.path.join(".") || "(root)"}: ${e.message}`).join("; ")}`,
      );
    return r.data;
  });
}
