import { and, count, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { projectMembers, users } from "@/db/schema";
import type { ProjectRole } from "@/server/contracts/project";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";

export const MAX_MEMBERS_PER_PROJECT = 100;

/** Only owners hand out the owner role. */
export function assertCanGrant(caller: ProjectAccess, role: ProjectRole): void {
  if (role === "owner" && caller.role !== "owner") {
    throw new ServiceError("FORBIDDEN", "Only an owner can make someone an owner");
  }
}

/**
 * Locks the project's owner rows (so two concurrent demotions cannot both
 * pass) and refuses when `userId` is the only owner. Only people count:
 * a service account with the owner role cannot keep a project alone.
 */
export async function assertNotLastOwner(
  tx: Executor,
  projectId: string,
  userId: string,
  doing: string,
): Promise<void> {
  const owners = await tx
    .select({ userId: projectMembers.userId })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(
      and(
        eq(projectMembers.projectId, projectId),
        eq(projectMembers.role, "owner"),
        eq(users.kind, "person"),
      ),
    )
    .for("update", { of: projectMembers });
  if (owners.length === 1 && owners[0]?.userId === userId) {
    throw new ServiceError(
      "PRECONDITION_FAILED",
      `Can't ${doing}: a project needs at least one owner. Make another member an owner first.`,
    );
  }
}

export async function memberCount(tx: Executor, projectId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(projectMembers)
    .where(eq(projectMembers.projectId, projectId));
  return row?.n ?? 0;
}
