import { z } from "zod";
import type { CloudConfig } from "./config";
import { CredentialsRejected, NotFound, Unavailable, Unauthorized, UnexpectedResponse } from "./errors";
import type { HttpClient, HttpRequest, HttpResponse } from "./http";

const Endpoint = z.object({
  interface: z.string(),
  region: z.string().nullish(),
  region_id: z.string().nullish(),
  url: z.string(),
});
const TokenBody = z.object({
  token: z.object({
    expires_at: z.string(),
    /** Always there in Keystone's answer; optional so that a cloud leaving it out still works for everything else. */
    user: z.object({ id: z.string() }).optional(),
    project: z.object({ id: z.string(), name: z.string() }).optional(),
    /** Present when the token came from an application credential. */
    application_credential: z.object({ id: z.string(), restricted: z.boolean().optional() }).optional(),
    catalog: z
      .array(z.object({ type: z.string(), name: z.string().optional(), endpoints: z.array(Endpoint) }))
      .default([]),
  }),
});

export interface AuthState {
  token: string;
  projectId: string;
  /** The token's user (`token.user.id`); "" when Keystone left it out. */
  userId: string;
  /** The application credential the token came from; `restricted` ones may not make credentials of their own. */
  applicationCredential: { id: string; restricted: boolean } | null;
  expiresAt: number;
  issuedAt: number;
  catalog: z.infer<typeof TokenBody>["token"]["catalog"];
}

/** Service types and the older names clouds still register them under. */
const TYPE_ALIASES: Record<string, string[]> = {
  "block-storage": ["block-storage", "volumev3", "volume"],
  compute: ["compute"],
  network: ["network"],
  "load-balancer": ["load-balancer"],
  image: ["image"],
  identity: ["identity"],
};

export class KeystoneSession {
  private state: AuthState | null = null;
  private inflight: Promise<AuthState> | null = null;

  constructor(
    readonly config: CloudConfig,
    private readonly http: HttpClient,
    private readonly now: () => number = Date.now,
  ) {}

  private authBody() {
    const a = this.config.auth;
    if (a.type === "application_credential") {
      return {
        auth: {
          identity: {
            methods: ["application_credential"],
            application_credential: { id: a.id, secret: a.secret },
          },
        },
      };
    }
    return {
      auth: {
        identity: {
          methods: ["password"],
          password: { user: { name: a.username, domain: { name: a.userDomainName }, password: a.password } },
        },
        scope: {
          project: a.projectId
            ? { id: a.projectId }
            : { name: a.projectName, domain: { name: a.projectDomainName } },
        },
      },
    };
  }

  private async authenticate(): Promise<AuthState> {
    let res: HttpResponse;
    try {
      res = await this.http.request({
        service: "identity",
        method: "POST",
        url: `${this.config.authUrl}/auth/tokens`,
        body: this.authBody(),
        idempotent: true, // issuing a token twice is harmless
      });
    } catch (err) {
      // A 401 here is about the credentials themselves, not an expired token: never retried.
      // Keystone (Zed) answers 404 "Could not find Application Credential" for a deleted one.
      if (
        err instanceof Unauthorized ||
        (err instanceof NotFound && this.config.auth.type === "application_credential")
      )
        throw new CredentialsRejected(
          `The project's cloud credentials are rejected by Keystone: ${err.message}`,
          err.context,
        );
      throw err;
    }
    const token = res.headers["x-subject-token"];
    const parsed = TokenBody.safeParse(res.body);
    if (typeof token !== "string" || !parsed.success) {
      throw new UnexpectedResponse(
        `Keystone answered without a token or catalog: ${parsed.success ? "no X-Subject-Token" : parsed.error.issues[0]?.message}`,
        {
          service: "identity",
          method: "POST",
          path: "/auth/tokens",
          status: res.status,
          requestId: res.requestId,
        },
      );
    }
    const now = this.now();
    return {
      token,
      projectId: parsed.data.token.project?.id ?? "",
      userId: parsed.data.token.user?.id ?? "",
      applicationCredential: parsed.data.token.application_credential
        ? {
            id: parsed.data.token.application_credential.id,
            // Keystone's default is restricted; a token that does not say is treated as one.
            restricted: parsed.data.token.application_credential.restricted ?? true,
          }
        : null,
      expiresAt: Date.parse(parsed.data.token.expires_at),
      issuedAt: now,
      catalog: parsed.data.token.catalog,
    };
  }

  /** A valid token, re-issued shortly before it expires; concurrent callers share one request. */
  async auth(): Promise<AuthState> {
    const s = this.state;
    if (s) {
      const lifetime = s.expiresAt - s.issuedAt;
      const margin = Math.min(300_000, lifetime / 4);
      if (s.expiresAt - this.now() > margin) return s;
    }
    this.inflight ??= this.authenticate()
      .then((st) => (this.state = st))
      .finally(() => (this.inflight = null));
    return this.inflight;
  }

  invalidate(): void {
    this.state = null;
  }

  async endpoint(type: string): Promise<string> {
    const { catalog } = await this.auth();
    const types = TYPE_ALIASES[type] ?? [type];
    for (const t of types) {
      const svc = catalog.find((c) => c.type === t);
      const ep = svc?.endpoints.find(
        (e) =>
          e.interface === this.config.interface &&
          (!this.config.region || e.region_id === this.config.region || e.region === this.config.region),
      );
      if (ep) return ep.url.replace(/\/+$/, "");
    }
    throw new Unavailable(
      `The cloud's catalog has no ${type} endpoint for region ${this.config.region ?? "(any)"} and interface ${this.config.interface}`,
      { service: type, method: "GET", path: "catalog" },
    );
  }

  /**
   * A call to a service, by catalog type; a 401 re-authenticates once and
   * retries. An absolute URL in `path` is called as it is, without a
   * catalog lookup (Keystone's own API, at the configured auth URL).
   */
  async request(
    service: string,
    req: Omit<HttpRequest, "url" | "service"> & { path: string },
  ): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const { token } = await this.auth();
      const url = /^https?:\/\//.test(req.path) ? req.path : `${await this.endpoint(service)}${req.path}`;
      try {
        return await this.http.request({
          ...req,
          service,
          url,
          headers: { ...req.headers, "X-Auth-Token": token },
        });
      } catch (err) {
        if (err instanceof Unauthorized && attempt === 0) {
          this.invalidate();
          continue;
        }
        throw err;
      }
    }
  }
}
