import ipaddr from "ipaddr.js";

/**
 * IPv4 and IPv6 CIDR rules for spec validation, on ipaddr.js (small enough
 * for the wizard's bundle: contracts/cluster.ts runs these checks in the
 * browser too). A field holds one range, or one IPv4 and one IPv6 range
 * separated by a comma for dual-stack, primary family first, as kubeadm's
 * podSubnet and serviceSubnet take them (`10.100.0.0/16,fd00:10:100::/56`).
 */

export type IpFamily = "IPv4" | "IPv6";

export interface Cidr {
  family: IpFamily;
  /** The network address (no host bits set). */
  address: ipaddr.IPv4 | ipaddr.IPv6;
  prefix: number;
  /** As written, trimmed. */
  text: string;
}

export function parseCidr(s: string): Cidr | null {
  const text = s.trim();
  if (!ipaddr.isValidCIDR(text)) return null;
  const [address, prefix] = ipaddr.parseCIDR(text);
  if (address.kind() === "ipv4") {
    // ipaddr.js also reads 10.1/16, 0x0a.0.0.0/8 and 010.0.0.0/8 (octal): only dotted decimal is a network here.
    if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(text)) return null;
    if (ipaddr.IPv4.networkAddressFromCIDR(text).toString() !== address.toString()) return null;
    return { family: "IPv4", address, prefix, text };
  }
  const v6 = address as ipaddr.IPv6;
  if (v6.zoneId !== undefined) return null;
  // host bits set: fd00::1/64 is not a network
  if (ipaddr.IPv6.networkAddressFromCIDR(text).toNormalizedString() !== v6.toNormalizedString()) return null;
  return { family: "IPv6", address: v6, prefix, text };
}

/** Do two ranges share an address? Ranges of different families never do. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.address.match(b.address, Math.min(a.prefix, b.prefix));
}

/** Is `inner` wholly inside `outer`? */
function within(inner: Cidr, outer: Cidr): boolean {
  return overlaps(inner, outer) && inner.prefix >= outer.prefix;
}

const must = (s: string): Cidr => {
  const c = parseCidr(s);
  if (!c) throw new Error(`bad built-in CIDR ${s}`);
  return c;
};

/** Ranges a cluster network may not use: loopback (the emulator's floating IPs), link-local, multicast, reserved. */
export const RESERVED: Array<[string, string]> = [
  ["0.0.0.0/8", "“this network”"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local (cloud metadata)"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved"],
  ["::/8", "reserved: unspecified, loopback and IPv4-mapped addresses"],
  ["fe80::/10", "link-local"],
  ["ff00::/8", "multicast"],
];
const RESERVED_CIDRS = RESERVED.map(([r, why]) => [must(r), why] as const);

const PRIVATE: Record<IpFamily, Cidr[]> = {
  IPv4: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map(must),
  // unique local addresses (RFC 4193)
  IPv6: ["fc00::/7"].map(must),
};

export function isPrivate(c: Cidr): boolean {
  return PRIVATE[c.family].some((p) => within(c, p));
}

/**
 * One range, or a dual-stack pair (one of each family, primary first).
 * null when a part is not a network or the list is not one of those shapes.
 */
export function parseCidrList(s: string): Cidr[] | null {
  const parts = s.split(",").map(parseCidr);
  if (parts.length > 2 || parts.some((c) => c === null)) return null;
  const list = parts as Cidr[];
  return list.length === 2 && list[0]!.family === list[1]!.family ? null : list;
}

/** The first usable address of a (primary) range: the in-cluster `kubernetes` Service IP of a service CIDR. */
export function firstServiceIp(cidr: string): string | null {
  const c = parseCidrList(cidr)?.[0];
  const bits = c?.family === "IPv4" ? 32 : 128;
  if (!c || bits - c.prefix < 2) return null; // fewer than 4 addresses
  const bytes = c.address.toByteArray();
  const last = bytes.length - 1;
  bytes[last] = (bytes[last] ?? 0) + 1; // the network address's host bits are zero: no carry
  const first = ipaddr.fromByteArray(bytes);
  return first.kind() === "ipv6" ? (first as ipaddr.IPv6).toRFC5952String() : first.toString();
}

export interface CidrIssue {
  path: string[];
  message: string;
}

/** The CIDR fields of a cluster spec (structurally: contracts/cluster.ts's ClusterSpec). */
export interface ClusterCidrs {
  network: { mode: string; cidr?: string };
  podCidr: string;
  serviceCidr: string;
  apiAccess: { allowedCidrs: string[] };
}

type Field = { path: string[]; label: string; value: string; example: string };

function cidrFields(spec: ClusterCidrs): Field[] {
  return [
    ...(spec.network.mode === "new" && spec.network.cidr !== undefined
      ? [
          {
            path: ["network", "cidr"],
            label: "node subnet",
            value: spec.network.cidr,
            example: "10.0.0.0/24,fd00:10::/64",
          },
        ]
      : []),
    { path: ["podCidr"], label: "pod CIDR", value: spec.podCidr, example: "10.100.0.0/16,fd00:10:100::/56" },
    {
      path: ["serviceCidr"],
      label: "service CIDR",
      value: spec.serviceCidr,
      example: "10.254.0.0/16,fd00:10:254::/112",
    },
  ];
}

/** Prefix lengths each field may have, per family; null when it fits. */
function prefixProblem(label: string, c: Cidr): string | null {
  if (label === "node subnet") {
    if (c.family === "IPv4")
      return c.prefix > 27 || c.prefix < 16 ? "The node subnet must be between /16 and /27" : null;
    return c.prefix !== 64
      ? "An IPv6 node subnet must be a /64 (IPv6 address autoconfiguration needs one)"
      : null;
  }
  if (label === "pod CIDR") {
    if (c.family === "IPv4") return c.prefix > 20 ? "The pod CIDR must be /20 or larger" : null;
    // Each node gets a /64; kube-controller-manager splits a pod CIDR by at most 16 bits.
    return c.prefix < 48 || c.prefix > 60
      ? "An IPv6 pod CIDR must be between /48 and /60 (each node gets a /64 of it)"
      : null;
  }
  if (c.family === "IPv6" && (c.prefix < 108 || c.prefix > 120))
    // kubeadm and kube-apiserver refuse a service range of more than 20 host bits.
    return "An IPv6 service CIDR must be between /108 and /120 (the API server allocates from at most 20 bits)";
  return null;
}

const families = (list: Cidr[]) => list.map((c) => c.family).join(",");

/**
 * Every rule on the node subnet, pod and service CIDRs: notation, single or
 * dual-stack shape, reserved and private ranges, prefix lengths, overlaps
 * and matching families. Each issue names its field.
 */
export function checkClusterCidrs(spec: ClusterCidrs): CidrIssue[] {
  const out: CidrIssue[] = [];
  const parsed: Array<Field & { cidrs: Cidr[] | null }> = [];
  for (const f of cidrFields(spec)) {
    const parts = f.value.split(",");
    const bad = parts.find((p) => !parseCidr(p));
    let cidrs: Cidr[] | null = null;
    if (bad !== undefined) {
      const shown = parts.length > 1 && bad.trim() !== "" ? bad.trim() : f.value;
      out.push({
        path: f.path,
        message: `'${shown}' is not a network in CIDR notation (e.g. 10.0.0.0/24, with no host bits set)`,
      });
    } else if (!(cidrs = parseCidrList(f.value))) {
      out.push({
        path: f.path,
        message: `The ${f.label} is one range, or one IPv4 and one IPv6 range separated by a comma for dual-stack (e.g. ${f.example})`,
      });
    }
    parsed.push({ ...f, cidrs });
    for (const c of cidrs ?? []) {
      const reserved = RESERVED_CIDRS.find(([r]) => overlaps(c, r));
      if (reserved)
        out.push({
          path: f.path,
          message: `The ${f.label} ${c.text} overlaps ${reserved[0].text} (${reserved[1]})`,
        });
      else if (!isPrivate(c))
        out.push({
          path: f.path,
          message:
            c.family === "IPv4"
              ? `The ${f.label} must be a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10)`
              : `The ${f.label} must be a unique local IPv6 range (inside fc00::/7, e.g. fd00:10::/64)`,
        });
    }
  }
  for (const f of parsed)
    for (const c of f.cidrs ?? []) {
      const problem = prefixProblem(f.label, c);
      if (problem) out.push({ path: f.path, message: problem });
    }
  for (let i = 0; i < parsed.length; i++)
    for (let j = i + 1; j < parsed.length; j++) {
      const a = parsed[i]!;
      const b = parsed[j]!;
      for (const x of a.cidrs ?? [])
        for (const y of b.cidrs ?? [])
          if (overlaps(x, y))
            out.push({ path: b.path, message: `The ${b.label} ${y.text} overlaps the ${a.label} ${x.text}` });
    }
  // Pods and services share the cluster's families, primary first; nodes need an address in each.
  const field = (label: string) => parsed.find((f) => f.label === label);
  const [node, pod, service] = [field("node subnet"), field("pod CIDR"), field("service CIDR")];
  if (pod?.cidrs && service?.cidrs && families(pod.cidrs) !== families(service.cidrs))
    out.push({
      path: service.path,
      message: `The service CIDR must have the same IP families as the pod CIDR, in the same order (${families(pod.cidrs)})`,
    });
  if (node?.cidrs && pod?.cidrs)
    for (const c of pod.cidrs)
      if (!node.cidrs.some((n) => n.family === c.family))
        out.push({
          path: node.path,
          message: `The node subnet needs an ${c.family} range for the ${c.family} pod CIDR (e.g. ${node.example})`,
        });
  return out;
}

/**
 * What a valid spec asks for that this release cannot build yet: it deploys
 * IPv4 clusters only (an IPv4 Neutron subnet, an IPv4 API load balancer).
 */
export function undeployedIpv6(spec: ClusterCidrs): CidrIssue[] {
  const out: CidrIssue[] = [];
  for (const f of cidrFields(spec))
    if (parseCidrList(f.value)?.some((c) => c.family === "IPv6"))
      out.push({
        path: f.path,
        message: `IPv6 and dual-stack ${f.label}s are not deployed yet: this release builds IPv4 clusters only`,
      });
  spec.apiAccess.allowedCidrs.forEach((s, i) => {
    if (parseCidr(s)?.family === "IPv6")
      out.push({
        path: ["apiAccess", "allowedCidrs", String(i)],
        message: `IPv6 allowlist entries are not deployed yet: the API endpoint has an IPv4 address only`,
      });
  });
  return out;
}
