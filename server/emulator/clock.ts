/**
 * Emulator time. Resource state changes are scheduled at instants of this
 * clock and applied when the clock has passed them, so a test drives
 * minutes of cloud time in microseconds with `TestClock.advance`.
 */
export interface Clock {
  now(): number;
}

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
}

export class TestClock implements Clock {
  constructor(private t = Date.UTC(2026, 10, 21, 12, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

/**
 * Base latencies of a real cloud, in milliseconds, divided by the
 * emulator's speed factor (EMULATOR_SPEED). Ranges pick a deterministic
 * point from the resource id, so runs are repeatable.
 */
export const LATENCY = {
  serverBoot: [60_000, 120_000],
  serverStop: [5_000, 15_000],
  serverStart: [10_000, 20_000],
  serverRebuild: [40_000, 80_000],
  serverDelete: [3_000, 8_000],
  volumeCreate: [5_000, 10_000],
  /** Cinder's attachment reserved (status `reserved`) until Nova starts connecting it (`attaching`). */
  volumeReserve: [1_000, 2_000],
  volumeAttach: [3_000, 6_000],
  volumeDetach: [2_000, 5_000],
  volumeExtend: [5_000, 10_000],
  volumeDelete: [3_000, 6_000],
  lbCreate: [60_000, 90_000],
  lbUpdate: [3_000, 8_000],
  lbDelete: [10_000, 20_000],
} as const satisfies Record<string, readonly [number, number]>;

export type LatencyKind = keyof typeof LATENCY;

export function latency(kind: LatencyKind, id: string, speed: number): number {
  const [lo, hi] = LATENCY[kind];
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const base = lo + ((h % 1000) / 1000) * (hi - lo);
  return speed === Number.POSITIVE_INFINITY ? 0 : Math.round(base / speed);
}
