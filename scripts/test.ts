/**
 * `npm test`: typecheck, lint, unit + integration (vitest, real embedded
 * PostgreSQL), production build, end-to-end (Playwright, Chromium). Every
 * stage runs even when an earlier one fails; the last line is the total,
 * `N passed, N failed`, for CI to read.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { failures } from "./test-failures";

interface Stage {
  name: string;
  cmd: string[];
  /** Count test results from a JSON report; stages without one count as one check. */
  count?: () => { passed: number; failed: number; skipped: number } | null;
  env?: Record<string, string>;
}

const only = process.argv.slice(2);

function vitestCount() {
  if (!existsSync("test-results/vitest.json")) return null;
  const r = JSON.parse(readFileSync("test-results/vitest.json", "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    numFailedTestSuites: number;
  };
  return {
    passed: r.numPassedTests,
    failed: r.numFailedTests + (r.numFailedTests === 0 ? r.numFailedTestSuites : 0),
    skipped: r.numPendingTests + r.numTodoTests,
  };
}

function playwrightCount() {
  if (!existsSync("test-results/e2e.json")) return null;
  const r = JSON.parse(readFileSync("test-results/e2e.json", "utf8")) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
    errors?: unknown[];
  };
  const setupErrors = r.errors?.length ?? 0;
  return {
    passed: r.stats.expected,
    failed: r.stats.unexpected + r.stats.flaky + setupErrors,
    skipped: r.stats.skipped,
  };
}

const stages: Stage[] = [
  { name: "typecheck", cmd: ["npx", "tsc", "--noEmit"] },
  { name: "lint", cmd: ["npx", "eslint", "--max-warnings", "0", "."] },
  { name: "format", cmd: ["npx", "prettier", "--check", "."] },
  {
    name: "unit+integration",
    cmd: [
      "npx",
      "vitest",
      "run",
      "--reporter=default",
      "--reporter=json",
      "--outputFile.json=test-results/vitest.json",
    ],
    count: vitestCount,
  },
  { name: "build", cmd: ["npx", "next", "build"] },
  { name: "e2e", cmd: ["npx", "playwright", "test"], count: playwrightCount },
];

/**
 * Runs a stage with its output passed through, keeping the last 256 kB so a
 * stage that fails without a failing test (a crash, vitest's "Unhandled
 * Errors") can say why in the summary.
 */
function runStage(stage: Stage): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(stage.cmd[0]!, stage.cmd.slice(1), {
      stdio: ["inherit", "pipe", "pipe"],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...stage.env },
    });
    let output = "";
    const keep = (chunk: Buffer, to: NodeJS.WriteStream) => {
      to.write(chunk);
      output = (output + chunk.toString("utf8")).slice(-256 * 1024);
    };
    child.stdout.on("data", (c: Buffer) => keep(c, process.stdout));
    child.stderr.on("data", (c: Buffer) => keep(c, process.stderr));
    child.on("error", (e) => {
      output += `\n${e.message}`;
    });
    child.on("close", (status) => resolve({ status, output }));
  });
}

/** Why a stage failed when no test says: vitest's failed-suite or unhandled-error block, else the output's last lines. */
function crashReason(output: string): string {
  const lines = output.replace(/\u001b\[[0-9;]*m/g, "").split("\n");
  const start = lines.findIndex((l) => /Unhandled (Errors?|Rejection)|Failed (Suites|Tests) \d/.test(l));
  const picked = start >= 0 ? lines.slice(start, start + 40) : lines.slice(-30);
  return picked
    .filter((l) => l.trim() !== "")
    .map((l) => `      ${l.slice(0, 300)}`)
    .join("\n");
}

rmSync("test-results", { recursive: true, force: true });
let passed = 0;
let failed = 0;
let skipped = 0;
const summary: string[] = [];
const crashes: string[] = [];
for (const stage of stages) {
  if (only.length > 0 && !only.includes(stage.name)) continue;
  console.log(`\n━━━ ${stage.name}: ${stage.cmd.join(" ")}`);
  const started = Date.now();
  const namedBefore = failures().length;
  const res = await runStage(stage);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const counted = stage.count?.() ?? null;
  const ok = res.status === 0;
  if (counted) {
    passed += counted.passed;
    failed += counted.failed;
    skipped += counted.skipped;
    if (!ok && counted.failed === 0) failed += 1; // crashed without a failing test: still a failure
  } else if (ok) passed += 1;
  else failed += 1;
  // A failed stage whose JSON report names no failed test (a crash, an unhandled error, a failed hook):
  // its own output says why.
  const named = failures().length;
  if (!ok && named === namedBefore)
    crashes.push(`  ✗ ${stage.name} exited ${res.status ?? "on a signal"}:\n${crashReason(res.output)}`);
  summary.push(
    `${ok ? "✓" : "✗"} ${stage.name.padEnd(17)} ${seconds.padStart(6)} s${counted ? `  (${counted.passed} passed, ${counted.failed} failed)` : ""}`,
  );
}

const failedTests = failures();
const report = [
  "━━━ summary",
  ...summary,
  ...(failedTests.length > 0 ? ["", "failed tests:", ...failedTests] : []),
  ...(crashes.length > 0
    ? ["", "stages that failed with no failed test to show, in their own words:", ...crashes]
    : []),
  "",
  `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`,
].join("\n");
// CI prints this file again at the very end of its log, after the lab suite.
mkdirSync("test-results", { recursive: true });
writeFileSync("test-results/summary.txt", report + "\n");
console.log(`\n${report}`);
process.exit(failed > 0 ? 1 : 0);
