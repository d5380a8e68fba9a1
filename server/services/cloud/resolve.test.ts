import { count } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { emulatorAccounts } from "@/db/schema";
import { makeUser, TEST_ENCRYPTION_KEY } from "@/db/testing";
import { createCloud } from "@/server/openstack";
import type { TestCloud } from "@/server/testing/cloud";
import { withTestCloud, withTestDb } from "@/server/testing/suite";
import { resolveProjectCloud } from "./resolve";

let db: Db;
let t: TestCloud;
withTestDb((d) => (db = d));
withTestCloud((c) => (t = c), undefined, "file");

const noEnv = {};

describe("resolving a project's cloud", () => {
  it("gives a project without a binding its own emulator project, once", async () => {
    const a = await makeUser(db);
    const b = await makeUser(db);
    const emu = { url: t.emu.url, adminKey: t.emu.adminKey };
    const ra = await resolveProjectCloud(db, a.personalProjectId, TEST_ENCRYPTION_KEY, emu, noEnv);
    const again = await resolveProjectCloud(db, a.personalProjectId, TEST_ENCRYPTION_KEY, emu, noEnv);
    const rb = await resolveProjectCloud(db, b.personalProjectId, TEST_ENCRYPTION_KEY, emu, noEnv);
    expect(ra.source).toBe("emulator");
    expect(again.config).toEqual(ra.config);
    expect((await db.select({ n: count() }).from(emulatorAccounts))[0]?.n).toBe(2);

    // Each console project sees only its own cloud resources.
    const ca = createCloud(ra.config);
    const cb = createCloud(rb.config);
    await ca.network.createNetwork({ name: "only-in-a" });
    expect(await ca.network.listNetworks({ name: "only-in-a" })).toHaveLength(1);
    expect(await cb.network.listNetworks({ name: "only-in-a" })).toHaveLength(0);
    ca.close();
    cb.close();
  });

  it("prefers the project's own binding, then the operator's OS_* cloud", async () => {
    const u = await makeUser(db);
    const emu = { url: t.emu.url, adminKey: t.emu.adminKey };
    const env = {
      OS_AUTH_URL: "https://keystone.operator.example:5000",
      OS_APPLICATION_CREDENTIAL_ID: "op",
      OS_APPLICATION_CREDENTIAL_SECRET: "op-secret",
      OS_REGION_NAME: "RegionTwo",
    };
    const op = await resolveProjectCloud(db, u.personalProjectId, TEST_ENCRYPTION_KEY, emu, env);
    expect(op).toMatchObject({
      source: "operator-default",
      config: { authUrl: "https://keystone.operator.example:5000/v3", region: "RegionTwo" },
    });

    await u.caller.cloud.set({
      projectId: u.personalProjectId,
      authUrl: t.emu.authUrl,
      region: "RegionOne",
      auth: {
        type: "password",
        username: t.emu.demo.userName,
        userDomainName: "Default",
        projectName: t.emu.demo.projectName,
        projectDomainName: "Default",
        secret: t.emu.demo.password,
      },
    });
    const own = await resolveProjectCloud(db, u.personalProjectId, TEST_ENCRYPTION_KEY, emu, env);
    expect(own.source).toBe("binding");
    const cloud = createCloud(own.config);
    expect((await cloud.compute.listAvailabilityZones()).length).toBe(3);
    cloud.close();
  });
});
