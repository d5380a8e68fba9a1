import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import type { RequestMeta } from "../context";
import { welcome } from "./sign-up";

/**
 * The console account for a single-sign-on identity, created on first
 * sign-in (with a personal project, like a password sign-up). Accounts are
 * matched by verified email.
 */
export async function ensureOidcUser(
  db: Db,
  meta: RequestMeta,
  email: string,
  name: string,
): Promise<string> {
  const normalized = email.trim().toLowerCase();
  const [existing] = await db
    .select({ id: users.id, kind: users.kind })
    .from(users)
    .where(eq(users.email, normalized));
  // A service account's principal never signs in, whatever an identity provider asserts.
  if (existing?.kind === "service_account") throw new Error("a service account cannot sign in");
  if (existing) return existing.id;
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email: normalized, name: name || normalized, passwordHash: null })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id });
    if (!user) {
      const [raced] = await tx.select({ id: users.id }).from(users).where(eq(users.email, normalized));
      if (!raced) throw new Error("user vanished during sign-up");
      return raced.id;
    }
    await welcome(tx, meta, { id: user.id, email: normalized }, name || normalized, () => ({
      method: "oidc",
    }));
    return user.id;
  });
}
