import { and, eq, isNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { cloudBindings, clusters } from "@/db/schema";
import type { CloudBindingView, SetCloudBindingInput } from "@/server/contracts/cloud";
import { decryptSecret, encryptSecret } from "@/server/security/encryption";
import { recordAudit } from "../audit/record";
import type { ServiceContext, ProjectCall } from "../context";
import { ServiceError } from "../errors";
import { forgetCatalog, markCatalogStale } from "./catalog";
import type { ProjectAccess } from "../project/access";

const secretContext = (projectId: string) => `cloud-binding:${projectId}`;

type BindingRow = typeof cloudBindings.$inferSelect;

type OpenStackView = Extract<CloudBindingView, { mode: "openstack" }>;

export function toView(row: BindingRow | undefined): CloudBindingView {
  return row ? openstackView(row) : { mode: "emulator" };
}

function openstackView(row: BindingRow): OpenStackView {
  return {
    mode: "openstack",
    authUrl: row.authUrl,
    region: row.region,
    interface: row.interface as "public" | "internal" | "admin",
    authType: row.authType,
    principal: row.principal,
    userDomainName: row.userDomainName,
    projectName: row.projectName,
    cloudProjectId: row.cloudProjectId,
    projectDomainName: row.projectDomainName,
    hasCaCert: Boolean(row.caCertPem),
    secretSet: true,
    updatedAt: row.updatedAt,
  };
}

export async function getCloudBinding({ ctx, project }: { ctx: ServiceContext; project: ProjectAccess }) {
  const [row] = await ctx.db.select().from(cloudBindings).where(eq(cloudBindings.projectId, project.id));
  return toView(row);
}

/**
 * Stores (or replaces) the project's OpenStack credentials. The secret is
 * encrypted before it touches the database; leaving it out keeps the stored
 * one, unless the auth type or principal changes.
 */
export async function setCloudBinding({
  ctx,
  project,
  input,
}: ProjectCall<SetCloudBindingInput>): Promise<CloudBindingView> {
  return ctx.db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(cloudBindings)
      .where(eq(cloudBindings.projectId, project.id))
      .for("update");
    const auth = input.auth;
    const principal = auth.type === "password" ? auth.username : auth.applicationCredentialId;
    const sameIdentity = existing && existing.authType === auth.type && existing.principal === principal;

    if (auth.type === "password" && !auth.projectName && !auth.projectId) {
      throw new ServiceError("VALIDATION", "Password authentication needs a project name or project id", {
        fieldErrors: { "auth.projectName": ["Enter the OpenStack project name or id to scope the token to"] },
      });
    }
    let secretCiphertext: string;
    if (auth.secret) {
      secretCiphertext = encryptSecret(auth.secret, secretContext(project.id), ctx.encryptionKey);
    } else if (existing && sameIdentity) {
      secretCiphertext = existing.secretCiphertext;
    } else {
      const label = auth.type === "password" ? "password" : "application credential secret";
      throw new ServiceError("VALIDATION", `Enter the ${label}`, {
        fieldErrors: { "auth.secret": [`Enter the ${label}`] },
      });
    }

    // Clusters are pinned to the cloud they were created on: only the credentials of the same
    // Keystone project may change under them.
    const sameCloud =
      existing &&
      existing.authUrl === input.authUrl &&
      existing.region === input.region &&
      existing.authType === auth.type &&
      (auth.type === "application_credential" ||
        ((existing.projectName ?? null) === (auth.projectName ?? null) &&
          (existing.cloudProjectId ?? null) === (auth.projectId ?? null)));
    if (!sameCloud) await refuseUnderLiveClusters(tx, project.id, "move this project to another cloud");

    const values = {
      projectId: project.id,
      authUrl: input.authUrl,
      region: input.region,
      interface: input.interface,
      authType: auth.type,
      principal,
      userDomainName: auth.type === "password" ? auth.userDomainName : null,
      projectName: auth.type === "password" ? (auth.projectName ?? null) : null,
      cloudProjectId: auth.type === "password" ? (auth.projectId ?? null) : null,
      projectDomainName: auth.type === "password" ? auth.projectDomainName : null,
      caCertPem: input.caCertPem ? input.caCertPem : null,
      secretCiphertext,
      updatedBy: ctx.actor.userId,
      updatedAt: new Date(),
    };
    const [row] = await tx
      .insert(cloudBindings)
      .values(values)
      .onConflictDoUpdate({ target: cloudBindings.projectId, set: values })
      .returning();

    await recordAudit(tx, ctx, {
      action: "cloud.setCredentials",
      outcome: "success",
      projectId: project.id,
      targetType: "cloudBinding",
      targetId: project.id,
      targetLabel: `${input.authUrl} (${input.region})`,
      details: {
        authType: auth.type,
        principal,
        secretChanged: Boolean(auth.secret),
        replaced: Boolean(existing),
      },
    });
    // Another cloud: its catalog is read from scratch; the same cloud: read again with the new credentials.
    await (sameCloud ? markCatalogStale(tx, project.id) : forgetCatalog(tx, project.id));
    return toView(row);
  });
}

/** A binding change that would re-point live clusters at another cloud (and orphan their resources) is refused. */
async function refuseUnderLiveClusters(tx: Executor, projectId: string, what: string): Promise<void> {
  const live = await tx
    .select({ name: clusters.name })
    .from(clusters)
    .where(and(eq(clusters.projectId, projectId), isNull(clusters.deletedAt)));
  if (live.length === 0) return;
  const names = live.map((c) => c.name);
  throw new ServiceError(
    "PRECONDITION_FAILED",
    `Cannot ${what} while it has clusters (${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}): they live on the current cloud. Delete them first; rotating the credentials of the same cloud project is allowed.`,
  );
}

export async function clearCloudBinding({ ctx, project }: { ctx: ServiceContext; project: ProjectAccess }) {
  return ctx.db.transaction(async (tx) => {
    await refuseUnderLiveClusters(tx, project.id, "move this project back to the built-in emulator");
    const [removed] = await tx
      .delete(cloudBindings)
      .where(eq(cloudBindings.projectId, project.id))
      .returning();
    if (!removed)
      throw new ServiceError("PRECONDITION_FAILED", "This project already uses the built-in emulator");
    await recordAudit(tx, ctx, {
      action: "cloud.clearCredentials",
      outcome: "success",
      projectId: project.id,
      targetType: "cloudBinding",
      targetId: project.id,
      targetLabel: `${removed.authUrl} (${removed.region})`,
    });
    await forgetCatalog(tx, project.id);
    return toView(undefined);
  });
}

/**
 * The decrypted credentials, for the server-side OpenStack adapter only.
 * Never return this from a procedure.
 */
export async function loadCloudCredentials(db: Executor, projectId: string, encryptionKey: string) {
  const [row] = await db.select().from(cloudBindings).where(eq(cloudBindings.projectId, projectId));
  if (!row) return null;
  return {
    ...openstackView(row),
    secret: decryptSecret(row.secretCiphertext, secretContext(projectId), encryptionKey),
    caCertPem: row.caCertPem,
  };
}
