/**
 * Typed OpenStack errors. Every service words its faults differently
 * (Nova `{"itemNotFound": {...}}`, Neutron `{"NeutronError": {...}}`,
 * Octavia `{"faultstring": ...}`, Keystone `{"error": {...}}`); callers
 * only see these classes, with the cloud's own message kept.
 */
export interface ErrorContext {
  service: string;
  method: string;
  path: string;
  status?: number;
  requestId?: string | null;
}

export class OpenStackError extends Error {
  override name = "OpenStackError";
  constructor(
    message: string,
    readonly context: ErrorContext,
  ) {
    super(message);
  }
  get status(): number | undefined {
    return this.context.status;
  }
}

export class NotFound extends OpenStackError {
  override name = "NotFound";
}
export class Conflict extends OpenStackError {
  override name = "Conflict";
}
export class BadRequest extends OpenStackError {
  override name = "BadRequest";
}
export class Unauthorized extends OpenStackError {
  override name = "Unauthorized";
}
/**
 * Keystone answered 401 to a token request: the binding's credentials are
 * wrong, expired or disabled. Terminal: retrying cannot help and may lock
 * the account.
 */
export class CredentialsRejected extends Unauthorized {
  override name = "CredentialsRejected";
}
export class Forbidden extends OpenStackError {
  override name = "Forbidden";
}
/**
 * 403 from an API that the service's default policy keeps for admins
 * (Octavia's amphora API for a project token): the caller shows what it
 * cannot see and why, and falls back to what a project may read.
 */
export class AdminOnly extends Forbidden {
  override name = "AdminOnly";
}
export class QuotaExceeded extends OpenStackError {
  override name = "QuotaExceeded";
  constructor(
    message: string,
    context: ErrorContext,
    /** The exhausted resource in the cloud's words: `cores`, `floatingip`, `volumes`, `Load Balancer`, … */
    readonly resource: string,
  ) {
    super(message, context);
  }
}
export class Unavailable extends OpenStackError {
  override name = "Unavailable";
}
export class Timeout extends OpenStackError {
  override name = "Timeout";
}
/** The cloud answered with something the adapter's schema does not accept. */
export class UnexpectedResponse extends OpenStackError {
  override name = "UnexpectedResponse";
}
/** The response body was larger than the client reads (never buffered whole). */
export class ResponseTooLarge extends UnexpectedResponse {
  override name = "ResponseTooLarge";
}

const MAX_MESSAGE = 500;

/**
 * A cloud's message made fit to show: markup and control characters out,
 * whitespace collapsed, at most 500 characters.
 */
export function cleanMessage(text: string): string {
  const flat = text
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE - 1)}…` : flat;
}

/**
 * The human message inside any service's fault body, cleaned. Only a parsed
 * message is ever surfaced: a body the adapter cannot read (an HTML error
 * page from a proxy, JSON without a message) gives its title at most, never
 * the raw text.
 */
export function faultMessage(body: unknown): { message: string; type?: string } {
  const found = rawFaultMessage(body);
  const message = cleanMessage(found.message);
  return { ...found, message: message || "no error message" };
}

function rawFaultMessage(body: unknown): { message: string; type?: string } {
  if (typeof body === "string") {
    const head = body.slice(0, 65_536);
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(head)?.[1];
    if (title) return { message: title };
    if (/^\s*</.test(head)) return { message: "no error message (an HTML page)" };
    return { message: head.split(/\r?\n/, 1)[0] ?? "" };
  }
  if (typeof body !== "object" || body === null) return { message: "no error message" };
  const b = body as Record<string, unknown>;
  if (typeof b.faultstring === "string") return { message: b.faultstring };
  if (typeof b.NeutronError === "object" && b.NeutronError) {
    const n = b.NeutronError as { message?: unknown; type?: unknown };
    return {
      message: typeof n.message === "string" ? n.message : "Neutron error",
      type: typeof n.type === "string" ? n.type : undefined,
    };
  }
  for (const v of Object.values(b)) {
    if (typeof v === "object" && v !== null && typeof (v as { message?: unknown }).message === "string") {
      return { message: (v as { message: string }).message };
    }
  }
  if (typeof b.message === "string") return { message: b.message };
  if (typeof b.description === "string") return { message: b.description };
  return { message: "no error message" };
}

/** The quota named in a quota fault, or null when it is not one. */
export function quotaResource(status: number, message: string, type?: string): string | null {
  let m = /Quota exceeded for (\w+)/.exec(message);
  if (m && status === 403) return m[1]!;
  if (type === "OverQuota") {
    m = /resources: \[?'?([\w-]+)'?/.exec(message);
    return m?.[1] ?? "unknown";
  }
  if (status === 413) {
    m = /quota '(\w+)'/.exec(message) ?? /allowed (\w+) quota/.exec(message);
    if (m) return m[1]!;
  }
  m = /Quota has been met for resources: ([\w ]+)/.exec(message);
  if (m) return m[1]!.trim();
  return null;
}

export function errorFromResponse(ctx: ErrorContext & { status: number }, body: unknown): OpenStackError {
  const { message, type } = faultMessage(body);
  const quota = quotaResource(ctx.status, message, type);
  if (quota) return new QuotaExceeded(message, ctx, quota);
  switch (ctx.status) {
    case 400:
      return new BadRequest(message, ctx);
    case 401:
      return new Unauthorized(message, ctx);
    case 403:
      return new Forbidden(message, ctx);
    case 404:
      return new NotFound(message, ctx);
    case 409:
      return new Conflict(message, ctx);
    case 413:
      return new BadRequest(message, ctx);
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return new Unavailable(message, ctx);
    default:
      return ctx.status >= 500 ? new Unavailable(message, ctx) : new BadRequest(message, ctx);
  }
}
