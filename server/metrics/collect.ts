import { isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { clusters } from "@/db/schema";
import { desiredGroupSize } from "@/server/domain/placement";
import { NODE_STATES } from "./panels";
import { pruneSamples, recordSamples, type Sample } from "./store";

/**
 * Once a minute: what every live cluster's status says, as samples — nodes
 * by state, each group's desired and ready nodes, each load balancer's
 * operating state and the Gatekeeper violations. Reads only the database
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
      add(`group.${g.name}.nodes_desired`, c.power === "off" ? 0 : desiredGroupSize(g, mine.length));
      add(`group.${g.name}.nodes_ready`, mine.filter((n) => n.state === "Ready").length);
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
