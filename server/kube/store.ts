import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { clusterPki } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/server/security/encryption";
import { createCa, issueCertificate, type KeyPairPem } from "./pki";

/** Encryption contexts: a ciphertext copied to another cluster's row does not decrypt. */
const caContext = (clusterId: string) => `cluster-ca-key:${clusterId}`;
const consoleContext = (clusterId: string) => `cluster-console-key:${clusterId}`;
const previousCaContext = (clusterId: string) => `cluster-previous-ca-key:${clusterId}`;

/** The console's own identity toward every cluster it manages. */
export const CONSOLE_IDENTITY = { commonName: "kube-console", organizations: ["system:masters"] };
const CONSOLE_CERT_VALIDITY_MS = 365 * 86_400_000;

export interface ClusterPki {
  ca: KeyPairPem;
  /** Trusted for client certificates while a rotation runs. */
  previousCaCertPem: string | null;
  /** The CA being replaced (cert and key) while a rotation runs. */
  previousCa: KeyPairPem | null;
  rotationStartedAt: Date | null;
  console: KeyPairPem;
}

/** The console's client certificate from `ca`, its key encrypted for storage. */
async function consoleCredential(clusterId: string, ca: KeyPairPem, encryptionKey: string, now = new Date()) {
  const cert = await issueCertificate({
    ca,
    ...CONSOLE_IDENTITY,
    usage: "client",
    validityMs: CONSOLE_CERT_VALIDITY_MS,
    now,
  });
  return {
    consoleCertPem: cert.certPem,
    consoleKeyCiphertext: encryptSecret(cert.keyPem, consoleContext(clusterId), encryptionKey),
  };
}

async function newRow(clusterId: string, clusterName: string, encryptionKey: string) {
  const ca = await createCa(`kubernetes-ca ${clusterName}`);
  return {
    clusterId,
    caCertPem: ca.certPem,
    caKeyCiphertext: encryptSecret(ca.keyPem, caContext(clusterId), encryptionKey),
    ...(await consoleCredential(clusterId, ca, encryptionKey)),
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
    previousCa:
      row.previousCaCertPem && row.previousCaKeyCiphertext
        ? {
            certPem: row.previousCaCertPem,
            keyPem: decryptSecret(row.previousCaKeyCiphertext, previousCaContext(cluster.id), encryptionKey),
          }
        : null,
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

/**
 * Step 1 of a CA rotation: a new CA signs new kubeconfigs from now on. The
 * old CA (cert and key) is kept until completeCaRotation: the API server
 * keeps serving an old-CA certificate and trusts clients of both, so
 * kubeconfigs issued before keep working until the rotation completes.
 * The console's own client certificate stays the old one until then.
 */
export async function beginCaRotation(
  db: Executor,
  cluster: { id: string; name: string },
  encryptionKey: string,
  now = new Date(),
): Promise<boolean> {
  const current = await ensureClusterPki(db, cluster, encryptionKey);
  if (current.rotationStartedAt) return false; // already rotating
  const ca = await createCa(`kubernetes-ca ${cluster.name}`, 10, now);
  await db
    .update(clusterPki)
    .set({
      caCertPem: ca.certPem,
      caKeyCiphertext: encryptSecret(ca.keyPem, caContext(cluster.id), encryptionKey),
      previousCaCertPem: current.ca.certPem,
      previousCaKeyCiphertext: encryptSecret(current.ca.keyPem, previousCaContext(cluster.id), encryptionKey),
      rotationStartedAt: now,
      updatedAt: now,
    })
    .where(eq(clusterPki.clusterId, cluster.id));
  return true;
}

/** Last step: only the new CA remains; the console gets a client certificate from it. */
export async function completeCaRotation(
  db: Executor,
  cluster: { id: string; name: string },
  encryptionKey: string,
  now = new Date(),
): Promise<void> {
  const pki = await ensureClusterPki(db, cluster, encryptionKey);
  const credential = await consoleCredential(cluster.id, pki.ca, encryptionKey, now);
  await db
    .update(clusterPki)
    .set({
      previousCaCertPem: null,
      previousCaKeyCiphertext: null,
      rotationStartedAt: null,
      rotatedAt: now,
      ...credential,
      updatedAt: now,
    })
    .where(eq(clusterPki.clusterId, cluster.id));
}
