import { describe, expect, it } from "vitest";
import type { ClusterSpec } from "@/server/contracts/cluster";
import type { KubeClient, KubeNode } from "@/server/kube/client";
import type { OpenStackCloud } from "@/server/openstack";
import { Server } from "@/server/openstack/compute";
import type { Observed } from "../observe";
import { emptyUpgradeStatus, UPGRADE_NODE_READY_MS, upgradePlan, type UpgradeContext } from "./upgrade";

/**
 * The upgrade's per-node deadline (issue 20 §1): a master rebuilt for the
 * new version that never becomes Ready stops the upgrade past the deadline,
 * named with the kubelet's reason, instead of "Waiting for master … to be
 * Ready" without end; Retry rebuilds it again on a fresh clock.
 */

const T0 = new Date("2026-12-07T10:00:00.000Z");
// What the rollout reads of the spec (a full spec needs the catalog's defaults).
const spec = {
  name: "up",
  version: "1.36.1",
  topology: "standard",
  masterCount: 3,
  nodeGroups: [],
} as unknown as ClusterSpec;

const server = (name: string, version: string) =>
  Server.parse({
    id: `id-${name}`,
    name,
    status: "ACTIVE",
    tags: ["kc-role=master"],
    metadata: { "kc-version": version },
    created: "2026-12-07T09:00:00Z",
  });

const node = (name: string, ready: boolean, version: string, condition?: KubeNode["readyCondition"]) =>
  ({
    name,
    ready,
    unschedulable: false,
    kubeletVersion: `v${version}`,
    ...(condition ? { readyCondition: condition } : {}),
  }) as KubeNode;

const rebuilds: string[] = [];
const cloud = {
  compute: { rebuildServer: async (id: string) => void rebuilds.push(id) },
} as unknown as OpenStackCloud;

function ctx(status: UpgradeContext["status"], now: Date, master0Ready: boolean): UpgradeContext {
  const servers = [
    server("up-master-0", "1.36.1"),
    server("up-master-1", "1.35.1"),
    server("up-master-2", "1.35.1"),
  ];
  return {
    cloud,
    spec,
    observed: { servers: new Map(servers.map((s) => [s.name, s])) } as unknown as Observed,
    kube: {} as KubeClient,
    kubeNodes: new Map([
      [
        "up-master-0",
        node("up-master-0", master0Ready, "1.36.1", {
          status: "Unknown",
          reason: "NodeStatusUnknown",
          message: "Kubelet stopped posting node status.",
          since: null,
        }),
      ],
      ["up-master-1", node("up-master-1", true, "1.35.1")],
      ["up-master-2", node("up-master-2", true, "1.35.1")],
    ]),
    status,
    forceDrain: false,
    imageId: "img",
    now,
    groupTargets: new Map(),
    masterUserData: () => "#cloud-config\n",
    workerUserData: () => "#cloud-config\n",
  };
}

describe("upgradePlan: a rebuilt node that never becomes Ready", () => {
  const since = T0.toISOString();
  const replacing = {
    ...emptyUpgradeStatus("1.35.1", "1.36.1"),
    nodes: {
      "up-master-0": { state: "replacing" as const, since },
      "up-master-1": { state: "pending" as const },
      "up-master-2": { state: "pending" as const },
    },
  };

  it("waits for it by name before the deadline, keeping when its rebuild began", () => {
    const p = upgradePlan(ctx(replacing, new Date(T0.getTime() + 5 * 60_000), false));
    expect(p.failure).toBeNull();
    expect(p.waiting).toBe("Waiting for master up-master-0 to be Ready on 1.36.1");
    expect(p.status.nodes["up-master-0"]).toEqual({ state: "replacing", since });
    expect(p.actions).toEqual([]); // the next master waits: quorum first
  });

  it("past the deadline the upgrade stops on it, named with the kubelet's reason", () => {
    const p = upgradePlan(ctx(replacing, new Date(T0.getTime() + UPGRADE_NODE_READY_MS + 60_000), false));
    expect(p.failure?.node).toBe("up-master-0");
    expect(p.failure?.message).toMatch(
      /^up-master-0 is not Ready on 1\.36\.1 11 min after its rebuild began \(Ready is Unknown: Kubelet stopped posting node status\)\. The upgrade stops here and the cluster keeps serving on the other nodes; .*Retry to rebuild it again\.$/,
    );
    expect(p.status.failed).toMatchObject({ node: "up-master-0", retried: false });
    expect(p.status.nodes["up-master-0"]?.state).toBe("failed");
    expect(p.actions).toEqual([]);
    // The next pass (not retried) keeps the failure and does nothing.
    const again = upgradePlan(ctx(p.status, new Date(T0.getTime() + UPGRADE_NODE_READY_MS + 120_000), false));
    expect(again.failure?.message).toBe(p.failure?.message);
    expect(again.actions).toEqual([]);
  });

  it("Retry rebuilds it again on a fresh clock; Ready then, the upgrade goes on", async () => {
    const failed = upgradePlan(
      ctx(replacing, new Date(T0.getTime() + UPGRADE_NODE_READY_MS + 60_000), false),
    );
    const retriedAt = new Date(T0.getTime() + 30 * 60_000);
    const retry = upgradePlan(
      ctx({ ...failed.status, failed: { ...failed.status.failed!, retried: true } }, retriedAt, false),
    );
    expect(retry.failure).toBeNull();
    expect(retry.actions.map((a) => a.label)).toEqual(["Rebuild up-master-0 again"]);
    rebuilds.length = 0;
    await retry.actions[0]!.run();
    expect(rebuilds).toEqual(["id-up-master-0"]);
    expect(retry.status.failed).toBeNull();
    expect(retry.status.nodes["up-master-0"]).toMatchObject({
      state: "replacing",
      since: retriedAt.toISOString(),
    });
    // Ready on the new version: done, and the next master is upgraded.
    const next = upgradePlan(ctx(retry.status, new Date(retriedAt.getTime() + 60_000), true));
    expect(next.status.nodes["up-master-0"]?.state).toBe("done");
    expect(next.actions.map((a) => a.label)).toEqual(["Upgrade master up-master-1 to 1.36.1 (rebuild)"]);
  });

  it("a node given up on that becomes Ready by itself clears the failure", () => {
    const failed = upgradePlan(
      ctx(replacing, new Date(T0.getTime() + UPGRADE_NODE_READY_MS + 60_000), false),
    );
    const later = upgradePlan(ctx(failed.status, new Date(T0.getTime() + 40 * 60_000), true));
    expect(later.failure).toBeNull();
    expect(later.status.failed).toBeNull();
    expect(later.actions.map((a) => a.label)).toEqual(["Upgrade master up-master-1 to 1.36.1 (rebuild)"]);
  });
});
