/**
 * The dashboards' time axis: what range the charts show (the data's, not an
 * empty picked range), where its ticks go, and how they read.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The least the charts show, however recent the first sample: one sample alone is not a chart. */
export const MIN_VIEW_MS = 10 * MINUTE;

/** Tick spacings, smallest first; each divides a day or is whole days. */
const STEPS = [
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
];

/**
 * The start of what the charts draw: the picked range's start, or the first
 * sample if it came later (a cluster created an hour ago has no 24 h of data),
 * but never less than MIN_VIEW_MS before the end.
 */
export function fitStart(from: number, to: number, firstSample: number | null): number {
  if (firstSample === null || firstSample <= from) return from;
  return Math.max(from, Math.min(firstSample, to - MIN_VIEW_MS));
}

/** The earliest sample of any series, or null when there is none. */
export function firstSampleOf(
  seriesSets: Iterable<Record<string, ReadonlyArray<readonly [number, ...number[]]>>>,
) {
  let first: number | null = null;
  for (const set of seriesSets)
    for (const points of Object.values(set)) {
      const t = points[0]?.[0];
      if (t !== undefined && (first === null || t < first)) first = t;
    }
  return first;
}

const localDay = (ms: number) => new Date(ms).toDateString();

/** Ticks carry dates when the range spans midnight or more than 12 h: a time alone would be ambiguous. */
export function needsDates(from: number, to: number): boolean {
  return to - from > 12 * HOUR || localDay(from) !== localDay(to);
}

/** Local-time offset of `ms` from UTC, so ticks fall on local round hours and midnights. */
const offset = (ms: number) => -new Date(ms).getTimezoneOffset() * MINUTE;

/**
 * Evenly spaced ticks on round local times (every 5 min, 1 h, 6 h…), at most
 * `max` of them, inside [from, to].
 */
export function timeTicks(from: number, to: number, max = 5): number[] {
  const span = Math.max(1, to - from);
  // n steps make at most n + 1 ticks.
  const steps = Math.max(1, max - 1);
  const step = STEPS.find((s) => span / s <= steps) ?? Math.ceil(span / steps / DAY) * DAY;
  const ticks: number[] = [];
  const local = from + offset(from);
  for (let t = Math.ceil(local / step) * step - offset(from); t <= to; t += step) {
    // Across a daylight-saving change, land on the round local time again.
    const aligned = t + offset(from) - offset(t);
    if (aligned >= from && aligned <= to) ticks.push(aligned);
  }
  return ticks;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/** "14:05" */
export const formatClock = (ms: number) => timeFormat.format(ms);
/** "Dec 7" */
export const formatDay = (ms: number) => dayFormat.format(ms);

/** The picked range in words: "14:05 – 15:05", or with dates when it needs them. */
export function formatRange(from: number, to: number): string {
  if (!needsDates(from, to)) return `${formatClock(from)} – ${formatClock(to)}`;
  return `${formatDay(from)}, ${formatClock(from)} – ${formatDay(to)}, ${formatClock(to)}`;
}
