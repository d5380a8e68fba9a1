import http from "node:http";
import https from "node:https";
import {
  errorFromResponse,
  type OpenStackError,
  ResponseTooLarge,
  Timeout,
  Unavailable,
  type ErrorContext,
} from "./errors";

/** The largest response body the client reads: 16 MiB. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface HttpLogEntry {
  service: string;
  method: string;
  path: string;
  status: number | "timeout" | "network-error";
  durationMs: number;
  requestId: string | null;
  attempt: number;
}

export interface HttpOptions {
  /** Requests in flight to this cloud at once; more wait their turn. */
  maxConcurrent?: number;
  timeoutMs?: number;
  /** Attempts for idempotent calls (1 = no retry). */
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Longest Retry-After the client will honour before giving up. */
  maxRetryAfterMs?: number;
  /** Larger bodies are cut off and fail with ResponseTooLarge (default MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  caCertPem?: string | null;
  log?: (entry: HttpLogEntry) => void;
  /** Injected for tests; defaults to real timers. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface HttpRequest {
  service: string;
  method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "PATCH";
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** GET, PUT, DELETE and HEAD are idempotent by default; POSTs only when said so. */
  idempotent?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  requestId: string | null;
}

class Semaphore {
  private waiting: Array<() => void> = [];
  private active = 0;
  constructor(private readonly max: number) {}
  async acquire(): Promise<() => void> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    return () => {
      this.active--;
      this.waiting.shift()?.();
    };
  }
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
]);

/** Seconds or an HTTP date, as in RFC 9110. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * One cloud's HTTP client: keep-alive, a cap on concurrent requests,
 * bounded retries with exponential backoff and jitter for idempotent calls
 * (5xx, 429 honouring Retry-After, connection resets, timeouts), and one
 * log line per attempt — method, path, status, duration, request id; never
 * headers or bodies.
 */
export class HttpClient {
  private readonly sem: Semaphore;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly o: Required<Omit<HttpOptions, "caCertPem" | "log">> & Pick<HttpOptions, "log">;

  constructor(opts: HttpOptions = {}) {
    this.o = {
      maxConcurrent: opts.maxConcurrent ?? 16,
      timeoutMs: opts.timeoutMs ?? 30_000,
      maxAttempts: opts.maxAttempts ?? 5,
      baseBackoffMs: opts.baseBackoffMs ?? 250,
      maxBackoffMs: opts.maxBackoffMs ?? 8_000,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 60_000,
      maxResponseBytes: opts.maxResponseBytes ?? MAX_RESPONSE_BYTES,
      sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      random: opts.random ?? Math.random,
      log: opts.log,
    };
    this.sem = new Semaphore(this.o.maxConcurrent);
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: this.o.maxConcurrent }),
      https: new https.Agent({
        keepAlive: true,
        maxSockets: this.o.maxConcurrent,
        ca: opts.caCertPem ?? undefined,
      }),
    };
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  backoff(attempt: number): number {
    const exp = Math.min(this.o.maxBackoffMs, this.o.baseBackoffMs * 2 ** (attempt - 1));
    return Math.round(exp / 2 + this.o.random() * (exp / 2));
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const idempotent = req.idempotent ?? req.method !== "POST";
    const attempts = idempotent ? this.o.maxAttempts : 1;
    const path = new URL(req.url).pathname;
    const ctx: ErrorContext = { service: req.service, method: req.method, path };
    let lastError: OpenStackError | null = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let wait: number | null = null;
      try {
        const res = await this.once(req, attempt);
        if (res.status < 400) return res;
        const err = errorFromResponse({ ...ctx, status: res.status, requestId: res.requestId }, res.body);
        if (!RETRYABLE_STATUS.has(res.status) || attempt === attempts) throw err;
        lastError = err;
        const retryAfter = parseRetryAfter(res.headers["retry-after"]);
        if (retryAfter !== null && retryAfter > this.o.maxRetryAfterMs) throw err;
        wait = retryAfter ?? this.backoff(attempt);
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        if (err.kind === "too-large")
          throw new ResponseTooLarge(
            `${req.method} ${path}: the response is larger than ${this.o.maxResponseBytes} bytes; not read`,
            ctx,
          );
        lastError =
          err.kind === "timeout"
            ? new Timeout(`${req.method} ${path} timed out after ${this.o.timeoutMs} ms`, ctx)
            : new Unavailable(`${req.method} ${path} failed: ${err.message}`, ctx);
        if (
          !idempotent ||
          attempt === attempts ||
          (err.kind === "network" && !RETRYABLE_CODES.has(err.code ?? ""))
        )
          throw lastError;
        wait = this.backoff(attempt);
      }
      await this.o.sleep(wait);
    }
    throw lastError ?? new Unavailable(`${req.method} ${path} failed`, ctx);
  }

  private async once(req: HttpRequest, attempt: number): Promise<HttpResponse> {
    const release = await this.sem.acquire();
    const started = Date.now();
    const url = new URL(req.url);
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const lib = url.protocol === "https:" ? https : http;
    const entry = (status: HttpLogEntry["status"], requestId: string | null) =>
      this.o.log?.({
        service: req.service,
        method: req.method,
        path: url.pathname,
        status,
        durationMs: Date.now() - started,
        requestId,
        attempt,
      });
    try {
      return await new Promise<HttpResponse>((resolve, reject) => {
        /** Set when the body went over the cap and the request was destroyed. */
        let cut = false;
        const r = lib.request(
          url,
          {
            method: req.method,
            agent: url.protocol === "https:" ? this.agents.https : this.agents.http,
            headers: {
              Accept: "application/json",
              "User-Agent": "kube-console-openstack/1.0",
              ...(payload !== undefined
                ? { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(payload)) }
                : {}),
              ...req.headers,
            },
            timeout: this.o.timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            const requestId = (res.headers["x-openstack-request-id"] ??
              res.headers["x-compute-request-id"] ??
              null) as string | null;
            const tooLarge = () => {
              cut = true;
              chunks.length = 0;
              entry(res.statusCode ?? 0, requestId);
              reject(new TransportError("too-large", "response too large"));
              // Stop reading: the socket is closed, nothing more is buffered.
              res.destroy();
              r.destroy();
            };
            const declared = Number(res.headers["content-length"]);
            if (Number.isFinite(declared) && declared > this.o.maxResponseBytes) return tooLarge();
            res.on("data", (c: Buffer) => {
              if (cut) return;
              size += c.length;
              if (size > this.o.maxResponseBytes) return tooLarge();
              chunks.push(c);
            });
            res.on("error", (e) =>
              reject(new TransportError("network", e.message, (e as NodeJS.ErrnoException).code)),
            );
            res.on("end", () => {
              if (cut) return;
              const text = Buffer.concat(chunks).toString("utf8");
              let body: unknown = text;
              if (text && /json/.test(String(res.headers["content-type"] ?? ""))) {
                try {
                  body = JSON.parse(text);
                } catch {
                  body = text;
                }
              }
              entry(res.statusCode ?? 0, requestId);
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: text ? body : undefined,
                requestId,
              });
            });
          },
        );
        r.on("timeout", () => {
          r.destroy(new TransportError("timeout", "timed out"));
        });
        r.on("error", (e) => {
          if (cut) return; // destroyed for a too-large body: already answered
          const err =
            e instanceof TransportError
              ? e
              : new TransportError("network", e.message, (e as NodeJS.ErrnoException).code);
          entry(err.kind === "timeout" ? "timeout" : "network-error", null);
          reject(err);
        });
        if (payload !== undefined) r.write(payload);
        r.end();
      });
    } finally {
      release();
    }
  }
}

class TransportError extends Error {
  constructor(
    readonly kind: "timeout" | "network" | "too-large",
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}
