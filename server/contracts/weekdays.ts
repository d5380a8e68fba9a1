/** Days of a schedule's week, without zod: the cluster page imports them (./schedule would bundle zod into it). */
export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];
