/**
 * Structured one-line JSON logs. Callers pass only non-secret fields; keys
 * that look like secrets are masked anyway as a second line of defence.
 */
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|key/i;
const LEVELS = ["debug", "info", "warn", "error"] as const;
type Level = (typeof LEVELS)[number];

function threshold(): number {
  const wanted = process.env.LOG_LEVEL as Level | undefined;
  return LEVELS.indexOf(wanted && LEVELS.includes(wanted) ? wanted : "info");
}

function scrub(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, SECRET_KEY.test(k) ? "[redacted]" : v]),
  );
}

function write(level: Level, msg: string, fields: Record<string, unknown> = {}) {
  if (LEVELS.indexOf(level) < threshold()) return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...scrub(fields) });
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line + "\n");
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
