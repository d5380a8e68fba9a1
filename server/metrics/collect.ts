import { isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { clusters } from "@/db/schema";
import { desiredGroupSize } from "@/server/domain/placement";
import { NODE_STATES } from "./panels";
import { pruneSamples, recordSamples, type Sample } from "./store";

/**
 * Once a minute: what every live cluster's status says, as samples — nodes
 * by state, each group's desired and ready nodes and its CPU/memory
 * requested, allocatable and used, pending pods, each load balancer's
 * operating state, members and connections, and the Gatekeeper violations. Reads only the database
 * (the reconciler keeps the status current); never calls the cloud.
 */
export async function collectMetrics(db: Db, now = new Date()): Promise<number> {
  const at = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const rows = await db.select().from(clusters).where(isNull(clusters.deletedAt));
  const samples: Sample[] = [];
  for (const c of rows) {
    const add = (series: string, value: number) => samples.push({ clusterId: c.id, series, at, value });
    const nodes = c.status.nodes;
    for (const state of NODE_STATES) add(`nodes.${state}`, nodes.filter((n) => n.state === state).length);
    for (const g of c.spec.nodeGroups) {
      const mine = nodes.filter((n) => n.role === "worker" && n.group === g.name);
      const target = c.status.autoscaler?.targets[g.name] ?? desiredGroupSize(g, mine.length);
      add(`group.${g.name}.nodes_desired`, c.power === "off" ? 0 : target);
      add(`group.${g.name}.nodes_ready`, mine.filter((n) => n.state === "Ready").length);
      // Requests, allocatable and use, in cores and GiB, as the autoscaler last read them.
      const f = c.power === "off" ? undefined : c.status.autoscaler?.groups[g.name];
      if (f) {
        add(`group.${g.name}.res_cpu_requested`, f.cpuRequested / 1000);
        add(`group.${g.name}.res_cpu_allocatable`, f.cpuAllocatable / 1000);
        add(`group.${g.name}.res_mem_requested`, f.memRequested / 1024);
        add(`group.${g.name}.res_mem_allocatable`, f.memAllocatable / 1024);
        if (f.cpuUsed !== null) add(`group.${g.name}.res_cpu_used`, f.cpuUsed / 1000);
        if (f.memUsed !== null) add(`group.${g.name}.res_mem_used`, f.memUsed / 1024);
      }
    }
    if (c.status.autoscaler && c.power === "on") add("pods.pending", c.status.autoscaler.pending);
    for (const [name, h] of Object.entries(c.status.loadBalancers ?? {})) {
      add(`lb.${name}.members_online`, h.members.filter((m) => m.status === "ONLINE").length);
      add(`lb.${name}.members_offline`, h.members.filter((m) => m.status !== "ONLINE").length);
      add(`lb.${name}.connections`, h.activeConnections);
      add(`lb.${name}.failovers`, h.failovers);
    }
    for (const [key, state] of Object.entries(c.status.resources ?? {})) {
      if (!key.startsWith("LoadBalancer:")) continue;
      const name = key.slice("LoadBalancer:".length);
      add(`lb.${name}.online`, state.endsWith("/ONLINE") ? 1 : 0);
    }
    const p = c.status.policies;
    if (p && p.gatekeeper === "Ready")
      add(
        "policies.violations",
        Object.values(p.constraints).reduce((n, x) => n + (x.totalViolations ?? 0), 0),
      );
  }
  await recordSamples(db, samples);
  return samples.length;
}

/** The hourly retention job. */
export function pruneMetrics(db: Db, now = new Date()): Promise<number> {
  return pruneSamples(db, now);
}
