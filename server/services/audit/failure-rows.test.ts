import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { makeUser } from "@/db/testing";
import { withTestDb } from "@/server/testing/suite";

let db: Db;
withTestDb((d) => (db = d));

const spec = (name: string) => ({
  name,
  topology: "single" as const,
  masterCount: 1 as const,
  masterFlavor: "STD2-2-4",
  nodeGroups: [
    { name: "web", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed" as const, size: 1 } },
  ],
});

describe("failed calls in the audit log", () => {
  it("say why they failed and name their target; another project's cluster stays unnamed", async () => {
    const owner = await makeUser(db);
    const projectId = owner.personalProjectId;
    const shop = await owner.caller.cluster.create({ projectId, spec: spec("shop") });
    const stranger = await makeUser(db);
    const theirs = await stranger.caller.cluster.create({
      projectId: stranger.personalProjectId,
      spec: spec("secret-name"),
    });

    await expect(
      owner.caller.cloud.set({
        projectId,
        authUrl: "https://keystone.example.com:5000/v3",
        region: "RegionOne",
        auth: { type: "application_credential", applicationCredentialId: " ", secret: "s3cret" },
      }),
    ).rejects.toThrow();
    await expect(
      owner.caller.nodeGroup.update({
        projectId,
        clusterId: shop.id,
        generation: 1,
        name: "web",
        scaling: { mode: "fixed", size: 1000 },
      }),
    ).rejects.toThrow();
    await expect(
      owner.caller.nodeGroup.update({
        projectId,
        clusterId: theirs.id,
        generation: 1,
        name: "web",
        scaling: { mode: "fixed", size: 2 },
      }),
    ).rejects.toThrow();

    // Input the database could not store (a NUL) is refused, and its row is still written.
    await expect(
      owner.caller.nodeGroup.update({
        projectId,
        clusterId: shop.id,
        generation: 1,
        name: "we\u0000b",
        scaling: { mode: "fixed", size: 2 },
      }),
    ).rejects.toThrow();

    const { items } = await owner.caller.audit.list({ projectId });
    const [hostile, foreign, scale, cloud] = items.filter((r) => r.outcome !== "success");
    expect(hostile).toMatchObject({
      action: "nodeGroup.update",
      targetLabel: "shop",
      details: { message: expect.stringMatching(/control characters/) },
    });
    expect(cloud).toMatchObject({ action: "cloud.set", outcome: "failure", errorCode: "BAD_REQUEST" });
    expect(cloud?.details?.message).toMatch(/^Enter the application credential ID$/);
    expect(scale).toMatchObject({ action: "nodeGroup.update", targetType: "cluster", targetLabel: "shop" });
    expect(scale?.details).toMatchObject({
      name: "web",
      message: expect.stringMatching(/nodes per group/),
    });
    expect(foreign).toMatchObject({ action: "nodeGroup.update", targetType: "cluster", targetLabel: null });
    expect(JSON.stringify(items)).not.toContain("secret-name");
  });
});
