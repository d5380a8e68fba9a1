import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "@/server/testing/cloud";
import { startEmulator, TestClock } from "./index";

let t: TestCloud | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const SAMPLES = path.resolve(process.cwd(), "..", "shared", "openstack-samples");
const haveSamples = existsSync(SAMPLES);

function sample(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(SAMPLES, file), "utf8")) as Record<string, unknown>;
}
/** Keys of the first item under `key` (or the object itself). */
function keysOf(doc: Record<string, unknown>, key: string): string[] {
  const v = doc[key];
  const item = Array.isArray(v) ? v[0] : v;
  return Object.keys(item as object).sort();
}

describe("emulator", () => {
  it("keeps its state across a restart", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "emu-state-"));
    const stateFile = path.join(dir, "state.json");
    const clock = new TestClock();
    const a = await startEmulator({ clock, stateFile });
    const token = await demoToken(a.url);
    const created = await fetch(`${a.url}/network/v2.0/networks`, {
      method: "POST",
      headers: { "x-auth-token": token, "content-type": "application/json" },
      body: JSON.stringify({ network: { name: "survivor" } }),
    });
    expect(created.status).toBe(201);
    await a.stop();
    expect(existsSync(stateFile)).toBe(true);

    const b = await startEmulator({ clock, stateFile });
    const token2 = await demoToken(b.url);
    const list = (await (
      await fetch(`${b.url}/network/v2.0/networks?name=survivor`, { headers: { "x-auth-token": token2 } })
    ).json()) as { networks: unknown[] };
    expect(list.networks).toHaveLength(1);
    await b.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("keeps its admin API behind the admin key, and a project token does not open it", async () => {
    t = await startTestCloud();
    const token = (await t.cloud.session.auth()).token;
    expect((await fetch(`${t.emu.url}/_emulator/summary`)).status).toBe(403);
    expect(
      (await fetch(`${t.emu.url}/_emulator/summary`, { headers: { "x-auth-token": token } })).status,
    ).toBe(403);
    expect((await t.admin("GET", "/summary")).status).toBe(200);
  });

  it("validates fault rules", async () => {
    t = await startTestCloud();
    const bad = await t.admin("POST", "/faults", { path: "([", status: 503 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/path: not a valid regular expression/);
    const ok = await t.admin("POST", "/faults", { service: "compute", status: 500, count: 1 });
    expect(ok.status).toBe(201);
    expect((await t.admin("GET", "/faults")).body).toMatchObject({
      faults: [{ service: "compute", status: 500, count: 1, hits: 0 }],
    });
    expect((await t.admin("DELETE", "/faults")).status).toBe(204);
  });

  it("answers unauthenticated service calls with 401 in the service's format", async () => {
    t = await startTestCloud();
    const nova = await fetch(`${t.emu.url}/compute/v2.1/servers`);
    expect(nova.status).toBe(401);
    const neutron = await fetch(`${t.emu.url}/network/v2.0/networks`, {
      headers: { "x-auth-token": "expired-or-made-up" },
    });
    expect(neutron.status).toBe(401);
    expect(neutron.headers.get("www-authenticate")).toMatch(/^Keystone uri=/);
    expect(await neutron.json()).toMatchObject({ NeutronError: { message: expect.any(String) } });
  });

  it("echoes the Nova microversion and keeps server-group policies per microversion", async () => {
    t = await startTestCloud();
    const token = (await t.cloud.session.auth()).token;
    const old = await fetch(`${t.emu.url}/compute/v2.1/os-server-groups`, {
      method: "POST",
      headers: { "x-auth-token": token, "content-type": "application/json" },
      body: JSON.stringify({ server_group: { name: "g", policies: ["anti-affinity"] } }),
    });
    expect(old.headers.get("openstack-api-version")).toBe("compute 2.1");
    expect(await old.json()).toMatchObject({ server_group: { policies: ["anti-affinity"] } });
    const g = await t.cloud.compute.listServerGroups();
    expect(g[0]?.policy).toBe("anti-affinity");
  });

  it.skipIf(!haveSamples)(
    "answers with every field the real services send (samples in ../shared/openstack-samples)",
    async () => {
      t = await startTestCloud();
      const c = t.cloud;
      const [ext] = await c.network.listNetworks({ external: true });
      const n = await c.network.createNetwork({ name: "n" });
      const s = await c.network.createSubnet({ name: "s", networkId: n.id, cidr: "10.10.0.0/24" });
      const r = await c.network.createRouter({ name: "r", externalNetworkId: ext!.id });
      await c.network.addRouterInterface(r.id, s.id);
      const sg = await c.network.createSecurityGroup({ name: "sg" });
      const port = await c.network.createPort({ name: "p", networkId: n.id, securityGroupIds: [sg.id] });
      await c.network.createFloatingIp({ networkId: ext!.id, portId: port.id });
      const flavors = await c.compute.listFlavors();
      const images = await c.image.listImages();
      const { id } = await c.compute.createServer({
        name: "vm1",
        flavorId: flavors[0]!.id,
        imageId: images[0]!.id,
        availabilityZone: "ru-msk-a",
        network: { portId: port.id },
      });
      await c.compute.createServerGroup("g", "soft-anti-affinity");
      const vol = await c.blockStorage.createVolume({
        name: "vol",
        sizeGb: 1,
        availabilityZone: "ru-msk-a",
        volumeType: "high-iops",
      });
      const lb = await c.loadBalancer.createLoadBalancer({ name: "lb", vipSubnetId: s.id });
      t.advance(180_000);
      await c.compute.attachVolume(id, vol.id);
      const l = await c.loadBalancer.createListener({
        name: "l",
        loadBalancerId: lb.id,
        protocol: "HTTP",
        port: 80,
      });
      t.advance(10_000);
      const pool = await c.loadBalancer.createPool({ name: "p", listenerId: l.id, protocol: "HTTP" });
      t.advance(10_000);
      await c.loadBalancer.createMember(pool.id, {
        name: "m",
        address: port.fixedIps[0]!.ipAddress,
        port: 80,
      });
      t.advance(10_000);
      await c.loadBalancer.createHealthMonitor({ name: "hm", poolId: pool.id, type: "HTTP" });
      t.advance(10_000);

      const token = (await c.session.auth()).token;
      const get = async (p: string, mv?: string) =>
        (await (
          await fetch(`${t!.emu.url}${p}`, {
            headers: { "x-auth-token": token, ...(mv ? { "OpenStack-API-Version": mv } : {}) },
          })
        ).json()) as Record<string, unknown>;
      const pid = t.emu.demo.projectId;
      const cases: Array<[string, string, Record<string, unknown>]> = [
        [
          "nova_GET_servers_detail.mv2.79.json",
          "servers",
          await get("/compute/v2.1/servers/detail", "compute 2.79"),
        ],
        ["nova_GET_servers_detail.json", "servers", await get("/compute/v2.1/servers/detail")],
        ["nova_GET_flavors_detail.json", "flavors", await get("/compute/v2.1/flavors/detail")],
        [
          "nova_GET_os-server-groups.mv2.64.json",
          "server_groups",
          await get("/compute/v2.1/os-server-groups", "compute 2.64"),
        ],
        [
          "nova_GET_os-availability-zone.json",
          "availabilityZoneInfo",
          await get("/compute/v2.1/os-availability-zone"),
        ],
        [
          "nova_GET_servers_id_os-volume_attachments.json",
          "volumeAttachments",
          await get(`/compute/v2.1/servers/${id}/os-volume_attachments`),
        ],
        ["neutron_GET_v2.0_networks.json", "networks", await get("/network/v2.0/networks")],
        ["neutron_GET_v2.0_subnets.json", "subnets", await get(`/network/v2.0/subnets?id=${s.id}`)],
        ["neutron_GET_v2.0_ports.json", "ports", await get(`/network/v2.0/ports?id=${port.id}`)],
        ["neutron_GET_v2.0_routers.json", "routers", await get("/network/v2.0/routers")],
        [
          "neutron_GET_v2.0_security-groups.json",
          "security_groups",
          await get("/network/v2.0/security-groups"),
        ],
        ["neutron_GET_v2.0_floatingips.json", "floatingips", await get("/network/v2.0/floatingips")],
        [
          "octavia_GET_v2_lbaas_loadbalancers.json",
          "loadbalancers",
          await get("/load-balancer/v2/lbaas/loadbalancers"),
        ],
        ["octavia_GET_v2_lbaas_listeners.json", "listeners", await get("/load-balancer/v2/lbaas/listeners")],
        ["octavia_GET_v2_lbaas_pools.json", "pools", await get("/load-balancer/v2/lbaas/pools")],
        [
          "octavia_GET_v2_lbaas_healthmonitors.json",
          "healthmonitors",
          await get("/load-balancer/v2/lbaas/healthmonitors"),
        ],
        [
          "cinder_GET_v3_project_volumes_detail.json",
          "volumes",
          await get(`/volume/v3/${pid}/volumes/detail`),
        ],
        ["cinder_GET_v3_project_types.json", "volume_types", await get(`/volume/v3/${pid}/types`)],
      ];
      for (const [file, key, ours] of cases) {
        const missing = keysOf(sample(file), key).filter((k) => !keysOf(ours, key).includes(k));
        expect({ file, missing }).toEqual({ file, missing: [] });
      }
      const limits = (sample("nova_GET_limits.json").limits as { absolute: object }).absolute;
      const ourLimits = ((await get("/compute/v2.1/limits")).limits as { absolute: object }).absolute;
      expect(Object.keys(limits).filter((k) => !(k in ourLimits))).toEqual([]);
      const tokenSample = sample("keystone_POST_v3_auth_tokens.json").token as object;
      const tokenRes = await fetch(`${t.emu.authUrl}/auth/tokens`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: readFileSync(path.join(SAMPLES, "keystone_POST_v3_auth_tokens.request.json"), "utf8").replace(
          '"demopass"',
          `"${t.emu.demo.password}"`,
        ),
      });
      expect(tokenRes.status).toBe(201);
      const ourToken = ((await tokenRes.json()) as { token: object }).token;
      expect(Object.keys(tokenSample).filter((k) => !(k in ourToken))).toEqual([]);
    },
  );
});

async function demoToken(url: string): Promise<string> {
  const res = await fetch(`${url}/identity/v3/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ["application_credential"],
          application_credential: { id: "demo-app-credential", secret: "demo-app-credential-secret" },
        },
      },
    }),
  });
  return res.headers.get("x-subject-token") ?? "";
}
