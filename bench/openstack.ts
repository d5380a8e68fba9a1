/**
 * `npx tsx bench/openstack.ts [calls] [concurrency]`
 *
 * Throughput (calls/s) and latency (p50/p99) of the OpenStack adapter
 * against the built-in emulator at zero emulated latency, beside a raw HTTP
 * baseline (same requests, no adapter: no session, retries or zod) in the
 * same run — so later reconciler benchmarks know the emulator and adapter
 * are not the bottleneck.
 */
import http from "node:http";
import { startEmulator, TestClock } from "@/server/emulator";
import { demoCloud, randomLoopbackCidr } from "@/server/testing/cloud";

const CALLS = Number(process.argv[2] ?? 2000);
const CONCURRENCY = Number(process.argv[3] ?? 16);

function pct(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function run(name: string, op: (i: number) => Promise<unknown>) {
  const lat: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CALLS) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        lat.push(performance.now() - t0);
      }
    }),
  );
  const secs = (performance.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  const row = {
    workload: name,
    calls: CALLS,
    "calls/s": Math.round(CALLS / secs),
    "p50 ms": +pct(lat, 50).toFixed(2),
    "p99 ms": +pct(lat, 99).toFixed(2),
  };
  console.log(JSON.stringify(row));
  return row;
}

const emu = await startEmulator({
  clock: new TestClock(),
  speed: Number.POSITIVE_INFINITY,
  externalCidr: randomLoopbackCidr(),
});
const cloud = demoCloud(emu, { maxConcurrent: CONCURRENCY });
const { token } = await cloud.session.auth();
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const raw = (method: string, path: string, body?: unknown) =>
  new Promise<void>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const r = http.request(
      `${emu.url}${path}`,
      { method, agent, headers: { "x-auth-token": token, "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve());
      },
    );
    r.on("error", reject);
    r.end(payload);
  });

// Unlimited quotas for the bench project, then some state to read: 50 networks, 50 servers.
await fetch(`${emu.url}/_emulator/projects/${emu.demo.projectId}/quotas`, {
  method: "PUT",
  headers: { "content-type": "application/json", "x-emulator-admin-key": emu.adminKey },
  body: JSON.stringify({
    networks: -1,
    subnets: -1,
    ports: -1,
    instances: -1,
    cores: -1,
    ram: -1,
    security_groups: -1,
  }),
});
const net = await cloud.network.createNetwork({ name: "bench-net", tags: ["bench"] });
await cloud.network.createSubnet({ name: "bench-subnet", networkId: net.id, cidr: "10.0.0.0/16" });
const flavors = await cloud.compute.listFlavors();
const images = await cloud.image.listImages();
for (let i = 0; i < 50; i++) await cloud.network.createNetwork({ name: `n-${i}`, tags: ["bench"] });
const serverIds: string[] = [];
for (let i = 0; i < 50; i++) {
  const { id } = await cloud.compute.createServer({
    name: `s-${i}`,
    flavorId: flavors[0]!.id,
    imageId: images[0]!.id,
    availabilityZone: "ru-msk-a",
    network: { networkId: net.id },
    tags: ["bench"],
  });
  serverIds.push(id);
}

console.log(
  `# OpenStack adapter + emulator, ${CALLS} calls per workload, ${CONCURRENCY} concurrent, zero emulated latency`,
);
const baseline = await run("raw HTTP: GET server", (i) =>
  raw("GET", `/compute/v2.1/servers/${serverIds[i % 50]}`),
);
const adapter = await run("adapter: compute.getServer", (i) => cloud.compute.getServer(serverIds[i % 50]!));
await run("raw HTTP: list networks by tag", () => raw("GET", "/network/v2.0/networks?tags=bench"));
await run("adapter: network.listNetworks by tag", () => cloud.network.listNetworks({ tags: ["bench"] }));
await run("adapter: create+delete security group", async (i) => {
  const g = await cloud.network.createSecurityGroup({ name: `b-${i}` });
  await cloud.network.deleteSecurityGroup(g.id);
});
await run("adapter: listServers by tag (50 servers)", () => cloud.compute.listServers({ tags: ["bench"] }));
console.log(
  `# adapter overhead on a single GET: ${(adapter["p50 ms"] - baseline["p50 ms"]).toFixed(2)} ms at p50; throughput ${Math.round((adapter["calls/s"] / baseline["calls/s"]) * 100)}% of raw HTTP`,
);

cloud.close();
agent.destroy();
await emu.stop();
