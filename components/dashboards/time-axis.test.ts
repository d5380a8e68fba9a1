import { describe, expect, it } from "vitest";
import { firstSampleOf, fitStart, MIN_VIEW_MS, needsDates, timeTicks } from "./time-axis";

const MIN = 60_000;
const HOUR = 60 * MIN;
/** A local time on a fixed day, so the tests hold in any time zone. */
const at = (h: number, m = 0, day = 7) => new Date(2026, 11, day, h, m).getTime();

describe("the dashboards' time axis", () => {
  it("starts at the first sample when the range begins before any data, never under ten minutes", () => {
    const to = at(14, 0);
    const from = to - 24 * HOUR;
    expect(fitStart(from, to, null)).toBe(from);
    expect(fitStart(from, to, from - HOUR)).toBe(from);
    expect(fitStart(from, to, at(11, 30))).toBe(at(11, 30));
    expect(fitStart(from, to, to - MIN)).toBe(to - MIN_VIEW_MS);
  });

  it("finds the earliest sample of every series", () => {
    expect(
      firstSampleOf([
        { a: [[5, 1, 1, 1]], b: [] },
        {
          c: [
            [3, 0, 0, 0],
            [9, 0, 0, 0],
          ],
        },
      ]),
    ).toBe(3);
    expect(firstSampleOf([{ a: [] }])).toBeNull();
  });

  it("dates the ticks when the range passes midnight or is longer than 12 hours", () => {
    expect(needsDates(at(9), at(17))).toBe(false);
    expect(needsDates(at(23, 30, 6), at(0, 30, 7))).toBe(true);
    expect(needsDates(at(1), at(14))).toBe(true);
  });

  it("puts a few ticks on round local times inside the range", () => {
    const day = timeTicks(at(14, 7, 6), at(14, 7, 7), 5);
    expect(day.length).toBeGreaterThanOrEqual(3);
    expect(day.length).toBeLessThanOrEqual(5);
    expect(timeTicks(at(0), at(23, 59), 5).length).toBeLessThanOrEqual(5);
    for (const t of day) {
      const d = new Date(t);
      expect(d.getMinutes()).toBe(0);
      expect(d.getHours() % 6).toBe(0);
      expect(t).toBeGreaterThanOrEqual(at(14, 7, 6));
      expect(t).toBeLessThanOrEqual(at(14, 7, 7));
    }
    const tenMinutes = timeTicks(at(6, 38), at(6, 48), 6);
    expect(tenMinutes.map((t) => new Date(t).getMinutes())).toEqual([38, 40, 42, 44, 46, 48]);
  });
});
