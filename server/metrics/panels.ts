/**
 * The dashboard panels and the series each reads, from the cluster's node
 * groups and load balancers (exact names, so every read is an index seek).
 * Shared by the dashboards' queries and the benchmark.
 */
export const NODE_STATES = ["Installing", "Ready", "NotReady", "Draining", "Cordoned", "Stopped"] as const;

export interface PanelContext {
  groups: string[];
  loadBalancers: string[];
}

export const PANELS = {
  "node-lifecycle": {
    title: "Nodes by state",
    series: (_: PanelContext) => NODE_STATES.map((s) => `nodes.${s}`),
  },
  "autoscaler-groups": {
    title: "Desired vs ready nodes per group",
    series: (c: PanelContext) =>
      c.groups.flatMap((g) => [`group.${g}.nodes_desired`, `group.${g}.nodes_ready`]),
  },
  "pending-pods": { title: "Pending pods", series: (_: PanelContext) => ["pods.pending"] },
  "lb-health": {
    title: "Load balancers: online, members online/offline",
    series: (c: PanelContext) =>
      c.loadBalancers.flatMap((l) => [`lb.${l}.online`, `lb.${l}.members_online`, `lb.${l}.members_offline`]),
  },
  utilization: {
    title: "CPU and memory requested vs allocatable per group",
    series: (c: PanelContext) =>
      c.groups.flatMap((g) =>
        ["cpu", "mem"].flatMap((r) => [`group.${g}.res_${r}_requested`, `group.${g}.res_${r}_allocatable`]),
      ),
  },
  violations: { title: "Policy violations", series: (_: PanelContext) => ["policies.violations"] },
} as const;
export type PanelId = keyof typeof PANELS;
