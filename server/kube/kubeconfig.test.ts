import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { certificateKubeconfig, oidcKubeconfig } from "./kubeconfig";

const base = {
  clusterName: "prod",
  server: "https://127.64.0.20:6443",
  caCertPem: "-----BEGIN CERTIFICATE-----\nCA\n",
};

describe("kubeconfig rendering", () => {
  it("a certificate kubeconfig names one cluster, user and context, with base64 PEMs", () => {
    const k = parse(
      certificateKubeconfig({ ...base, user: "ann@example.com", clientCertPem: "CERT", clientKeyPem: "KEY" }),
    ) as Record<string, unknown> & { users: Array<{ name: string; user: Record<string, string> }> };
    expect(k["current-context"]).toBe("prod");
    expect(k.users[0]!.name).toBe("ann@example.com@prod");
    expect(Buffer.from(k.users[0]!.user["client-key-data"]!, "base64").toString()).toBe("KEY");
  });

  it("an OIDC kubeconfig carries no secret, only the exec plugin", () => {
    const text = oidcKubeconfig({
      ...base,
      issuerUrl: "https://id.example.com/realms/k",
      clientId: "console",
    });
    const k = parse(text) as { users: Array<{ user: { exec: { command: string; args: string[] } } }> };
    expect(text).not.toMatch(/client-key-data|client-certificate-data|token:/);
    expect(k.users[0]!.user.exec.command).toBe("kubectl");
    expect(k.users[0]!.user.exec.args).toContain("--oidc-issuer-url=https://id.example.com/realms/k");
  });
});
