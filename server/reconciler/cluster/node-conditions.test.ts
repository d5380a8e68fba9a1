import { describe, expect, it } from "vitest";
import type { Condition } from "@/server/contracts/cluster";
import { nodeConditions } from "./status";

const node = (name: string, role: "master" | "worker", state: string) => ({
  name,
  group: role === "master" ? "master" : "web",
  role,
  zone: "ru-msk-a",
  flavor: "STD2-2-4",
  ip: null,
  state,
  serverId: name,
});
const ready = (type: string): Condition => ({
  type,
  status: "True",
  reason: "Ready",
  message: "ready",
  lastTransitionTime: "2026-01-01T00:00:00.000Z",
});

describe("nodeConditions", () => {
  it("a NotReady worker keeps NodeGroupsReady False with one transition time across passes", () => {
    const graph = [ready("ControlPlaneReady"), ready("NodeGroupsReady")];
    const nodes = [node("c-master-0", "master", "Ready"), node("c-web-0", "worker", "NotReady")];
    const first = nodeConditions("converge", true, graph, nodes, graph, "2026-01-01T00:01:00.000Z");
    const second = nodeConditions("converge", true, graph, nodes, first, "2026-01-01T00:02:00.000Z");
    const ng = (cs: Condition[]) => cs.find((c) => c.type === "NodeGroupsReady")!;
    expect(ng(first)).toMatchObject({
      status: "False",
      reason: "NodesNotReady",
      message: "Not Ready: c-web-0 (NotReady)",
    });
    expect(ng(second).lastTransitionTime).toBe("2026-01-01T00:01:00.000Z");
    expect(second.find((c) => c.type === "ControlPlaneReady")!.status).toBe("True");
  });

  it("a private cluster's unverified nodes do not make a condition false", () => {
    const graph = [ready("NodeGroupsReady")];
    const out = nodeConditions(
      "converge",
      true,
      graph,
      [node("c-web-0", "worker", "Unverified")],
      graph,
      "t",
    );
    expect(out).toEqual(graph);
  });
});
