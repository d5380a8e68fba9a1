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
