/**
 * Kubernetes resource quantities (`100m`, `2`, `1500000n`; `128Mi`, `4096Ki`,
 * `1G`, `134217728`) as whole millicores and MiB. Unparseable → 0.
 *
 * Kept by hand on purpose: @kubernetes/client-node's `quantityToScalar` is
 * not exported from its entry point (only from its internal `dist/util.js`),
 * returns a bigint for most suffixes, and throws on valid quantities such
 * as `1.5Gi`.
 */
const SUFFIX: Record<string, number> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export function quantity(q: string | number | undefined | null): number {
  if (q === undefined || q === null) return 0;
  if (typeof q === "number") return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  const mult = SUFFIX[m[2]!];
  return mult === undefined ? 0 : Number(m[1]) * mult;
}

export const cpuMilli = (q: string | number | undefined | null) => Math.round(quantity(q) * 1000);
export const memoryMi = (q: string | number | undefined | null) => Math.round(quantity(q) / 2 ** 20);
