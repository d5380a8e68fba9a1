import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";
import { generateKey } from "./security/encryption";

const valid = {
  DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db",
  CONSOLE_ENCRYPTION_KEY: generateKey(),
  NEXTAUTH_SECRET: "x".repeat(40),
};

describe("environment", () => {
  it("accepts a valid environment with defaults", () => {
    const env = parseEnv(valid);
    expect(env).toMatchObject({ NODE_ENV: "development", TRUST_PROXY: false, LOG_LEVEL: "info" });
  });

  it.each([
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL: must be a postgres/],
    [{ CONSOLE_ENCRYPTION_KEY: "short" }, /CONSOLE_ENCRYPTION_KEY: must be 32 random bytes/],
    [{ NEXTAUTH_SECRET: "tiny" }, /NEXTAUTH_SECRET: must be at least 32/],
    [
      { OIDC_ISSUER: "https://id.example.com" },
      /OIDC_ISSUER: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together/,
    ],
    [{ TRUST_PROXY: "yes" }, /TRUST_PROXY/],
  ])("names the bad variable: %j", (patch, message) => {
    expect(() => parseEnv({ ...valid, ...patch })).toThrow(EnvError);
    expect(() => parseEnv({ ...valid, ...patch })).toThrow(message);
  });

  it("says which required variable is missing", () => {
    expect(() => parseEnv({ ...valid, NEXTAUTH_SECRET: "" })).toThrow(/NEXTAUTH_SECRET: is required/);
  });

  it("enables OIDC only with all three variables", () => {
    const env = parseEnv({
      ...valid,
      OIDC_ISSUER: "https://id.example.com/realms/x",
      OIDC_CLIENT_ID: "console",
      OIDC_CLIENT_SECRET: "s",
    });
    expect(env.OIDC_DISPLAY_NAME).toBe("Single sign-on");
  });
});
