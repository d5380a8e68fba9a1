import { enqueueQuotaRefresh } from "@/db/jobs";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { projectInvitations, projectMembers, projects, users } from "@/db/schema";
import type { SignUpInput } from "@/server/contracts/auth";
import { hashPassword } from "@/server/security/password";
import { recordAudit } from "../audit/record";
import type { RequestMeta } from "../context";
import { validation } from "../errors";
import { keys, LIMITS, reserveAttempt } from "./rate-limit";

export const DUPLICATE_EMAIL_MESSAGE =
  "This email can't be used for a new account. If you already have one, sign in instead.";

/**
 * Creates the account, its personal project (the user is owner) and turns
 * pending invitations for the email into memberships, all in one
 * transaction. Sign-ups are rate-limited per client IP, and the password is
 * hashed before the duplicate check so both paths take the same time.
 */
export async function signUp({ db, meta, input }: { db: Db; meta: RequestMeta; input: SignUpInput }) {
  const ipKey = meta.clientIp ? keys.signUpIp(meta.clientIp) : null;
  // Counted and recorded in one atomic step: parallel sign-ups cannot all pass the limit.
  if (ipKey) await reserveAttempt(db, [[ipKey, LIMITS.signUpIp]], "sign-up attempts from your network");

  const passwordHash = await hashPassword(input.password);

  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email: input.email, name: input.name, passwordHash })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id, email: users.email });
    if (!user) throw validation("email", DUPLICATE_EMAIL_MESSAGE);

    const personal = await welcome(tx, meta, { id: user.id, email: user.email }, input.name, (joined) => ({
      invitationsAccepted: joined,
    }));
    return { userId: user.id, personalProjectId: personal.id };
  });
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * A new account's first steps, for a password sign-up and a first single
 * sign-on alike: its personal project, the invitations waiting for its
 * email, and the audit rows for the sign-up and the project.
 */
export async function welcome(
  tx: Tx,
  meta: RequestMeta,
  user: { id: string; email: string },
  name: string,
  signUpDetails: (invitationsAccepted: number) => Record<string, string | number | boolean | null>,
) {
  const personal = await createPersonalProject(tx, user.id, name);
  const joined = await acceptInvitations(tx, user.id, user.email);
  const audit = { ...meta, actor: { userId: user.id, email: user.email } };
  await recordAudit(tx, audit, {
    action: "auth.signUp",
    outcome: "success",
    targetType: "user",
    targetId: user.id,
    targetLabel: user.email,
    details: signUpDetails(joined),
  });
  await recordAudit(tx, audit, {
    action: "project.create",
    outcome: "success",
    projectId: personal.id,
    targetType: "project",
    targetId: personal.id,
    targetLabel: personal.name,
    details: { personal: true },
  });
  return personal;
}

export async function createPersonalProject(tx: Tx, userId: string, name: string) {
  const first = name.trim().split(/\s+/)[0] ?? "My";
  const projectName = `${first.slice(0, 40)}'s project`.replace(/^[^\p{L}\p{N}]+/u, "") || "Personal project";
  const [project] = await tx
    .insert(projects)
    .values({ name: projectName, personal: true, createdBy: userId })
    .returning();
  if (!project) throw new Error("project insert returned no row");
  await tx.insert(projectMembers).values({ projectId: project.id, userId, role: "owner", addedBy: userId });
  // The worker reads the project's cloud (catalog and quotas) right away, so the wizard can offer it.
  await enqueueQuotaRefresh(tx, project.id);
  return project;
}

export async function acceptInvitations(tx: Tx, userId: string, email: string): Promise<number> {
  const invites = await tx.delete(projectInvitations).where(eq(projectInvitations.email, email)).returning();
  for (const invite of invites) {
    await tx
      .insert(projectMembers)
      .values({ projectId: invite.projectId, userId, role: invite.role, addedBy: invite.invitedBy })
      .onConflictDoNothing();
  }
  return invites.length;
}
