import type { AuditEntryView } from "@/server/contracts/audit";

/** Audit rows as the log shows them (their target, a failure's message) and as a CSV export. */

/**
 * One CSV cell (RFC 4180): quoted when it holds a quote, comma or line break,
 * quotes doubled. A cell a spreadsheet would run as a formula (it starts with
 * = + - @, or a tab or carriage return that some strip first) gets a leading
 * apostrophe, so an actor's or target's name can never become a formula in
 * the spreadsheet of whoever opens the export.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(cells: Array<string | number | boolean | null | undefined>): string {
  return cells.map(csvCell).join(",");
}

const HEADER = [
  "time",
  "actor",
  "client_ip",
  "request_id",
  "action",
  "outcome",
  "error_code",
  "message",
  "target_type",
  "target",
  "details",
];

/** The message a failed or refused call's row carries (stored with it since failures are audited with their reason). */
export function failureMessage(details: AuditEntryView["details"]): string | null {
  const m = details?.message;
  return typeof m === "string" && m ? m : null;
}

/** Keys under which a row's details name what it acted on, when the row has no target of its own. */
const TARGET_KEYS = ["target", "name", "node", "loadBalancer", "email"] as const;

export function targetFromDetails(details: AuditEntryView["details"]): string | null {
  for (const k of TARGET_KEYS) {
    const v = details?.[k];
    if (typeof v === "string" && v) return v;
  }
  return null;
}

/** The rows as CSV, header first, lines ended with CRLF as RFC 4180 has them. */
export function auditCsv(rows: readonly AuditEntryView[]): string {
  const lines = [csvRow(HEADER)];
  for (const r of rows) {
    const { message: _message, ...details } = r.details ?? {};
    lines.push(
      csvRow([
        r.at.toISOString(),
        r.actorEmail ?? "system",
        r.clientIp,
        r.requestId,
        r.action,
        r.outcome,
        r.errorCode,
        failureMessage(r.details),
        r.targetType,
        r.targetLabel ?? targetFromDetails(r.details),
        Object.keys(details).length ? JSON.stringify(details) : null,
      ]),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}
