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

export function toTRPCError(err: unknown): TRPCError {
  const service =
    err instanceof ServiceError
      ? err
      : err instanceof TRPCError && err.cause instanceof ServiceError
        ? err.cause
        : null;
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
