import { z } from "zod";

import { WEEKDAYS, type Weekday } from "./weekdays";

export { WEEKDAYS, type Weekday };

const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use 24-hour HH:MM, e.g. 20:00");

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
const TimeZone = z.string().min(1, "Choose a time zone").refine(isTimeZone, {
  message: "Not a time zone this console knows (use an IANA name such as Europe/Moscow)",
});

export const ScheduleEvent = z.object({
  action: z.enum(["stop", "start"]),
  days: z
    .array(z.enum(WEEKDAYS))
    .min(1, "Choose at least one day")
    .max(7)
    .refine((d) => new Set(d).size === d.length, { message: "A day is listed twice" }),
  at: Time,
});
export type ScheduleEvent = z.infer<typeof ScheduleEvent>;

/**
 * Hibernation: weekly stop and start events in a time zone. Between a stop
 * and the next start the cluster is stopped (e.g. stop Mon–Fri 20:00, start
 * Mon–Fri 08:00 keeps it off every night and over the weekend).
 */
export const StopSchedule = z
  .object({
    enabled: z.boolean().default(true),
    timezone: TimeZone,
    events: z.array(ScheduleEvent).min(1, "Add at least one stop and one start").max(14),
  })
  .superRefine((s, ctx) => {
    if (!s.events.some((e) => e.action === "stop"))
      ctx.addIssue({ code: "custom", path: ["events"], message: "Add a stop event" });
    if (!s.events.some((e) => e.action === "start"))
      ctx.addIssue({
        code: "custom",
        path: ["events"],
        message: "Add a start event, or the cluster never wakes up",
      });
    const seen = new Set<string>();
    s.events.forEach((e, i) => {
      for (const d of e.days) {
        const key = `${d} ${e.at}`;
        if (seen.has(key))
          ctx.addIssue({ code: "custom", path: ["events", i, "at"], message: `Two events at ${key}` });
        seen.add(key);
      }
    });
  });
export type StopSchedule = z.infer<typeof StopSchedule>;

/** When patch upgrades and forced upgrades off end-of-life versions may run. */
export const MaintenanceWindow = z.object({
  day: z.enum(WEEKDAYS),
  start: Time,
  durationHours: z.number().int().min(1, "At least 1 hour").max(8, "At most 8 hours").default(4),
  timezone: TimeZone,
});
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;
