import { Temporal } from "temporal-polyfill";
import { WEEKDAYS, type MaintenanceWindow, type StopSchedule } from "@/server/contracts/schedule";
import { upgradeTargets, versionInfo } from "./versions";

/**
 * Wall-clock arithmetic for weekly schedules in a time zone, DST included,
 * with the Temporal API. A local time that does not exist (the hour skipped
 * when DST starts) moves forward by the gap; one that occurs twice (when DST
 * ends) is the earlier instant: Temporal's "compatible" disambiguation, as in
 * RFC 5545 calendars.
 */

const DAY_MS = 86_400_000;

/** The instant when it is `hh:mm` on the local calendar day y-m-d in `tz`. */
export function zonedInstant(y: number, m: number, d: number, hhmm: string, tz: string): Date {
  const [hour, minute] = hhmm.split(":").map(Number) as [number, number];
  const at = Temporal.ZonedDateTime.from(
    { timeZone: tz, year: y, month: m, day: d, hour, minute },
    { disambiguation: "compatible" },
  );
  return new Date(at.epochMilliseconds);
}

/** The calendar day in `tz` at the instant `date`. */
function localDate(date: Date, tz: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(date.getTime()).toZonedDateTimeISO(tz).toPlainDate();
}

/** Every occurrence of weekly (days, time) entries between `from` and `to`, in order. */
function occurrences<T>(
  entries: Array<{ days: readonly string[]; at: string; value: T }>,
  tz: string,
  from: Date,
  to: Date,
): Array<{ at: Date; value: T }> {
  const out: Array<{ at: Date; value: T }> = [];
  const last = localDate(to, tz).add({ days: 1 });
  for (
    let day = localDate(from, tz).subtract({ days: 1 });
    Temporal.PlainDate.compare(day, last) <= 0;
    day = day.add({ days: 1 })
  ) {
    const weekday = WEEKDAYS[day.dayOfWeek - 1]!;
    for (const e of entries) {
      if (!e.days.includes(weekday)) continue;
      // Two times in one skipped hour land on the same instant: keep one.
      const at = zonedInstant(day.year, day.month, day.day, e.at, tz);
      if (at >= from && at <= to && !out.some((o) => o.at.getTime() === at.getTime() && o.value === e.value))
        out.push({ at, value: e.value });
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

export type PowerEvent = { at: Date; action: "stop" | "start" };

function powerEntries(s: StopSchedule) {
  return s.events.map((e) => ({ days: e.days, at: e.at, value: e.action }));
}

/** The latest stop or start at or before `now` (within the past week). */
export function lastPowerEvent(s: StopSchedule, now: Date): PowerEvent | null {
  const list = occurrences(powerEntries(s), s.timezone, new Date(now.getTime() - 8 * DAY_MS), now);
  const last = list.at(-1);
  return last ? { at: last.at, action: last.value } : null;
}

/** The next stop or start after `now`. */
export function nextPowerEvent(s: StopSchedule, now: Date): PowerEvent | null {
  const list = occurrences(
    powerEntries(s),
    s.timezone,
    new Date(now.getTime() + 1),
    new Date(now.getTime() + 8 * DAY_MS),
  );
  const first = list[0];
  return first ? { at: first.at, action: first.value } : null;
}

/** Hours per week the schedule keeps the cluster stopped (a week of wall-clock time, DST ignored). */
export function offHoursPerWeek(s: StopSchedule): number {
  const marks = s.events
    .flatMap((e) =>
      e.days.map((d) => {
        const [hh, mm] = e.at.split(":").map(Number) as [number, number];
        return { minute: WEEKDAYS.indexOf(d) * 1440 + hh * 60 + mm, action: e.action };
      }),
    )
    .sort((a, b) => a.minute - b.minute);
  if (marks.length === 0) return 0;
  let off = 0;
  for (let i = 0; i < marks.length; i++) {
    const cur = marks[i]!;
    const next = marks[(i + 1) % marks.length]!;
    const span = i + 1 < marks.length ? next.minute - cur.minute : next.minute + 7 * 1440 - cur.minute;
    if (cur.action === "stop") off += span;
  }
  return Math.round((off / 60) * 10) / 10;
}

/** Monthly saving of a schedule, from the cluster's compute cost while running. */
export function projectedSaving(s: StopSchedule, computePerMonth: number): number {
  return Math.round(((computePerMonth * offHoursPerWeek(s)) / 168) * 100) / 100;
}

/** The window instance `now` falls in, if any. */
export function currentWindow(w: MaintenanceWindow, now: Date): { start: Date; end: Date } | null {
  const list = occurrences(
    [{ days: [w.day], at: w.start, value: "w" }],
    w.timezone,
    new Date(now.getTime() - 8 * DAY_MS),
    now,
  );
  const last = list.at(-1);
  if (!last) return null;
  const end = new Date(last.at.getTime() + w.durationHours * 3_600_000);
  return now < end ? { start: last.at, end } : null;
}

export function nextWindow(w: MaintenanceWindow, now: Date): { start: Date; end: Date } {
  const cur = currentWindow(w, now);
  if (cur) return cur;
  const list = occurrences(
    [{ days: [w.day], at: w.start, value: "w" }],
    w.timezone,
    now,
    new Date(now.getTime() + 8 * DAY_MS),
  );
  const start = list[0]!.at;
  return { start, end: new Date(start.getTime() + w.durationHours * 3_600_000) };
}

export interface PendingMaintenance {
  target: string;
  reason: "patch" | "end-of-life";
  /** End-of-life upgrades go ahead even when the readiness report has blocking findings. */
  forced: boolean;
}

/** What the next window will do to a cluster on `version`: a newer patch, or a step off an EOL minor. */
export function pendingMaintenance(version: string, now: Date): PendingMaintenance | null {
  const v = versionInfo(version, now);
  if (!v) return null;
  const targets = upgradeTargets(version, now);
  if (v.endOfLifeReached) {
    const next = targets.filter((t) => t.kind === "minor").at(-1);
    return next ? { target: next.version, reason: "end-of-life", forced: true } : null;
  }
  const patch = targets.filter((t) => t.kind === "patch").at(-1);
  return patch ? { target: patch.version, reason: "patch", forced: false } : null;
}
