import type { z } from "zod";
import { NotFound, UnexpectedResponse } from "./errors";
import type { HttpResponse } from "./http";
import type { KeystoneSession } from "./session";

type Method = "GET" | "POST" | "PUT" | "DELETE";

/** What every service client shares: typed calls, link-following lists, idempotent deletes. */
export class ServiceClient {
  constructor(
    protected readonly session: KeystoneSession,
    protected readonly service: string,
    protected readonly headers: Record<string, string> = {},
    /** Path prefix appended to the catalog URL (`/v2.0` for Neutron, `/v2` for Octavia). */
    protected readonly prefix = "",
  ) {}

  /** `path` is under the prefix; absolute URLs and `rooted` paths (Glance's `next`) are used as they are. */
  protected async call(
    method: Method,
    path: string,
    body?: unknown,
    idempotent?: boolean,
    rooted = false,
  ): Promise<HttpResponse> {
    return this.session.request(this.service, {
      method,
      path: /^https?:/.test(path) || rooted ? path : `${this.prefix}${path}`,
      body,
      headers: this.headers,
      idempotent,
    });
  }

  protected parse<S extends z.ZodType>(schema: S, res: HttpResponse, what: string): z.infer<S> {
    const r = schema.safeParse(res.body);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new UnexpectedResponse(
        `Unexpected ${this.service} response for ${what}: ${issue?.path.join(".")}: ${issue?.message}`,
        {
          service: this.service,
          method: "GET",
          path: what,
          status: res.status,
          requestId: res.requestId,
        },
      );
    }
    return r.data;
  }

  protected async json<S extends z.ZodType>(
    schema: S,
    method: Method,
    path: string,
    body?: unknown,
    idempotent?: boolean,
  ): Promise<z.infer<S>> {
    return this.parse(
      schema,
      await this.call(method, path, body, idempotent),
      `${method} ${path.split("?")[0]}`,
    );
  }

  /** Every page of a collection, following the `<key>_links` next links. */
  protected async list<S extends z.ZodType>(
    item: S,
    path: string,
    key: string,
    query: Record<string, string | undefined> = {},
  ): Promise<Array<z.infer<S>>> {
    const qs = new URLSearchParams(
      Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined),
    ).toString();
    let next: string | null = qs ? `${path}?${qs}` : path;
    let rooted = false;
    const out: Array<z.infer<S>> = [];
    for (let page = 0; next && page < 10_000; page++) {
      const res = await this.call("GET", next, undefined, undefined, rooted);
      const body = res.body as Record<string, unknown> | undefined;
      const items = body?.[key];
      if (!Array.isArray(items)) this.parse(item.array(), { ...res, body: items }, `GET ${path}`);
      for (const raw of items as unknown[]) out.push(this.parse(item, { ...res, body: raw }, `GET ${path}`));
      const links = (body?.[`${key}_links`] ?? []) as Array<{ rel?: string; href?: string }>;
      const linked = links.find((l) => l.rel === "next")?.href;
      // Glance puts a `next` path relative to the service root (version included) in the body.
      const glanceNext = typeof body?.next === "string" ? body.next : null;
      next = linked ?? glanceNext;
      rooted = !linked && glanceNext !== null;
    }
    return out;
  }

  /** DELETE that treats "already gone" as done: true when it deleted, false when it was not there. */
  protected async remove(path: string): Promise<boolean> {
    try {
      await this.call("DELETE", path);
      return true;
    } catch (err) {
      if (err instanceof NotFound) return false;
      throw err;
    }
  }

  /** GET that returns null for 404. */
  protected async find<S extends z.ZodType>(schema: S, path: string): Promise<z.infer<S> | null> {
    try {
      return await this.json(schema, "GET", path);
    } catch (err) {
      if (err instanceof NotFound) return null;
      throw err;
    }
  }
}

/** Anchored regex for Nova's name filter, which matches by regular expression. */
export const exactNameRegex = (name: string) => `^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
