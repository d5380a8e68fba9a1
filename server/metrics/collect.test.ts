import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import type { Db } from "@/db/client";
import { clusters } from "@/db/schema";
import { collectMetrics } from "./collect";
import { queryRange } from "./store";
import { withTestDb } from "@/server/testing/suite";
import { createAsNewUser, smallSpec } from "@/server/testing/specs";

let db: Db;
withTestDb((d) => (db = d));

it("samples every live cluster's node states, groups, load balancers and violations once a minute", async () => {
  const { c } = await createAsNewUser(db, smallSpec("sampled", 3));
  const node = (name: string, role: "master" | "worker", state: string) => ({
    name,
    group: role === "master" ? "" : "web",
    role,
    zone: "ru-msk-a",
    flavor: "STD2-2-4",
    ip: null,
    state,
    serverId: name,
  });
  const [row] = await db.select().from(clusters).where(eq(clusters.id, c.id));
  await db
    .update(clusters)
    .set({
      status: {
        ...row!.status,
        nodes: [
          node("sampled-master-0", "master", "Ready"),
          node("sampled-web-0", "worker", "Ready"),
          node("sampled-web-1", "worker", "NotReady"),
          node("sampled-web-2", "worker", "Installing"),
        ],
        resources: { "LoadBalancer:sampled-api": "ACTIVE/ONLINE", "Volume:sampled-etcd-0": "in-use" },
        autoscaler: {
          at: "2026-11-21T10:00:00Z",
          memory: { unneededSince: {} },
          targets: {},
          removing: null,
          pending: 4,
          groups: {
            web: {
              target: 3,
              ready: 1,
              cpuRequested: 1500,
              cpuAllocatable: 1900,
              memRequested: 2048,
              memAllocatable: 3584,
              cpuUsed: 950,
              memUsed: null,
            },
          },
        },
        loadBalancers: {
          "sampled-api": {
            id: "lb-1",
            at: "2026-11-21T10:00:00Z",
            provisioning: "ACTIVE",
            operating: "ONLINE",
            master: "a",
            failovers: 1,
            members: [
              { pool: "p", address: "10.0.0.5:6443", status: "ONLINE" },
              { pool: "p", address: "10.0.0.6:6443", status: "ERROR" },
            ],
            activeConnections: 7,
          },
        },
      },
    })
    .where(eq(clusters.id, c.id));
  const now = new Date("2026-11-21T10:00:30Z");
  await collectMetrics(db, now);
  await collectMetrics(db, now); // a repeat in the same minute replaces, never duplicates
  const r = await queryRange(db, {
    clusterId: c.id,
    like: "%",
    from: new Date("2026-11-21T09:59:00Z"),
    to: new Date("2026-11-21T10:01:00Z"),
  });
  const v = (s: string) => r.series[s]?.map((p) => p[2]);
  expect(v("nodes.Ready")).toEqual([2]);
  expect(v("nodes.NotReady")).toEqual([1]);
  expect(v("nodes.Installing")).toEqual([1]);
  expect(v("nodes.Draining")).toEqual([0]);
  expect(v("group.web.nodes_desired")).toEqual([3]);
  expect(v("group.web.nodes_ready")).toEqual([1]);
  expect(v("lb.sampled-api.online")).toEqual([1]);
  expect(v("pods.pending")).toEqual([4]);
  expect(v("group.web.res_cpu_requested")).toEqual([1.5]);
  expect(v("group.web.res_cpu_used")).toEqual([0.95]);
  expect(v("group.web.res_mem_allocatable")).toEqual([3.5]);
  // No usage reading (metrics-server down): no sample, rather than a false zero.
  expect(v("group.web.res_mem_used")).toBeUndefined();
  expect(v("lb.sampled-api.members_online")).toEqual([1]);
  expect(v("lb.sampled-api.members_offline")).toEqual([1]);
  expect(v("lb.sampled-api.connections")).toEqual([7]);
  expect(r.series["nodes.Ready"]![0]![0]).toBe(new Date("2026-11-21T10:00:00Z").getTime());
});
