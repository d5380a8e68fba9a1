import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { clusterPki } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/server/security/encryption";
import { createCa, issueCertificate, type KeyPairPem } from "./pki";

/** Encryption contexts: a ciphertext copied to another cluster's row does not decrypt. */
const caContext = (clusterId: string) => `cluster-ca-key:${clusterId}`;
const consoleContext = (clusterId: string) => `cluster-console-key:${clusterId}`;

/** The console's own identity toward every cluster it manages. */
export const CONSOLE_IDENTITY = { commonName: "kube-console", organizations: ["system:masters"] };
const CONSOLE_CERT_VALIDITY_MS = 365 * 86_400_000;

export interface ClusterPki {
  ca: KeyPairPem;
  /** Trusted for client certificates while a rotation runs. */
  previousCaCertPem: string | null;
  rotationStartedAt: Date | null;
  console: KeyPairPem;
}

async function newRow(clusterId: string, clusterName: string, encryptionKey: string) {
  const ca = await createCa(`kubernetes-ca ${clusterName}`);
  const consoleCert = await issueCertificate({
    ca,
    ...CONSOLE_IDENTITY,
    usage: "client",
    validityMs: CONSOLE_CERT_VALIDITY_MS,
  });
  return {
    clusterId,
    caCertPem: ca.certPem,
    caKeyCiphertext: encryptSecret(ca.keyPem, caContext(clusterId), encryptionKey),
    consoleCertPem: consoleCert.certPem,
    consoleKeyCiphertext: encryptSecret(consoleCert.keyPem, consoleContext(clusterId), encryptionKey),
  };
}

/**
 * The cluster's PKI, created on first use (at cluster creation; lazily for
 * clusters created before PKI existed). Concurrent callers agree on one CA:
 * the insert is ON CONFLICT DO NOTHING and everyone reads the stored row.
 */
export async function ensureClusterPki(
  db: Executor,
  cluster: { id: string; name: string },
  encryptionKey: string,
): Promise<ClusterPki> {
  let [row] = await db.select().from(clusterPki).where(eq(clusterPki.clusterId, cluster.id));
  if (!row) {
    await db
      .insert(clusterPki)
      .values(await newRow(cluster.id, cluster.name, encryptionKey))
      .onConflictDoNothing();
    [row] = await db.select().from(clusterPki).where(eq(clusterPki.clusterId, cluster.id));
  }
  if (!row) throw new Error(`cluster ${cluster.id} has no PKI row`);
  return {
    ca: {
      certPem: row.caCertPem,
      keyPem: decryptSecret(row.caKeyCiphertext, caContext(cluster.id), encryptionKey),
    },
    previousCaCertPem: row.previousCaCertPem,
    rotationStartedAt: row.rotationStartedAt,
    console: {
      certPem: row.consoleCertPem,
      keyPem: decryptSecret(row.consoleKeyCiphertext, consoleContext(cluster.id), encryptionKey),
    },
  };
}

export async function createClusterPki(
  db: Executor,
  cluster: { id: string; name: string },
  encryptionKey: string,
): Promise<void> {
  await db
    .insert(clusterPki)
    .values(await newRow(cluster.id, cluster.name, encryptionKey))
    .onConflictDoNothing();
}

/** Step 1 of a CA rotation: a new CA; the old one stays trusted for clients until completeCaRotation. */
export async function beginCaRotation(
  db: Executor,
  cluster: { id: string; name: string },
  encryptionKey: string,
  now = new Date(),
): Promise<void> {
  const current = await ensureClusterPki(db, cluster, encryptionKey);
  if (current.rotationStartedAt) return; // already rotating: repeatable
  const next = await newRow(cluster.id, cluster.name, encryptionKey);
  await db
    .update(clusterPki)
    .set({ ...next, previousCaCertPem: current.ca.certPem, rotationStartedAt: now, updatedAt: now })
    .where(eq(clusterPki.clusterId, cluster.id));
}

/** Last step of a CA rotation: the old CA is no longer trusted; certificates it signed stop working. */
export async function completeCaRotation(db: Executor, clusterId: string, now = new Date()): Promise<void> {
  await db
    .update(clusterPki)
    .set({ previousCaCertPem: null, rotationStartedAt: null, rotatedAt: now, updatedAt: now })
    .where(eq(clusterPki.clusterId, clusterId));
}
