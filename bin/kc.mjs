#!/usr/bin/env node
// `npx kc …`: runs cli/kc.ts through tsx (TypeScript, no build step).
import { readFileSync } from "node:fs";
import { register } from "tsx/esm/api";

register();
const { run, CliError, EXIT } = await import("../cli/kc.ts");
const io = {
  env: process.env,
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  tty: Boolean(process.stderr.isTTY),
  readStdin: () => readFileSync(0, "utf8"),
};
try {
  process.exitCode = await run(process.argv.slice(2), io);
} catch (e) {
  if (e instanceof CliError) {
    process.stderr.write(`kc: ${e.message}\n`);
    process.exitCode = e.exitCode;
  } else {
    process.stderr.write(`kc: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = EXIT.failed;
  }
}
