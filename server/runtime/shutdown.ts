import os from "node:os";

/**
 * Stopping a console process (`npm run dev` / `npm start`, `npm run worker`)
 * on SIGINT, SIGTERM or SIGHUP: its parts stop one after the other, each
 * once nothing above it uses it any more (HTTP, then the worker, then the
 * database pools, then the servers they talk to), in a few one-line
 * messages. A slow step is named while it is waited for; past the deadline
 * the process exits anyway, and a second signal exits at once.
 */
export interface ShutdownStep {
  /** What is waited for, as a message finishes it: "[serve] waiting for <name>…". */
  name: string;
  run: () => Promise<unknown> | unknown;
}

export interface ShutdownOptions {
  /** Prefix of every message, e.g. "[serve]". */
  label: string;
  /** The whole shutdown's limit (default 10 s). */
  deadlineMs?: number;
  /** A step running this long is named (default 2 s). */
  slowMs?: number;
  log?: (message: string) => void;
}

export const SHUTDOWN_DEADLINE_MS = 10_000;

/** Runs the steps in order; resolves "timeout" (having said what it was waiting for) if the deadline comes first. */
export async function runShutdown(steps: ShutdownStep[], opts: ShutdownOptions): Promise<"done" | "timeout"> {
  const log = opts.log ?? ((m) => console.log(m));
  const deadlineMs = opts.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  let current = "";
  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    deadlineTimer = setTimeout(() => resolve("timeout"), deadlineMs);
  });
  const work = (async () => {
    for (const step of steps) {
      current = step.name;
      const slow = setTimeout(() => log(`${opts.label} waiting for ${step.name}…`), opts.slowMs ?? 2_000);
      try {
        await step.run();
      } catch (err) {
        log(`${opts.label} ${step.name}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        clearTimeout(slow);
      }
    }
    return "done" as const;
  })();
  const result = await Promise.race([work, deadline]);
  clearTimeout(deadlineTimer);
  if (result === "timeout")
    log(`${opts.label} gave up after ${deadlineMs / 1000} s waiting for ${current}; exiting`);
  return result;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const SAME_PRESS_MS = 1_000;

/**
 * Installs the handlers: the first signal runs the steps and exits 0 (1 past
 * the deadline); a second one exits at once (128 + its number). `steps` is
 * read when the signal comes, so parts started later are included.
 */
export function stopOnSignals(
  steps: () => ShutdownStep[],
  opts: ShutdownOptions & { exit?: (code: number) => void },
): void {
  const log = opts.log ?? ((m: string) => console.log(m));
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let firstAt: number | null = null;
  const onSignal = (signal: (typeof SIGNALS)[number]) => {
    if (firstAt !== null) {
      // A terminal's Ctrl-C reaches the whole process group, tsx's launcher included, and the
      // launcher relays it unless it saw this process report it within 30 ms: one key press can
      // arrive twice, a few ms apart. Only a later one is the user's second Ctrl-C.
      if (Date.now() - firstAt < SAME_PRESS_MS) return;
      log(`${opts.label} ${signal} again: exiting now`);
      exit(128 + (os.constants.signals[signal] ?? 0));
      return;
    }
    firstAt = Date.now();
    // The terminal is gone (SIGHUP): writing to it fails with EIO, which must not become an uncaughtException.
    if (signal === "SIGHUP")
      for (const out of [process.stdout, process.stderr]) out.on("error", () => undefined);
    log(
      `${opts.label} ${signal}: shutting down (${signal === "SIGINT" ? "Ctrl-C" : signal} again to exit at once)`,
    );
    void runShutdown(steps(), { ...opts, log }).then((result) => {
      if (result === "done") log(`${opts.label} stopped`);
      exit(result === "done" ? 0 : 1);
    });
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
}
