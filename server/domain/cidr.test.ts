import { describe, expect, it } from "vitest";
import { firstServiceIp, isPrivate, overlaps, parseCidr, parseCidrList, undeployedIpv6 } from "./cidr";

const c = (s: string) => {
  const r = parseCidr(s);
  if (!r) throw new Error(s);
  return r;
};

describe("CIDR arithmetic", () => {
  it.each<[string, { family: string; prefix: number } | null]>([
    ["10.0.0.0/24", { family: "IPv4", prefix: 24 }],
    [" 192.168.0.0/16 ", { family: "IPv4", prefix: 16 }],
    ["fd00:10:100::/56", { family: "IPv6", prefix: 56 }],
    ["FD00::/8", { family: "IPv6", prefix: 8 }],
    ["10.0.0.1/24", null], // host bits set
    ["fd00::1/64", null],
    ["10.0.0.0/33", null],
    ["10.1/16", null], // shorthand IPv4
    ["010.0.0.0/8", null], // octal-looking
    ["0x0a.0.0.0/8", null],
    ["fe80::%eth0/64", null], // zone id
    ["10.0.0.0", null], // no prefix
    ["office", null],
  ])("parses %j", (s, expected) => {
    const r = parseCidr(s);
    expect(r ? { family: r.family, prefix: r.prefix } : null).toEqual(expected);
  });

  it.each<[string, string, boolean]>([
    ["10.0.0.0/8", "10.100.0.0/16", true],
    ["10.100.0.0/16", "10.0.0.0/8", true],
    ["10.0.0.0/24", "10.0.1.0/24", false],
    ["fd00:10::/48", "fd00:10:0:ff::/64", true],
    ["fd00:10::/64", "fd00:10:0:1::/64", false],
    ["10.0.0.0/8", "::ffff:10.0.0.0/104", false], // families never overlap
  ])("%s and %s overlap: %s", (a, b, expected) => {
    expect(overlaps(c(a), c(b))).toBe(expected);
  });

  it.each<[string, boolean]>([
    ["10.0.0.0/8", true],
    ["100.64.0.0/10", true],
    ["100.0.0.0/8", false],
    ["8.8.8.0/24", false],
    ["fd00:10::/64", true],
    ["fc00::/7", true],
    ["2001:db8::/32", false],
  ])("%s is private: %s", (s, expected) => {
    expect(isPrivate(c(s))).toBe(expected);
  });

  it.each<[string, string[] | null]>([
    ["10.100.0.0/16", ["10.100.0.0/16"]],
    ["10.100.0.0/16,fd00:10:100::/56", ["10.100.0.0/16", "fd00:10:100::/56"]],
    ["fd00:10:100::/56, 10.100.0.0/16", ["fd00:10:100::/56", "10.100.0.0/16"]],
    ["10.100.0.0/16,10.200.0.0/16", null],
    ["10.100.0.0/16,fd00::/56,fd01::/56", null],
    ["10.100.0.0/16,", null],
  ])("reads %j as a single or dual-stack range", (s, expected) => {
    expect(parseCidrList(s)?.map((x) => x.text) ?? null).toEqual(expected);
  });

  it.each<[string, string | null]>([
    ["10.254.0.0/16", "10.254.0.1"],
    ["172.16.0.0/30", "172.16.0.1"],
    ["172.16.0.0/31", null],
    ["fd00:10:254::/112", "fd00:10:254::1"],
    ["10.254.0.0/16,fd00:10:254::/112", "10.254.0.1"], // the primary family's
    ["fd00:10:254::/112,10.254.0.0/16", "fd00:10:254::1"],
    ["nonsense", null],
  ])("the kubernetes Service IP of %s is %s", (s, ip) => {
    expect(firstServiceIp(s)).toBe(ip);
  });
});

describe("what this release does not deploy yet", () => {
  const ipv4 = {
    network: { mode: "new", cidr: "10.0.0.0/24" },
    podCidr: "10.100.0.0/16",
    serviceCidr: "10.254.0.0/16",
    apiAccess: { allowedCidrs: ["203.0.113.0/24"] },
  };
  it.each<[string, Record<string, unknown>, string[]]>([
    ["an IPv4 cluster", {}, []],
    [
      "dual-stack",
      {
        network: { mode: "new", cidr: "10.0.0.0/24,fd00:10::/64" },
        podCidr: "10.100.0.0/16,fd00:10:100::/56",
        serviceCidr: "10.254.0.0/16,fd00:10:254::/112",
      },
      [
        "network.cidr: IPv6 and dual-stack node subnets are not deployed yet: this release builds IPv4 clusters only",
        "podCidr: IPv6 and dual-stack pod CIDRs are not deployed yet: this release builds IPv4 clusters only",
        "serviceCidr: IPv6 and dual-stack service CIDRs are not deployed yet: this release builds IPv4 clusters only",
      ],
    ],
    [
      "IPv6 pods on an existing network",
      { network: { mode: "existing" }, podCidr: "fd00:10:100::/56", serviceCidr: "fd00:10:254::/112" },
      [
        "podCidr: IPv6 and dual-stack pod CIDRs are not deployed yet: this release builds IPv4 clusters only",
        "serviceCidr: IPv6 and dual-stack service CIDRs are not deployed yet: this release builds IPv4 clusters only",
      ],
    ],
    [
      "an IPv6 allowlist entry",
      { apiAccess: { allowedCidrs: ["203.0.113.0/24", "2001:db8::/32"] } },
      [
        "apiAccess.allowedCidrs.1: IPv6 allowlist entries are not deployed yet: the API endpoint has an IPv4 address only",
      ],
    ],
  ])("%s", (_name, over, expected) => {
    expect(undeployedIpv6({ ...ipv4, ...over }).map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(
      expected,
    );
  });
});
