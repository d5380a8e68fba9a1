import { stringify } from "yaml";
import { NODE_CONFIG_PATH, PKI_PATHS, type NodeConfig } from "@/server/contracts/node-config";

/**
 * Nova user data for a node: a cloud-config that writes the node's config
 * (cluster, role, group, labels, taints) and, on masters, the API server's
 * serving certificate, its key and the cluster CA. The CA's key is never
 * written to a node.
 */
export function nodeCloudConfig(args: {
  node: NodeConfig;
  version: string;
  caCertPem: string;
  apiServer?: { certPem: string; keyPem: string };
}): string {
  const files: Array<{ path: string; content: string; permissions: string; owner: string }> = [
    {
      path: NODE_CONFIG_PATH,
      content: JSON.stringify(args.node),
      permissions: "0644",
      owner: "root:root",
    },
    { path: PKI_PATHS.ca, content: args.caCertPem, permissions: "0644", owner: "root:root" },
  ];
  if (args.apiServer)
    files.push(
      { path: PKI_PATHS.cert, content: args.apiServer.certPem, permissions: "0644", owner: "root:root" },
      { path: PKI_PATHS.key, content: args.apiServer.keyPem, permissions: "0600", owner: "root:root" },
    );
  const doc = {
    write_files: files,
    runcmd: [
      ["/usr/local/bin/kc-node-bootstrap", "--role", args.node.role, "--kubernetes-version", args.version],
    ],
  };
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}
