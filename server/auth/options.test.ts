import { describe, expect, it } from "vitest";
import { parseEnv } from "@/server/env";
import { generateKey } from "@/server/security/encryption";
import { oidcProvider } from "./options";

const env = parseEnv({
  DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db",
  CONSOLE_ENCRYPTION_KEY: generateKey(),
  NEXTAUTH_SECRET: "x".repeat(40),
  OIDC_ISSUER: "https://id.example.com/realms/cloud/",
  OIDC_CLIENT_ID: "console",
  OIDC_CLIENT_SECRET: "oidc-secret",
  OIDC_DISPLAY_NAME: "Company SSO",
});

describe("OIDC provider", () => {
  it("is configured from the environment with discovery, PKCE and state", () => {
    const p = oidcProvider(env);
    expect(p).toMatchObject({
      id: "oidc",
      name: "Company SSO",
      type: "oauth",
      wellKnown: "https://id.example.com/realms/cloud/.well-known/openid-configuration",
      clientId: "console",
      idToken: true,
      checks: ["pkce", "state"],
    });
  });

  it("maps the profile and rejects one without an email", () => {
    const p = oidcProvider(env);
    const tokens = {};
    expect(p.profile({ sub: "abc", email: "Ann@Example.com", name: "Ann" }, tokens)).toEqual({
      id: "abc",
      email: "Ann@Example.com",
      name: "Ann",
    });
    expect(
      p.profile({ sub: "abc", email: "a@example.com", preferred_username: "ann" }, tokens),
    ).toMatchObject({ name: "ann" });
    expect(() => p.profile({ sub: "abc" } as never, tokens)).toThrow();
  });
});
