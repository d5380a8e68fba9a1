/**
 * The dashboard panels' series, as stored by the collector. Shared by the
 * dashboards' queries and the benchmark.
 */
export const NODE_STATES = ["Installing", "Ready", "NotReady", "Draining", "Cordoned", "Stopped"] as const;

export const PANELS = {
  "node-lifecycle": { title: "Nodes by state", like: "nodes.%" },
  "autoscaler-groups": { title: "Desired vs ready nodes per group", like: "group.%.nodes_%" },
  "pending-pods": { title: "Pending pods", series: ["pods.pending"] },
  "lb-health": { title: "Load balancers: online, members online/offline", like: "lb.%" },
  /** group.<g>.res_{cpu,mem}_{requested,allocatable} */
  utilization: { title: "CPU and memory requested vs allocatable per group", like: "group.%.res_%" },
  violations: { title: "Policy violations", series: ["policies.violations"] },
} as const;
export type PanelId = keyof typeof PANELS;
