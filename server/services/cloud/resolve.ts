import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { cloudBindings, emulatorAccounts } from "@/db/schema";
import { type CloudConfig, defaultCloudConfig } from "@/server/openstack/config";
import { emulatorAdmin, type EmulatorEndpoint } from "@/server/openstack/emulator-admin";
import { decryptSecret, encryptSecret } from "@/server/security/encryption";
import { loadCloudCredentials } from "./binding";

export type { EmulatorEndpoint };

export type ResolvedCloud = { source: "binding" | "operator-default" | "emulator"; config: CloudConfig };

const secretContext = (projectId: string) => `emulator-account:${projectId}`;

/**
 * The built-in emulator's project this console project deploys into, or
 * null when it deploys elsewhere (its own binding, the operator's cloud) or
 * has not used the emulator yet. The same precedence as resolveProjectCloud.
 */
export async function emulatorProjectOf(
  db: Executor,
  projectId: string,
  /** The operator's OS_* variables (default: the adapter reads the process environment). */
  env?: Record<string, string | undefined>,
): Promise<string | null> {
  const [binding] = await db
    .select({ id: cloudBindings.projectId })
    .from(cloudBindings)
    .where(eq(cloudBindings.projectId, projectId));
  if (binding || defaultCloudConfig(env)) return null;
  const [account] = await db
    .select({ id: emulatorAccounts.emulatorProjectId })
    .from(emulatorAccounts)
    .where(eq(emulatorAccounts.projectId, projectId));
  return account?.id ?? null;
}

/**
 * The OpenStack cloud a console project deploys into: its own binding if
 * it has one; else the operator's default cloud (OS_CLOUD / OS_* variables);
 * else the built-in emulator, where the project gets an emulator project of
 * its own on first use. Server-side only: the result carries secrets.
 */
export async function resolveProjectCloud(
  db: Executor,
  projectId: string,
  encryptionKey: string,
  emulator: EmulatorEndpoint | null,
  /** The operator's OS_* variables (default: the adapter reads the process environment). */
  env?: Record<string, string | undefined>,
): Promise<ResolvedCloud> {
  const bound = await loadCloudCredentials(db, projectId, encryptionKey);
  if (bound) {
    return {
      source: "binding",
      config: {
        authUrl: bound.authUrl,
        region: bound.region,
        interface: bound.interface,
        auth:
          bound.authType === "application_credential"
            ? { type: "application_credential", id: bound.principal, secret: bound.secret }
            : {
                type: "password",
                username: bound.principal,
                password: bound.secret,
                userDomainName: bound.userDomainName ?? "Default",
                projectName: bound.projectName ?? undefined,
                projectId: bound.cloudProjectId ?? undefined,
                projectDomainName: bound.projectDomainName ?? "Default",
              },
        caCertPem: bound.caCertPem ?? undefined,
      },
    };
  }
  const operator = defaultCloudConfig(env);
  if (operator) return { source: "operator-default", config: operator };
  if (!emulator)
    throw new Error("No cloud is configured for this project and the built-in emulator is not running");

  let [account] = await db.select().from(emulatorAccounts).where(eq(emulatorAccounts.projectId, projectId));
  if (!account) {
    const p = await emulatorAdmin(emulator).createProject(`console-${projectId.slice(0, 8)}`);
    const values = {
      projectId,
      emulatorProjectId: p.project.id,
      applicationCredentialId: p.application_credential.id,
      secretCiphertext: encryptSecret(
        p.application_credential.secret,
        secretContext(projectId),
        encryptionKey,
      ),
    };
    // Two callers racing: the first insert wins, the other reads it back (its emulator project stays unused).
    await db.insert(emulatorAccounts).values(values).onConflictDoNothing();
    [account] = await db.select().from(emulatorAccounts).where(eq(emulatorAccounts.projectId, projectId));
    if (!account) throw new Error("emulator account vanished");
  }
  return {
    source: "emulator",
    config: {
      authUrl: `${emulator.url}/identity/v3`,
      region: "RegionOne",
      interface: "public",
      auth: {
        type: "application_credential",
        id: account.applicationCredentialId,
        secret: decryptSecret(account.secretCiphertext, secretContext(projectId), encryptionKey),
      },
    },
  };
}
