import { describe, expect, it } from "vitest";
import { BadRequest, CredentialsRejected, Unauthorized, Unavailable } from "@/server/openstack";
import { classify } from "./scope";

const ctx = { service: "identity", method: "POST", path: "/v3/auth/tokens", status: 401 };

describe("classify", () => {
  it("makes credentials Keystone rejects terminal, with the clear message", () => {
    const err = new CredentialsRejected(
      "The project's cloud credentials are rejected by Keystone: nope",
      ctx,
    );
    expect(classify(err)).toEqual({
      terminal: true,
      message: "The project's cloud credentials are rejected by Keystone: nope",
    });
  });
  it("keeps a service's 401 and a 503 retryable, and a 400 terminal", () => {
    expect(classify(new Unauthorized("token expired", { ...ctx, service: "compute" })).terminal).toBe(false);
    expect(classify(new Unavailable("down", { ...ctx, status: 503 })).terminal).toBe(false);
    expect(classify(new BadRequest("bad", { ...ctx, status: 400 })).terminal).toBe(true);
  });
});
