import { describe, expect, it } from "vitest";
import { BadRequest } from "./errors";
import type { HttpRequest, HttpResponse } from "./http";
import { NetworkClient } from "./network";
import type { KeystoneSession } from "./session";

type Call = { method: string; path: string; body: unknown };

/** A Neutron that, like Zed's (no `tag-creation` extension), refuses `tags` in a create body. */
function zedNeutron() {
  const calls: Call[] = [];
  let n = 0;
  const session = {
    request: async (_service: string, req: Omit<HttpRequest, "url" | "service"> & { path: string }) => {
      calls.push({ method: req.method, path: req.path, body: req.body });
      const ctx = { service: "network", method: req.method, path: req.path, status: 400 };
      const body = req.body as Record<string, Record<string, unknown>> | undefined;
      if (req.method === "POST") {
        const [key, item] = Object.entries(body ?? {})[0]!;
        if (item && "tags" in item && item.tags !== undefined)
          throw new BadRequest("Attribute 'tags' not allowed in POST", ctx);
        const created = { id: `id-${++n}`, name: item!.name, tags: [], status: "ACTIVE" };
        return { status: 201, headers: {}, body: { [key]: created }, requestId: null } satisfies HttpResponse;
      }
      return { status: 200, headers: {}, body: body, requestId: null } satisfies HttpResponse;
    },
  } as unknown as KeystoneSession;
  return { client: new NetworkClient(session), calls };
}

describe("Neutron tags on a cloud without tag-creation", () => {
  it("creates without tags after the first refusal, then PUTs them", async () => {
    const { client, calls } = zedNeutron();
    const a = await client.createNetwork({ name: "a", tags: ["kc-cluster=1"] });
    expect(a.tags).toEqual(["kc-cluster=1"]);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /v2.0/networks", // refused: 400, nothing created
      "POST /v2.0/networks",
      "PUT /v2.0/networks/id-1/tags",
    ]);
    expect(calls[2]!.body).toEqual({ tags: ["kc-cluster=1"] });
    // Learned: the next create does not offer tags in the body again.
    calls.length = 0;
    await client.createSecurityGroup({ name: "b", tags: ["kc-cluster=1"] });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /v2.0/security-groups",
      "PUT /v2.0/security-groups/id-2/tags",
    ]);
  });

  it("passes on any other 400", async () => {
    const session = {
      request: async () => {
        throw new BadRequest("Invalid input for cidr", {
          service: "network",
          method: "POST",
          path: "/v2.0/subnets",
          status: 400,
        });
      },
    } as unknown as KeystoneSession;
    const client = new NetworkClient(session);
    await expect(
      client.createSubnet({ name: "s", networkId: "n", cidr: "x", tags: ["kc-cluster=1"] }),
    ).rejects.toThrow("Invalid input for cidr");
  });
});
