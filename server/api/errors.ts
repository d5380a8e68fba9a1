import { TRPCError } from "@trpc/server";
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
