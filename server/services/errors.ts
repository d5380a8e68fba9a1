/**
 * The few errors services throw. server/api/errors.ts maps them to tRPC
 * codes in one place; anything else is an internal error whose cause is
 * logged and never sent.
 */
export type ServiceErrorCode =
  | "NOT_FOUND"
  | "VALIDATION"
  | "CONFLICT"
  | "PRECONDITION_FAILED"
  | "LIMIT_EXCEEDED"
  | "FORBIDDEN"
  | "UNAUTHORIZED"
  | "RATE_LIMITED";

export type FieldErrors = Record<string, string[]>;

export class ServiceError extends Error {
  override name = "ServiceError";
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly extra: { fieldErrors?: FieldErrors; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ServiceError("NOT_FOUND", `${what} not found`);
export const forbidden = (message: string) => new ServiceError("FORBIDDEN", message);
export const validation = (field: string, message: string) =>
  new ServiceError("VALIDATION", message, { fieldErrors: { [field]: [message] } });
