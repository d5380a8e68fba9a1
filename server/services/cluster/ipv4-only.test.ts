import { TRPCError } from "@trpc/server";
import { count } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { clusters } from "@/db/schema";
import { makeUser } from "@/db/testing";
import { ServiceError } from "../errors";
import { withTestDb } from "@/server/testing/suite";

let db: Db;
withTestDb((d) => (db = d));

const spec = {
  name: "v6",
  topology: "single" as const,
  masterCount: 1 as const,
  masterFlavor: "STD2-2-4",
  nodeGroups: [],
};

async function fieldErrorsOf(p: Promise<unknown>): Promise<Record<string, string[]>> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  expect((err as TRPCError).code).toBe("BAD_REQUEST");
  const cause = (err as TRPCError).cause;
  expect(cause).toBeInstanceOf(ServiceError);
  return (cause as ServiceError).extra.fieldErrors ?? {};
}

describe("IPv6 and dual-stack specs: valid, not deployed yet", () => {
  it("refuses to create a dual-stack cluster, naming each field, and writes nothing", async () => {
    const u = await makeUser(db);
    const errors = await fieldErrorsOf(
      u.caller.cluster.create({
        projectId: u.personalProjectId,
        spec: {
          ...spec,
          network: { mode: "new", cidr: "10.0.0.0/24,fd00:10::/64" },
          podCidr: "10.100.0.0/16,fd00:10:100::/56",
          serviceCidr: "10.254.0.0/16,fd00:10:254::/112",
        },
      }),
    );
    expect(errors).toEqual({
      "network.cidr": [
        "IPv6 and dual-stack node subnets are not deployed yet: this release builds IPv4 clusters only",
      ],
      podCidr: ["IPv6 and dual-stack pod CIDRs are not deployed yet: this release builds IPv4 clusters only"],
      serviceCidr: [
        "IPv6 and dual-stack service CIDRs are not deployed yet: this release builds IPv4 clusters only",
      ],
    });
    expect((await db.select({ n: count() }).from(clusters))[0]?.n).toBe(0);
  });

  it("refuses an IPv6 allowlist entry on create and on update", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    const v6 = { public: true, allowedCidrs: ["203.0.113.0/24", "2001:db8::/32"] };
    const expected = {
      "apiAccess.allowedCidrs.1": [
        "IPv6 allowlist entries are not deployed yet: the API endpoint has an IPv4 address only",
      ],
    };
    expect(
      await fieldErrorsOf(u.caller.cluster.create({ projectId, spec: { ...spec, apiAccess: v6 } })),
    ).toEqual(expected);

    const made = await u.caller.cluster.create({ projectId, spec });
    expect(
      await fieldErrorsOf(
        u.caller.cluster.update({
          projectId,
          clusterId: made.id,
          generation: made.generation,
          spec: { ...made.spec, apiAccess: v6 },
        }),
      ),
    ).toEqual(expected);
  });
});
