import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { fieldErrorsFromIssues, type FieldErrors } from "@/server/contracts/field-errors";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ServiceError, type ServiceErrorCode } from "@/server/services/errors";

/** The one table from service error codes to tRPC codes (and so HTTP statuses). */
export const SERVICE_TO_TRPC: Record<ServiceErrorCode, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: "NOT_FOUND",
  VALIDATION: "BAD_REQUEST",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  LIMIT_EXCEEDED: "FORBIDDEN",
  FORBIDDEN: "FORBIDDEN",
  UNAUTHORIZED: "UNAUTHORIZED",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
};

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22: a value out of range, badly
 * formed, or with a character it cannot store) are the caller's input the
 * contracts let through: a 400 with a field message, not an internal error.
 * Found on the error or its causes (drizzle wraps the driver's error).
 */
function databaseDataError(err: unknown): ServiceError | null {
  for (
    let e = err, depth = 0;
    e && typeof e === "object" && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const { code, column, severity } = e as { code?: unknown; column?: unknown; severity?: unknown };
    if (typeof code === "string" && /^22[0-9A-Z]{3}$/.test(code) && typeof severity === "string") {
      const field = typeof column === "string" && column ? column : "_form";
      const message = "A value is out of range or not in a form that can be stored";
      return new ServiceError("VALIDATION", message, { fieldErrors: { [field]: [message] } });
    }
  }
  return null;
}

export function toTRPCError(err: unknown): TRPCError {
  const service =
    err instanceof ServiceError
      ? err
      : err instanceof TRPCError && err.cause instanceof ServiceError
        ? err.cause
        : databaseDataError(err instanceof TRPCError ? err.cause : err);
  if (service)
    return new TRPCError({ code: SERVICE_TO_TRPC[service.code], message: service.message, cause: service });
  if (err instanceof TRPCError) return err;
  return new TRPCError({
    code: "INTERNAL_SERVER_ERROR",
    message: "internal",
    cause: err instanceof Error ? err : undefined,
  });
}

/** The service error code behind a tRPC error, for audit rows. */
export function errorCodeOf(err: TRPCError): string {
  return err.cause instanceof ServiceError ? err.cause.code : err.code;
}

/** What a caller is told about an error: the same for tRPC and the REST API. */
export interface PublicError {
  code: TRPC_ERROR_CODE_KEY;
  message: string;
  fieldErrors: FieldErrors | null;
  retryAfterSeconds: number | null;
}

/**
 * The one mapping from an error to what callers see: internal errors become
 * a reference to the request id (their cause is logged, never sent), input
 * errors carry field errors, a request that could not be read never shows
 * the parser's own text.
 */
export function publicError(error: TRPCError, requestId: string | null): PublicError {
  const cause = error.cause;
  const fieldErrors =
    cause instanceof ZodError
      ? fieldErrorsFromIssues(cause.issues)
      : cause instanceof ServiceError
        ? (cause.extra.fieldErrors ?? null)
        : null;
  const unreadable =
    (error.code === "BAD_REQUEST" || error.code === "PARSE_ERROR") &&
    !(cause instanceof ZodError) &&
    !(cause instanceof ServiceError);
  const message =
    error.code === "INTERNAL_SERVER_ERROR"
      ? `Something went wrong on our side. Reference: ${requestId ?? "unknown"}`
      : cause instanceof ZodError
        ? "Some fields need attention"
        : unreadable
          ? "The request could not be read"
          : error.message;
  return {
    code: error.code,
    message,
    fieldErrors,
    retryAfterSeconds: cause instanceof ServiceError ? (cause.extra.retryAfterSeconds ?? null) : null,
  };
}
