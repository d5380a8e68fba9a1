import type { NextAuthOptions } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";
import CredentialsProvider from "next-auth/providers/credentials";
import { headers } from "next/headers";
import { z } from "zod";
import { getDb } from "@/db/client";
import { env, oidcConfigured, type Env } from "@/server/env";
import { recordAudit } from "@/server/services/audit/record";
import { ensureOidcUser } from "@/server/services/auth/oidc-user";
import { sessionUser } from "@/server/services/auth/session-user";
import { verifyCredentials } from "@/server/services/auth/verify-credentials";
import { ServiceError } from "@/server/services/errors";
import { requestMetaFrom } from "./request-meta";

/** Prefix of the error next-auth passes back when sign-in is rate-limited; the route turns it into HTTP 429. */
export const RATE_LIMITED_PREFIX = "RateLimited:";
export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

const OidcProfile = z.object({
  sub: z.string(),
  email: z.string().email(),
  email_verified: z.boolean().optional(),
  name: z.string().optional(),
  preferred_username: z.string().optional(),
});

export function oidcProvider(e: Env): OAuthConfig<z.infer<typeof OidcProfile>> {
  const issuer = (e.OIDC_ISSUER ?? "").replace(/\/$/, "");
  return {
    id: "oidc",
    name: e.OIDC_DISPLAY_NAME,
    type: "oauth",
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    issuer,
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile(raw) {
      const p = OidcProfile.parse(raw);
      return { id: p.sub, email: p.email, name: p.name ?? p.preferred_username ?? p.email };
    },
  };
}

export function authOptions(): NextAuthOptions {
  const e = env();
  return {
    secret: e.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: {
          email: { label: "Email", type: "email" },
          password: { label: "Password", type: "password" },
        },
        async authorize(credentials, req) {
          const meta = requestMetaFrom(req.headers ?? {});
          try {
            const user = await verifyCredentials({ db: getDb(), meta, raw: credentials });
            return { id: user.id, email: user.email, name: user.name };
          } catch (err) {
            if (err instanceof ServiceError && err.code === "UNAUTHORIZED") return null;
            if (err instanceof ServiceError && err.code === "RATE_LIMITED") {
              throw new Error(`${RATE_LIMITED_PREFIX}${err.extra.retryAfterSeconds ?? 60}`);
            }
            throw err;
          }
        },
      }),
      ...(oidcConfigured(e) ? [oidcProvider(e)] : []),
    ],
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== "oidc") return true;
        const p = OidcProfile.safeParse(profile);
        // Only identities whose email the provider has verified may map onto console accounts.
        return p.success && p.data.email_verified !== false;
      },
      async jwt({ token, user, account, profile }) {
        if (account?.provider === "oidc" && profile) {
          const p = OidcProfile.parse(profile);
          const meta = requestMetaFrom(await headers());
          const uid = await ensureOidcUser(getDb(), meta, p.email, p.name ?? p.preferred_username ?? p.email);
          token.uid = uid;
          await recordAudit(
            getDb(),
            { ...meta, actor: { userId: uid, email: p.email.toLowerCase() } },
            {
              action: "auth.signIn",
              outcome: "success",
              targetType: "user",
              targetId: uid,
              targetLabel: p.email.toLowerCase(),
              details: { method: "oidc" },
            },
          );
        } else if (user) {
          token.uid = user.id;
        }
        return token;
      },
      async session({ session, token }) {
        return {
          ...session,
          user: { ...session.user, id: typeof token.uid === "string" ? token.uid : undefined },
        };
      },
    },
    events: {
      async signOut({ token }) {
        const uid = typeof token?.uid === "string" ? token.uid : null;
        if (!uid) return;
        const db = getDb();
        const user = await sessionUser(db, uid);
        const meta = requestMetaFrom(await headers());
        await recordAudit(
          db,
          { ...meta, actor: user ? { userId: uid, email: user.email } : null },
          {
            action: "auth.signOut",
            outcome: "success",
            targetType: "user",
            targetId: uid,
            targetLabel: user?.email,
          },
        );
      },
    },
  };
}
