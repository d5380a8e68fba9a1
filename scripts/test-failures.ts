/**
 * The failed tests of an `npm test` run, read from its JSON reports
 * (test-results/vitest.json, test-results/e2e.json): name and first error
 * lines each, so a CI log's summary says what failed, not only how many.
 */
import { existsSync, readFileSync } from "node:fs";

/** First lines of a failure message, without terminal colours. */
function firstLines(message: string | undefined, n = 6): string {
  return (message ?? "")
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(0, n)
    .map((l) => `      ${l.slice(0, 300)}`)
    .join("\n");
}

/** Names and first error lines of every failed test, from the JSON reports. */
export function failures(): string[] {
  const out: string[] = [];
  if (existsSync("test-results/vitest.json")) {
    const r = JSON.parse(readFileSync("test-results/vitest.json", "utf8")) as {
      testResults?: {
        name: string;
        status: string;
        message?: string;
        assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
      }[];
    };
    for (const file of r.testResults ?? []) {
      const failed = (file.assertionResults ?? []).filter((a) => a.status === "failed");
      for (const a of failed)
        out.push(
          `  ✗ ${file.name.replace(process.cwd() + "/", "")} > ${a.fullName}\n${firstLines(a.failureMessages?.[0])}`,
        );
      if (failed.length === 0 && file.status === "failed")
        out.push(`  ✗ ${file.name.replace(process.cwd() + "/", "")} (suite)\n${firstLines(file.message)}`);
    }
  }
  if (existsSync("test-results/e2e.json")) {
    interface Spec {
      title: string;
      file: string;
      tests: { status: string; results: { status: string; error?: { message?: string } }[] }[];
    }
    interface Suite {
      specs?: Spec[];
      suites?: Suite[];
    }
    const r = JSON.parse(readFileSync("test-results/e2e.json", "utf8")) as Suite & {
      errors?: { message?: string }[];
    };
    const walk = (suite: Suite) => {
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests) {
          if (t.status !== "unexpected" && t.status !== "flaky") continue;
          const err = t.results.find((x) => x.error)?.error?.message;
          out.push(`  ✗ ${spec.file} > ${spec.title} (${t.status})\n${firstLines(err)}`);
        }
      }
      for (const s of suite.suites ?? []) walk(s);
    };
    walk(r);
    for (const e of r.errors ?? []) out.push(`  ✗ e2e setup error\n${firstLines(e.message)}`);
  }
  return out;
}
