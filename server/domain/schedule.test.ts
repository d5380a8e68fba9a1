import { describe, expect, it } from "vitest";
import { StopSchedule } from "@/server/contracts/schedule";
import {
  currentWindow,
  lastPowerEvent,
  nextPowerEvent,
  nextWindow,
  offHoursPerWeek,
  pendingMaintenance,
  projectedSaving,
  zonedInstant,
} from "./schedule";

const weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"] as const;
const nights = StopSchedule.parse({
  timezone: "Europe/Moscow",
  events: [
    { action: "stop", days: [...weekdays], at: "20:00" },
    { action: "start", days: [...weekdays], at: "08:00" },
  ],
});

describe("weekly schedules in a time zone", () => {
  it.each([
    ["Europe/Moscow", 2026, 11, 23, "20:00", "2026-11-23T17:00:00.000Z"],
    ["UTC", 2026, 11, 23, "00:30", "2026-11-23T00:30:00.000Z"],
    ["America/New_York", 2026, 7, 1, "09:00", "2026-07-01T13:00:00.000Z"], // EDT
    ["America/New_York", 2026, 12, 1, "09:00", "2026-12-01T14:00:00.000Z"], // EST
    ["Europe/Berlin", 2026, 3, 29, "03:30", "2026-03-29T01:30:00.000Z"], // the day DST starts
    ["Europe/Berlin", 2026, 3, 29, "02:30", "2026-03-29T01:30:00.000Z"], // skipped hour: forward by the gap
    ["America/New_York", 2026, 3, 8, "02:30", "2026-03-08T07:30:00.000Z"], // skipped hour: 03:30 EDT
    ["Europe/Berlin", 2026, 10, 25, "02:30", "2026-10-25T00:30:00.000Z"], // repeated hour: the earlier (CEST)
    ["America/New_York", 2026, 11, 1, "01:30", "2026-11-01T05:30:00.000Z"], // repeated hour: the earlier (EDT)
    ["Australia/Lord_Howe", 2026, 10, 4, "02:15", "2026-10-03T15:45:00.000Z"], // a 30-minute DST gap
    ["Asia/Kathmandu", 2026, 1, 1, "00:00", "2025-12-31T18:15:00.000Z"], // +05:45
  ])("%s %i-%i-%i %s → %s", (tz, y, m, d, hhmm, iso) => {
    expect(zonedInstant(y, m, d, hhmm, tz).toISOString()).toBe(iso);
  });

  it("finds the last and next events across a weekend (Saturday 15:00 Moscow)", () => {
    const now = new Date("2026-11-21T12:00:00Z");
    expect(lastPowerEvent(nights, now)).toEqual({ at: new Date("2026-11-20T17:00:00Z"), action: "stop" });
    expect(nextPowerEvent(nights, now)).toEqual({ at: new Date("2026-11-23T05:00:00Z"), action: "start" });
  });

  it("counts hours off per week and the projected saving", () => {
    // 4 weeknights of 12 h + Friday 20:00 → Monday 08:00 (60 h)
    expect(offHoursPerWeek(nights)).toBe(108);
    expect(projectedSaving(nights, 168)).toBe(108);
  });

  it("rejects schedules that would never wake up or are ambiguous", () => {
    const onlyStop = StopSchedule.safeParse({
      timezone: "Europe/Moscow",
      events: [{ action: "stop", days: ["Mon"], at: "20:00" }],
    });
    expect(onlyStop.success).toBe(false);
    expect(JSON.stringify(onlyStop.error?.issues)).toContain("never wakes up");
    const badZone = StopSchedule.safeParse({ ...nights, timezone: "Mars/Olympus" });
    expect(JSON.stringify(badZone.error?.issues)).toContain("IANA");
    const clash = StopSchedule.safeParse({
      timezone: "UTC",
      events: [
        { action: "stop", days: ["Mon"], at: "20:00" },
        { action: "start", days: ["Mon"], at: "20:00" },
      ],
    });
    expect(JSON.stringify(clash.error?.issues)).toContain("Two events at Mon 20:00");
    expect(
      StopSchedule.safeParse({ ...nights, events: [{ action: "stop", days: ["Mon"], at: "25:00" }] }).success,
    ).toBe(false);
  });

  it("knows the current and next maintenance window", () => {
    const w = { day: "Tue" as const, start: "03:00", durationHours: 4, timezone: "Europe/Moscow" };
    const inside = new Date("2026-11-24T01:00:00Z"); // Tue 04:00 MSK
    expect(currentWindow(w, inside)).toEqual({
      start: new Date("2026-11-24T00:00:00Z"),
      end: new Date("2026-11-24T04:00:00Z"),
    });
    expect(currentWindow(w, new Date("2026-11-24T05:00:00Z"))).toBeNull();
    expect(nextWindow(w, new Date("2026-11-21T12:00:00Z")).start).toEqual(new Date("2026-11-24T00:00:00Z"));
  });

  it("plans patch upgrades and forced steps off end-of-life minors", () => {
    const now = new Date("2026-11-21T12:00:00Z");
    expect(pendingMaintenance("1.35.1", now)).toEqual({ target: "1.35.3", reason: "patch", forced: false });
    expect(pendingMaintenance("1.34.4", now)).toEqual({
      target: "1.35.3",
      reason: "end-of-life",
      forced: true,
    });
    expect(pendingMaintenance("1.36.1", now)).toBeNull();
  });
});
