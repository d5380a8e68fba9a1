import { z } from "zod";
import { ServiceClient } from "./base";
import { BadRequest, Conflict, NotFound, Unauthorized, UnexpectedResponse } from "./errors";
import type { HttpClient } from "./http";
import type { KeystoneSession } from "./session";

/**
 * An application credential as Keystone v3 answers it (API reference,
 * "Application Credentials"). Only id and name are always there; the rest
 * may be absent or null (`description`, `expires_at` when it never
 * expires, `project_id` for a system-scoped one, `access_rules` when none
 * were given, `unrestricted` of one created without it).
 */
const AppCredentialBody = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  project_id: z.string().nullish(),
  expires_at: z.string().nullish(),
  unrestricted: z.boolean().nullish(),
  roles: z.array(z.object({ id: z.string(), name: z.string().optional() }).loose()).optional(),
  access_rules: z.array(z.object({}).loose()).optional(),
});

export const ApplicationCredential = AppCredentialBody.transform((a) => ({
  id: a.id,
  name: a.name,
  projectId: a.project_id ?? null,
}));
export type ApplicationCredential = z.infer<typeof ApplicationCredential>;

/** The create response: the only time Keystone shows the secret. */
const CreatedAppCredential = z.object({
  application_credential: AppCredentialBody.extend({ secret: z.string().min(1) }),
});

export interface CreatedApplicationCredential {
  id: string;
  name: string;
  /** Shown once by Keystone, stored there only hashed: keep it now or never. Never log it. */
  secret: string;
  projectId: string;
}

export interface CreateApplicationCredentialInput {
  name: string;
  description?: string;
  /** Role names to delegate (a subset of the user's roles on the project); all of the token's roles when left out. */
  roles?: string[];
}

/**
 * The user already has an application credential of this name (Keystone
 * 409: names are unique per user). Its secret cannot be read again: find
 * it, delete it and create it anew.
 */
export class ApplicationCredentialExists extends Conflict {
  override name = "ApplicationCredentialExists";
}

/**
 * Keystone's identity API for the token's own user: application
 * credentials (create, find by name, delete, check that one works). Calls
 * go to the configured auth URL (`…/v3`), not to the catalog's identity
 * endpoint, which is often unversioned. No secret is ever put in a log
 * line or an error message.
 */
export class IdentityClient extends ServiceClient {
  constructor(
    session: KeystoneSession,
    private readonly http: HttpClient,
  ) {
    super(session, "identity");
  }

  private get authUrl(): string {
    return this.session.config.authUrl.replace(/\/+$/, "");
  }

  /** The id of the user the session's token belongs to. */
  async currentUserId(): Promise<string> {
    const { userId } = await this.session.auth();
    if (!userId)
      throw new UnexpectedResponse("Keystone's token response has no user id (token.user.id)", {
        service: "identity",
        method: "POST",
        path: "/auth/tokens",
      });
    return userId;
  }

  private async collection(): Promise<string> {
    return `${this.authUrl}/users/${encodeURIComponent(await this.currentUserId())}/application_credentials`;
  }

  /**
   * A new application credential of the token's user, for the token's
   * project; Keystone generates the secret. Not retried (a POST): after a
   * lost answer, find it by name, delete it and create it again.
   *
   * Throws ApplicationCredentialExists for a name the user already has,
   * BadRequest for a role the user lacks on the project (Keystone 400) or
   * a role name Keystone does not know (its 404), Forbidden when the
   * session itself authenticated with a restricted application credential.
   */
  async createApplicationCredential(
    input: CreateApplicationCredentialInput,
  ): Promise<CreatedApplicationCredential> {
    const url = await this.collection();
    const body = {
      application_credential: {
        name: input.name,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.roles ? { roles: input.roles.map((name) => ({ name })) } : {}),
      },
    };
    let created: z.infer<typeof CreatedAppCredential>["application_credential"];
    try {
      created = (await this.json(CreatedAppCredential, "POST", url, body)).application_credential;
    } catch (err) {
      if (err instanceof Conflict)
        throw new ApplicationCredentialExists(
          `An application credential named "${input.name}" already exists for this Keystone user; ` +
            `its secret cannot be read again, so delete it and create it anew (Keystone: ${err.message})`,
          err.context,
        );
      if (err instanceof NotFound)
        throw new BadRequest(
          `Cannot create application credential "${input.name}": ${err.message}`,
          err.context,
        );
      throw err;
    }
    const projectId = created.project_id ?? (await this.session.auth()).projectId;
    return { id: created.id, name: created.name, secret: created.secret, projectId };
  }

  /**
   * The user's application credential named exactly `name`, or null.
   * Keystone's `?name=` filter is asked, but the match is made here too:
   * the filter is a database comparison (case-insensitive under MySQL's
   * default collation) and a cloud may ignore it.
   */
  async findApplicationCredential(name: string): Promise<ApplicationCredential | null> {
    const url = `${await this.collection()}?${new URLSearchParams({ name }).toString()}`;
    const { application_credentials: all } = await this.json(
      z.object({ application_credentials: z.array(ApplicationCredential) }),
      "GET",
      url,
    );
    const found = all.filter((a) => a.name === name);
    if (found.length > 1)
      throw new UnexpectedResponse(
        `Keystone lists ${found.length} application credentials named "${name}" for one user`,
        { service: "identity", method: "GET", path: new URL(url).pathname },
      );
    return found[0] ?? null;
  }

  /** Delete one of the user's application credentials: true when deleted, false when it was already gone. */
  async deleteApplicationCredential(id: string): Promise<boolean> {
    return this.remove(`${await this.collection()}/${encodeURIComponent(id)}`);
  }

  /**
   * Whether Keystone issues a token for this application credential (a
   * project-scoped one: the request has no scope). False when Keystone
   * refuses it (401: wrong secret, expired; 404: no such credential,
   * which is what Zed answers for a deleted one). Other failures (the
   * cloud unreachable) are thrown, with the secret never in the message.
   * The session's own token is neither used nor changed.
   */
  async verifyApplicationCredential(cred: { id: string; secret: string }): Promise<boolean> {
    try {
      const res = await this.http.request({
        service: "identity",
        method: "POST",
        url: `${this.authUrl}/auth/tokens`,
        body: {
          auth: {
            identity: {
              methods: ["application_credential"],
              application_credential: { id: cred.id, secret: cred.secret },
            },
          },
        },
        idempotent: true, // issuing a token twice is harmless
      });
      return typeof res.headers["x-subject-token"] === "string";
    } catch (err) {
      if (err instanceof Unauthorized || err instanceof NotFound) return false;
      throw redact(err, cred.secret);
    }
  }
}

/** The error with every occurrence of `secret` in its message masked. */
function redact(err: unknown, secret: string): unknown {
  if (err instanceof Error && secret && err.message.includes(secret))
    err.message = err.message.split(secret).join("[secret]");
  return err;
}
