import { z } from "zod";
import type { Service } from "./http";

/**
 * Fault injection rules, set through the admin API: answer with an error
 * status, never answer (timeout), or answer late, for the requests a rule
 * matches — always, a number of times, or at a rate.
 */
export const FaultRuleInput = z
  .object({
    service: z.enum(["identity", "compute", "network", "load-balancer", "volume", "image"]).optional(),
    method: z.string().toUpperCase().optional(),
    /** Regular expression on the request path. */
    path: z.string().optional(),
    kind: z.enum(["error", "timeout", "delay"]).default("error"),
    status: z.number().int().min(400).max(599).default(503),
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    delayMs: z.number().int().min(0).max(600_000).default(0),
    /** Apply this many times, then stop. */
    count: z.number().int().positive().optional(),
    /** Apply to this fraction of matching requests, drawn from a seeded sequence (repeatable, not periodic). */
    rate: z.number().min(0).max(1).optional(),
    seed: z.number().int().default(1),
  })
  .refine((r) => r.path === undefined || isValidRegex(r.path), {
    path: ["path"],
    message: "not a valid regular expression",
  });
export type FaultRuleInput = z.infer<typeof FaultRuleInput>;

function isValidRegex(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}

export interface FaultRule extends FaultRuleInput {
  id: number;
  hits: number;
  seen: number;
  /** State of the rule's pseudo-random sequence (mulberry32). */
  prng: number;
}

/** mulberry32: a small seeded generator; returns [value in [0,1), next state]. */
function mulberry32(state: number): [number, number] {
  const next = (state + 0x6d2b79f5) | 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [((t ^ (t >>> 14)) >>> 0) / 4294967296, next];
}

export class Faults {
  private rules: FaultRule[] = [];
  private nextId = 1;

  add(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { ...input, id: this.nextId++, hits: 0, seen: 0, prng: input.seed };
    this.rules.push(rule);
    return rule;
  }
  list(): FaultRule[] {
    return this.rules;
  }
  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }
  clear(): void {
    this.rules = [];
  }

  /** The rule to apply to this request, if any (and counts it). */
  match(service: Service, method: string, path: string): FaultRule | null {
    for (const r of this.rules) {
      if (r.service && r.service !== service) continue;
      if (r.method && r.method !== method) continue;
      if (r.path && !new RegExp(r.path).test(path)) continue;
      if (r.count !== undefined && r.hits >= r.count) continue;
      r.seen++;
      if (r.rate !== undefined) {
        // Seeded, so a run can be replayed; not periodic, so it cannot line up with a client's request pattern.
        const [x, next] = mulberry32(r.prng);
        r.prng = next;
        if (x >= r.rate) continue;
      }
      r.hits++;
      return r;
    }
    return null;
  }
}
