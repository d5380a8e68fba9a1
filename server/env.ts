import { z } from "zod";

/**
 * The validated environment. Every variable the console reads is declared here
 * (and documented in the README); a bad value stops the process with the
 * variable named, instead of failing later in some request.
 */
const base64Key = z.string().refine((v) => Buffer.from(v, "base64").length === 32, {
  message: "must be 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`)",
});

const flag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

export const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// connection URL"),
    CONSOLE_ENCRYPTION_KEY: base64Key,
    NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters"),
    NEXTAUTH_URL: z.url().optional(),
    OIDC_ISSUER: z.url().optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_DISPLAY_NAME: z.string().min(1).default("Single sign-on"),
    TRUST_PROXY: flag,
    AUTH_SIGNUP_LIMIT_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(10),
    /** Requests one API token may make per minute, across all web processes. */
    API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
    /**
     * Live updates: a browser's change stream is closed after this long and the
     * browser reconnects (resuming where it was), so streams spread over server
     * processes and proxies' idle limits never cut one unnoticed.
     */
    LIVE_STREAM_MAX_SECONDS: z.coerce.number().int().min(5).max(86_400).default(900),
    /**
     * How long a start waits for a running node to be Ready: past it a worker is replaced
     * (auto-healing's remedy) and a master fails the start with the reason.
     */
    NODE_READY_WAIT_SECONDS: z.coerce.number().int().min(30).max(86_400).default(600),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
    EMULATOR_URL: z.url().optional(),
    EMULATOR_ADMIN_KEY: z.string().min(16).optional(),
    EMULATOR_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    EMULATOR_SPEED: z.coerce.number().positive().optional(),
    /** The operator's cloud configuration (YAML): prices, volume types, DNS, external network, image pattern. */
    CONSOLE_CLOUD_CONFIG: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.EMULATOR_URL && !env.EMULATOR_ADMIN_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["EMULATOR_ADMIN_KEY"],
        message: "is required with EMULATOR_URL (the emulator prints it at start)",
      });
    }
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
    const set = oidc.filter((v) => v !== undefined).length;
    if (set !== 0 && set !== 3) {
      ctx.addIssue({
        code: "custom",
        path: ["OIDC_ISSUER"],
        message: "OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together (or none of them)",
      });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

export class EnvError extends Error {
  override name = "EnvError";
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "unset", as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const name = i.path.join(".") || "(environment)";
      const message = i.code === "invalid_type" && cleaned[name] === undefined ? "is required" : i.message;
      return `  ${name}: ${message}`;
    });
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}\nSee README.md, "Configuration".`);
  }
  return result.data;
}

let cached: Env | undefined;

/** The process environment, parsed once. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

export function oidcConfigured(e: Env = env()): boolean {
  return Boolean(e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET);
}

/**
 * One variable, read now with its declared schema, for code that must not
 * require the whole environment (services under test, workers): an invalid
 * value throws, with the variable named.
 */
export function setting<K extends keyof Env>(
  name: K,
  source: Record<string, string | undefined> = process.env,
): Env[K] {
  const raw = source[name];
  const r = EnvSchema.shape[name].safeParse(raw === "" ? undefined : raw);
  if (!r.success)
    throw new EnvError(`Invalid environment:\n  ${name}: ${r.error.issues[0]?.message ?? "invalid"}`);
  return r.data as Env[K];
}

/** The built-in emulator this console runs with (EMULATOR_URL and EMULATOR_ADMIN_KEY), if any. */
export function emulatorEndpoint(
  source: Record<string, string | undefined> = process.env,
): { url: string; adminKey: string } | null {
  const url = setting("EMULATOR_URL", source);
  const adminKey = setting("EMULATOR_ADMIN_KEY", source);
  return url && adminKey ? { url, adminKey } : null;
}
