import { describe, expect, it } from "vitest";
import { requestMetaFrom } from "./request-meta";

describe("request meta", () => {
  it("takes the first x-forwarded-for entry and unwraps IPv4-mapped addresses", () => {
    expect(requestMetaFrom(new Headers({ "x-forwarded-for": "::ffff:10.1.2.3, 10.0.0.1" })).clientIp).toBe(
      "10.1.2.3",
    );
    expect(requestMetaFrom({ "x-forwarded-for": ["192.0.2.1"] }).clientIp).toBe("192.0.2.1");
    expect(requestMetaFrom({}).clientIp).toBeNull();
  });

  it("keeps a well-formed request id and replaces anything else", () => {
    expect(requestMetaFrom(new Headers({ "x-request-id": "abcd-1234-efgh" })).requestId).toBe(
      "abcd-1234-efgh",
    );
    const injected = requestMetaFrom({ "x-request-id": "bad id; with <script>" }).requestId;
    expect(injected).toMatch(/^[0-9a-f-]{36}$/);
  });
});
