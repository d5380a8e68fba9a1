import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { SignInInput } from "@/server/contracts/auth";
import { burnPasswordCheck, verifyPassword } from "@/server/security/password";
import { recordAudit } from "../audit/record";
import type { RequestMeta } from "../context";
import { ServiceError } from "../errors";
import { clearAttempts, keys, LIMITS, releaseAttempts, reserveAttempt } from "./rate-limit";

export const BAD_CREDENTIALS_MESSAGE = "Incorrect email or password.";

/**
 * Checks an email + password sign-in. One generic message for an unknown
 * email and a wrong password; failures are counted per email and per client
 * IP and past the limit the caller gets RATE_LIMITED with a retry delay.
 * Every outcome is audited.
 */
export async function verifyCredentials({
  db,
  meta,
  raw,
}: {
  db: Db;
  meta: RequestMeta;
  raw: unknown;
}): Promise<{ id: string; email: string; name: string }> {
  const parsed = SignInInput.safeParse(raw);
  if (!parsed.success) throw new ServiceError("UNAUTHORIZED", BAD_CREDENTIALS_MESSAGE);
  const { email, password } = parsed.data;

  const emailKey = keys.signInEmail(email);
  const ipKey = meta.clientIp ? keys.signInIp(meta.clientIp) : null;
  const limits: Array<[string, typeof LIMITS.signInEmail]> = [[emailKey, LIMITS.signInEmail]];
  if (ipKey) limits.push([ipKey, LIMITS.signInIp]);

  // Counted before the password is checked, atomically: parallel guesses cannot all get checked.
  let reserved: string[];
  try {
    reserved = await reserveAttempt(db, limits, "failed sign-in attempts");
  } catch (err) {
    await recordAudit(
      db,
      { ...meta, actor: null },
      {
        action: "auth.signIn",
        outcome: "denied",
        errorCode: "RATE_LIMITED",
        targetType: "user",
        targetLabel: email,
      },
    );
    throw err;
  }

  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  const ok = user?.passwordHash
    ? await verifyPassword(user.passwordHash, password)
    : (await burnPasswordCheck(password), false);

  if (!user || !ok) {
    await recordAudit(
      db,
      { ...meta, actor: user ? { userId: user.id, email: user.email } : null },
      {
        action: "auth.signIn",
        outcome: "failure",
        errorCode: "UNAUTHORIZED",
        targetType: "user",
        targetId: user?.id,
        targetLabel: email,
      },
    );
    throw new ServiceError("UNAUTHORIZED", BAD_CREDENTIALS_MESSAGE);
  }

  // Only failures count: a successful sign-in takes its attempt back and clears the email's.
  await releaseAttempts(db, reserved);
  await clearAttempts(db, emailKey);
  await recordAudit(
    db,
    { ...meta, actor: { userId: user.id, email: user.email } },
    {
      action: "auth.signIn",
      outcome: "success",
      targetType: "user",
      targetId: user.id,
      targetLabel: user.email,
      details: { method: "password" },
    },
  );
  return { id: user.id, email: user.email, name: user.name };
}
