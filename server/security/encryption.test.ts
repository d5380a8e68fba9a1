import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, generateKey } from "./encryption";

describe("secret encryption (AES-256-GCM)", () => {
  const key = generateKey();

  it("round-trips and uses a fresh nonce each time", () => {
    const a = encryptSecret("hunter2", "ctx", key);
    const b = encryptSecret("hunter2", "ctx", key);
    expect(a).not.toBe(b);
    expect(decryptSecret(a, "ctx", key)).toBe("hunter2");
    expect(decryptSecret(encryptSecret("", "ctx", key), "ctx", key)).toBe("");
    expect(decryptSecret(encryptSecret("ключ 🔑", "ctx", key), "ctx", key)).toBe("ключ 🔑");
  });

  it("refuses another key, another context, a tampered value or an unknown format", () => {
    const stored = encryptSecret("hunter2", "ctx", key);
    expect(() => decryptSecret(stored, "ctx", generateKey())).toThrow(/could not be decrypted/);
    expect(() => decryptSecret(stored, "other", key)).toThrow(/could not be decrypted/);
    const parts = stored.split(".");
    const flipped = Buffer.from(parts[3]!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    expect(() =>
      decryptSecret([parts[0], parts[1], parts[2], flipped.toString("base64url")].join("."), "ctx", key),
    ).toThrow();
    expect(() => decryptSecret("plaintext", "ctx", key)).toThrow(/unrecognised/);
  });
});
