/**
 * `npm run test:openstack`: the conformance suites (`*.lab.test.ts`) against
 * a real OpenStack Zed — the lab of `../shared/openstack-lab/` (or
 * OPENSTACK_LAB_DIR). When one of its APIs does not answer, the lab's `up.sh`
 * brings it up first (it installs Debian packages on a fresh machine, so it
 * must run as root); its phase times are printed. Then vitest runs with
 * vitest.openstack.config.ts; extra arguments go to vitest (a file, `-t name`).
 *
 * Options (env): OPENSTACK_LAB_DIR; OPENSTACK_LAB_UP=never (fail when the lab is
 * down) or =always (run up.sh even when it answers: it is idempotent, ~34 s).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const LAB_DIR = path.resolve(process.env.OPENSTACK_LAB_DIR ?? "../shared/openstack-lab");
/** The lab's APIs (NOTES.md "Ports"); all must answer before the suites run. */
const APIS: Array<[string, string]> = [
  ["keystone", "http://127.0.0.1:5000/v3"],
  ["glance", "http://127.0.0.1:9292/"],
  ["placement", "http://127.0.0.1:8778/"],
  ["nova", "http://127.0.0.1:8774/"],
  ["neutron", "http://127.0.0.1:9696/"],
  ["cinder", "http://127.0.0.1:8776/"],
  ["octavia", "http://127.0.0.1:9876/"],
];
const UP_LOG = "test-results/openstack-lab-up.log";
const LOCK = "/tmp/openstack-lab-up.lock";

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(5000) });
    return true; // any HTTP status: the service is listening
  } catch {
    return false;
  }
}

async function silentApis(): Promise<string[]> {
  const r = await Promise.all(APIS.map(async ([name, url]) => ((await answers(url)) ? null : name)));
  return r.filter((n): n is string => n !== null);
}

/** Runs up.sh (under a lock, so two runs never bring the lab up at once), echoing its phase lines. */
async function bringUp(): Promise<void> {
  const upSh = path.join(LAB_DIR, "up.sh");
  if (!existsSync(upSh))
    throw new Error(`No lab at ${LAB_DIR} (set OPENSTACK_LAB_DIR to the openstack-lab directory)`);
  if (process.getuid?.() !== 0)
    throw new Error(`The lab is down and up.sh must run as root: sudo ${upSh}, then run this again`);
  console.log(`[lab] bringing the lab up: ${upSh} (full log: ${UP_LOG})`);
  mkdirSync(path.dirname(UP_LOG), { recursive: true });
  writeFileSync(UP_LOG, "");
  const started = Date.now();
  const child = spawn("flock", ["-w", "1200", LOCK, "bash", upSh], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let buf = "";
  let inSummary = false;
  const onData = (chunk: Buffer) => {
    writeFileSync(UP_LOG, chunk, { flag: "a" });
    buf += chunk.toString("utf8");
    const lines = buf.split("\n");
    buf = lines.pop() ?? "";
    for (const line of lines) {
      if (/^=== timing summary/.test(line)) inSummary = true;
      if (/^=== phase \S+\s+[\d.]+s/.test(line) || inSummary || /^zones:/.test(line))
        console.log(`[lab] ${line}`);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  if (code !== 0) {
    const tail = readFileSync(UP_LOG, "utf8").split("\n").slice(-40).join("\n");
    throw new Error(`up.sh failed (exit ${code}) after ${secs(Date.now() - started)}:\n${tail}`);
  }
  console.log(`[lab] up.sh finished in ${secs(Date.now() - started)}`);
}

/** The lab's admin (lib.sh), used only to read service and agent liveness. */
const ADMIN_AUTH = {
  auth: {
    identity: {
      methods: ["password"],
      password: { user: { name: "admin", domain: { name: "Default" }, password: "adminpass" } },
    },
    scope: { project: { name: "admin", domain: { name: "Default" } } },
  },
};

interface Catalog {
  token: string;
  endpoint: (type: string) => string;
}

async function adminCatalog(): Promise<Catalog> {
  const res = await fetch("http://127.0.0.1:5000/v3/auth/tokens", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN_AUTH),
    signal: AbortSignal.timeout(15_000),
  });
  if (res.status !== 201) throw new Error(`keystone refused the lab admin: HTTP ${res.status}`);
  const token = res.headers.get("x-subject-token") ?? "";
  const body = (await res.json()) as {
    token: { catalog?: Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }> };
  };
  return {
    token,
    endpoint: (type) => {
      const url = body.token.catalog
        ?.find((s) => s.type === type)
        ?.endpoints.find((e) => e.interface === "public")?.url;
      if (!url) throw new Error(`the lab's catalog has no public ${type} endpoint`);
      return url.replace(/\/$/, "");
    },
  };
}

/**
 * What still keeps the lab from booting a server, by name: a nova-compute
 * service that is not up, or a compute host whose (fake) OVS agent Neutron
 * counts as dead — Neutron then refuses to bind ports there and Nova fails the
 * build ("Exhausted all hosts"). Right after up.sh restarts neutron-server
 * the agent's first report can time out; its next one comes 30 s later.
 */
async function notReady(cat: Catalog): Promise<string[]> {
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(url, {
      headers: { "x-auth-token": cat.token, ...headers },
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
    return res.json() as Promise<unknown>;
  };
  const services = (await get(`${cat.endpoint("compute")}/os-services?binary=nova-compute`)) as {
    services: Array<{ host: string; state: string; status: string }>;
  };
  const agents = (await get(`${cat.endpoint("network")}/v2.0/agents?binary=neutron-openvswitch-agent`)) as {
    agents: Array<{ host: string; alive: boolean }>;
  };
  const waits: string[] = [];
  if (services.services.length === 0) waits.push("no nova-compute service registered");
  for (const s of services.services) {
    if (s.status !== "enabled") continue;
    if (s.state !== "up") waits.push(`nova-compute on ${s.host} is ${s.state}`);
    const agent = agents.agents.find((a) => a.host === s.host);
    if (!agent) waits.push(`no OVS agent reported for ${s.host}`);
    else if (!agent.alive)
      waits.push(`the OVS agent of ${s.host} is not alive (Neutron would refuse to bind ports there)`);
  }
  return waits;
}

/** Waits until every compute host can take a server, naming what it waits for; fails after the deadline. */
async function waitUntilReady(deadlineMs = 150_000): Promise<void> {
  const started = Date.now();
  let last: string[] = [];
  let lastPrinted = 0;
  for (;;) {
    try {
      last = await notReady(await adminCatalog());
    } catch (e) {
      last = [e instanceof Error ? e.message : String(e)];
    }
    if (last.length === 0) {
      console.log(`[lab] compute hosts and their network agents are up (${secs(Date.now() - started)})`);
      return;
    }
    if (Date.now() - started > deadlineMs)
      throw new Error(`the lab is not ready after ${secs(deadlineMs)}: ${last.join("; ")}`);
    if (Date.now() - lastPrinted > 15_000) {
      console.log(`[lab] waiting (deadline ${secs(deadlineMs)}): ${last.join("; ")}`);
      lastPrinted = Date.now();
    }
    await new Promise((r) => setTimeout(r, 3000));
  }
}

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: Array<{
    name: string;
    assertionResults: Array<{ title: string; status: string; duration?: number | null }>;
  }>;
}

function printTimes(file: string): void {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, "utf8")) as VitestJson;
  console.log("\n━━━ lab suite: time per test");
  for (const f of r.testResults) {
    console.log(path.relative(process.cwd(), f.name));
    let total = 0;
    for (const t of f.assertionResults) {
      total += t.duration ?? 0;
      const mark = t.status === "passed" ? "✓" : t.status === "failed" ? "✗" : "-";
      console.log(`  ${mark} ${secs(t.duration ?? 0).padStart(8)}  ${t.title}`);
    }
    console.log(`    ${secs(total).padStart(8)}  total`);
  }
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const mode = process.env.OPENSTACK_LAB_UP ?? "auto";
  const silent = await silentApis();
  if (silent.length === 0 && mode !== "always") console.log("[lab] all lab APIs answer");
  else {
    if (silent.length) console.log(`[lab] not answering: ${silent.join(", ")}`);
    if (mode === "never") throw new Error("The lab is down (OPENSTACK_LAB_UP=never)");
    await bringUp();
    const still = await silentApis();
    if (still.length) throw new Error(`After up.sh, still not answering: ${still.join(", ")}`);
  }
  await waitUntilReady();
  const tUp = Date.now();
  const report = "test-results/openstack.json";
  const res = spawnSync(
    "npx",
    [
      "vitest",
      "run",
      "-c",
      "vitest.openstack.config.ts",
      "--reporter=verbose",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...process.argv.slice(2),
    ],
    { stdio: "inherit" },
  );
  printTimes(report);
  console.log(
    `\n[lab] lab up/check ${secs(tUp - t0)}, suites ${secs(Date.now() - tUp)}, total ${secs(Date.now() - t0)}`,
  );
  return res.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[lab] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
