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
  "lb-connections": {
    title: "Load balancers: active connections",
    series: (c: PanelContext) => c.loadBalancers.map((l) => `lb.${l}.connections`),
  },
  utilization: {
    title: "CPU requested, used and allocatable per group (cores)",
    series: (c: PanelContext) =>
      c.groups.flatMap((g) => [
        `group.${g}.res_cpu_requested`,
        `group.${g}.res_cpu_used`,
        `group.${g}.res_cpu_allocatable`,
      ]),
  },
  "utilization-memory": {
    title: "Memory requested, used and allocatable per group (GiB)",
    series: (c: PanelContext) =>
      c.groups.flatMap((g) => [
        `group.${g}.res_mem_requested`,
        `group.${g}.res_mem_used`,
        `group.${g}.res_mem_allocatable`,
      ]),
  },
  violations: { title: "Policy violations", series: (_: PanelContext) => ["policies.violations"] },
} as const;
export type PanelId = keyof typeof PANELS;
