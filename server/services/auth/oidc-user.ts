import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { recordAudit } from "../audit/record";
import type { RequestMeta } from "../context";
import { acceptInvitations, createPersonalProject } from "./sign-up";

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
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, normalized));
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
    const project = await createPersonalProject(tx, user.id, name || normalized);
    await acceptInvitations(tx, user.id, normalized);
    const actor = { userId: user.id, email: normalized };
    await recordAudit(
      tx,
      { ...meta, actor },
      {
        action: "auth.signUp",
        outcome: "success",
        targetType: "user",
        targetId: user.id,
        targetLabel: normalized,
        details: { method: "oidc" },
      },
    );
    await recordAudit(
      tx,
      { ...meta, actor },
      {
        action: "project.create",
        outcome: "success",
        projectId: project.id,
        targetType: "project",
        targetId: project.id,
        targetLabel: project.name,
        details: { personal: true },
      },
    );
    return user.id;
  });
}
