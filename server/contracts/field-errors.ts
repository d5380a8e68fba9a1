import type { z } from "zod";

/** `{ "auth.secret": ["Enter the password"] }`: field errors keyed by dotted path, as forms show them. */
export type FieldErrors = Record<string, string[]>;

export function fieldErrorsFromIssues(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join(".") || "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}
