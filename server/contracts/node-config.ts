import { z } from "zod";

/**
 * What a node's cloud-config (Nova user data) writes, shared by the
 * reconciler that renders it and the emulator that boots "nodes" from it.
 */
export const NODE_CONFIG_PATH = "/etc/kubernetes/kc/node.json";
export const PKI_PATHS = {
  ca: "/etc/kubernetes/pki/ca.crt",
  cert: "/etc/kubernetes/pki/apiserver.crt",
  key: "/etc/kubernetes/pki/apiserver.key",
} as const;
/** Label naming the node group of a node. */
export const NODE_GROUP_LABEL = "kube-console.io/node-group";

export const NodeConfig = z.object({
  clusterId: z.string().min(1),
  clusterName: z.string().min(1),
  role: z.enum(["master", "worker"]),
  group: z.string().nullable().default(null),
  labels: z.record(z.string(), z.string()).default({}),
  taints: z
    .array(z.object({ key: z.string(), value: z.string().default(""), effect: z.string() }))
    .default([]),
});
export type NodeConfig = z.infer<typeof NodeConfig>;
