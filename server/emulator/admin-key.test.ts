import { describe, expect, it } from "vitest";
import { sameSecret } from "./index";

/** The emulator's admin key check (constant time: a timing difference is not asserted, the answers are). */
describe("emulator admin key comparison", () => {
  const key = "k3y-0123456789abcdef";
  it("accepts the key and nothing else", () => {
    expect(sameSecret(key, key)).toBe(true);
    for (const wrong of ["", "k3y", `${key}x`, key.slice(0, -1) + "g", key.toUpperCase()])
      expect(sameSecret(wrong, key)).toBe(false);
    // A header sent twice, or not at all.
    expect(sameSecret([key, key], key)).toBe(false);
    expect(sameSecret(undefined, key)).toBe(false);
  });
});
