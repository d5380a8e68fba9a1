import NextAuth from "next-auth";
import { authOptions, RATE_LIMITED_PREFIX } from "./options";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

/**
 * next-auth's handler, with one change: a rate-limited sign-in answers
 * HTTP 429 with Retry-After instead of next-auth's generic 401.
 */
export async function authRoute(req: Request, context: RouteContext): Promise<Response> {
  const handler = NextAuth(authOptions()) as (req: Request, ctx: RouteContext) => Promise<Response>;
  const res = await handler(req, context);
  if (res.status !== 401 || !res.headers.get("content-type")?.includes("application/json")) return res;
  const body = (await res
    .clone()
    .json()
    .catch(() => null)) as { url?: unknown } | null;
  const url = typeof body?.url === "string" ? body.url : "";
  const error = url ? new URL(url, "http://localhost").searchParams.get("error") : null;
  if (!error?.startsWith(RATE_LIMITED_PREFIX)) return res;
  const seconds = Number.parseInt(error.slice(RATE_LIMITED_PREFIX.length), 10) || 60;
  const headers = new Headers(res.headers);
  headers.set("Retry-After", String(seconds));
  return new Response(JSON.stringify({ url, retryAfterSeconds: seconds }), { status: 429, headers });
}
