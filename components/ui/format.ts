/** How the console writes money, dates, times and durations (the browser's locale). */

/** Made once per currency and precision: a new Intl.NumberFormat per call costs more than the formatting. */
const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatMoney(n: number, currency: string, digits = 0): string {
  const key = `${currency}/${digits}`;
  let f = moneyFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(undefined, {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    moneyFormats.set(key, f);
  }
  return f.format(n);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

/** "2 Dec 2026, 13:45:10" */
export const formatDateTime = (d: Date) => dateTime.format(d);
/** "2 Dec 2026" */
export const formatDate = (d: Date) => dateOnly.format(d);
/** "13:45:10" */
export const formatTime = (d: Date) => timeOnly.format(d);

/** From `from` to `to` (or now): "42s", "3m 5s". */
export function formatDuration(from: Date, to: Date | null): string {
  const s = Math.max(0, Math.round(((to ?? new Date()).getTime() - from.getTime()) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const RELATIVE_STEPS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 30],
  ["month", 12],
  ["year", Infinity],
];

/** How long ago `d` was (or now): "just now", "5 minutes ago", "yesterday". A time ahead of `now` reads as now. */
export function formatRelative(d: Date, now: Date = new Date()): string {
  let n = Math.max(0, (now.getTime() - d.getTime()) / 1000);
  if (n < 10) return "just now";
  for (const [unit, size] of RELATIVE_STEPS) {
    if (n < size) return relative.format(-Math.floor(n), unit);
    n /= size;
  }
  return relative.format(-Math.floor(n), "year");
}

const relativeAlways = new Intl.RelativeTimeFormat(undefined, { numeric: "always" });

/** Unit, its length in seconds, and up to how many of it are written before the next unit. */
const FROM_NOW_STEPS: Array<[Intl.RelativeTimeFormatUnit, number, number]> = [
  ["second", 1, 60],
  ["minute", 60, 60],
  ["hour", 3_600, 48],
  ["day", 86_400, 120],
  ["month", 2_629_800, 12],
];

/**
 * `d` relative to now, either way, rounded to the nearest unit: "in 90 days",
 * "in 5 hours", "3 days ago", "in 1 year". Days up to 120, for deadlines
 * (expiries) that people count in days.
 */
export function formatFromNow(d: Date, now: Date = new Date()): string {
  const diff = (d.getTime() - now.getTime()) / 1000;
  if (Math.abs(diff) < 10) return "now";
  for (const [unit, seconds, max] of FROM_NOW_STEPS) {
    const n = Math.round(diff / seconds);
    if (Math.abs(n) < max) return relativeAlways.format(n, unit);
  }
  return relativeAlways.format(Math.round(diff / 31_557_600), "year");
}
