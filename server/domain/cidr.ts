/** IPv4 CIDR arithmetic for spec validation. */
export interface Cidr {
  base: number;
  prefix: number;
  size: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function parseCidr(s: string): Cidr | null {
  const m = IPV4.exec(s.trim());
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return null;
  const ip = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (ip % size !== 0) return null; // host bits set: 10.0.0.1/24 is not a network
  return { base: ip, prefix, size };
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** Ranges a cluster network may not use: loopback (the emulator's floating IPs), link-local, multicast, reserved. */
export const RESERVED: Array<[string, string]> = [
  ["0.0.0.0/8", "“this network”"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local (cloud metadata)"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved"],
];

export function isPrivate(c: Cidr): boolean {
  const inside = (net: string) => {
    const n = parseCidr(net)!;
    return c.base >= n.base && c.base + c.size <= n.base + n.size;
  };
  return (
    inside("10.0.0.0/8") || inside("172.16.0.0/12") || inside("192.168.0.0/16") || inside("100.64.0.0/10")
  );
}

/** The first usable address of a range: the in-cluster `kubernetes` Service IP of a service CIDR. */
export function firstServiceIp(cidr: string): string | null {
  const c = parseCidr(cidr);
  if (!c || c.size < 4) return null;
  const n = c.base + 1;
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}
