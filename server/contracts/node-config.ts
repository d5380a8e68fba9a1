/**
 * Where a node's cloud-config (Nova user data) puts what kubeadm reads,
 * shared by the reconciler that renders it and the emulator that checks
 * whether such a node would join.
 */
export const KUBEADM_CONFIG_PATH = "/etc/kubernetes/kubeadm/config.yaml";
export const PKI_DIR = "/etc/kubernetes/pki";
/** kubeadm's file names for the CAs and the service-account key pair it finds pre-placed ("custom certificates"). */
export const PKI_FILES = {
  caCert: `${PKI_DIR}/ca.crt`,
  caKey: `${PKI_DIR}/ca.key`,
  etcdCaCert: `${PKI_DIR}/etcd/ca.crt`,
  etcdCaKey: `${PKI_DIR}/etcd/ca.key`,
  frontProxyCaCert: `${PKI_DIR}/front-proxy-ca.crt`,
  frontProxyCaKey: `${PKI_DIR}/front-proxy-ca.key`,
  saKey: `${PKI_DIR}/sa.key`,
  saPub: `${PKI_DIR}/sa.pub`,
} as const;
/** The script (written by the user data itself) that mounts the etcd volume before kubeadm runs. */
export const ETCD_DISK_SCRIPT = "/usr/local/sbin/kc-etcd-disk";
/** The etcd volume's mount point; etcd's data dir is a directory inside it (kubeadm wants that dir empty, and a fresh ext4 has lost+found). */
export const ETCD_MOUNT = "/var/lib/etcd";
export const ETCD_DATA_DIR = `${ETCD_MOUNT}/data`;
/** Label naming the node group of a node. */
export const NODE_GROUP_LABEL = "kube-console.io/node-group";
/** Label naming the console's cluster id on every node (set by the kubelet from the user data). */
export const CLUSTER_ID_LABEL = "kube-console.io/cluster-id";
/** Label naming a node's role in the console (master / worker). */
export const NODE_ROLE_LABEL = "kube-console.io/role";
/** Cinder volumes appear under /dev/disk/by-id with the first 20 characters of their id. */
export const volumeSerial = (volumeId: string) => volumeId.slice(0, 20);
