import { describe, expect, it } from "vitest";
import { generateToken, hashToken, parseToken, TOKEN_PATTERN } from "./api-token";

describe("API token format", () => {
  it("makes recognisable, checksummed tokens of each kind", () => {
    const p = generateToken("personal");
    const s = generateToken("service_account");
    expect(p.secret).toMatch(TOKEN_PATTERN);
    expect(p.secret.startsWith("kcp_")).toBe(true);
    expect(s.secret.startsWith("kcs_")).toBe(true);
    expect(parseToken(p.secret)).toBe("personal");
    expect(parseToken(s.secret)).toBe("service_account");
    expect(p.prefix).toBe(p.secret.slice(0, 12));
    expect(p.hash).toBe(hashToken(p.secret));
    expect(p.hash).not.toContain(p.secret.slice(4));
  });

  it("refuses a token with a changed character, a wrong scheme or a wrong length", () => {
    const { secret } = generateToken("personal");
    const i = 10;
    const changed = secret.slice(0, i) + (secret[i] === "a" ? "b" : "a") + secret.slice(i + 1);
    expect(parseToken(changed)).toBeNull();
    expect(parseToken(secret.replace("kcp_", "kcx_"))).toBeNull();
    expect(parseToken(secret + "a")).toBeNull();
    expect(parseToken("")).toBeNull();
  });

  it("never repeats a secret", () => {
    const seen = new Set(Array.from({ length: 500 }, () => generateToken("personal").secret));
    expect(seen.size).toBe(500);
  });
});
