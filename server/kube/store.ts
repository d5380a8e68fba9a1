import { randomInt } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { clusterPki } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/server/security/encryption";
import type { BootstrapToken, ControlPlaneMaterial } from "./cloud-config";
import { createCa, createServiceAccountKey, issueCertificate, type KeyPairPem } from "./pki";

/** Encryption contexts: a ciphertext copied to another cluster's row does not decrypt. */
const caContext = (clusterId: string) => `cluster-ca-key:${clusterId}`;
const consoleContext = (clusterId: string) => `cluster-console-key:${clusterId}`;
const previousCaContext = (clusterId: string) => `cluster-previous-ca-key:${clusterId}`;
const controlPlaneContext = (clusterId: string) => `cluster-control-plane-keys:${clusterId}`;
const tokenContext = (clusterId: string) => `cluster-bootstrap-token:${clusterId}`;

/** A bootstrap token lives this long (kubeadm's default TTL)… */
export const BOOTSTRAP_TOKEN_TTL_MS = 24 * 3_600_000;
/** …and is replaced when less than this is left, so a node booting now still joins with it. */
export const BOOTSTRAP_TOKEN_RENEW_MS = 2 * 3_600_000;

const TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const tokenPart = (n: number) =>
  Array.from({ length: n }, () => TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)]).join("");

/** A new bootstrap token ([a-z0-9]{6}.[a-z0-9]{16}), from the OS's CSPRNG. */
export function newBootstrapToken(now: Date): BootstrapToken {
  return {
    id: tokenPart(6),
    secret: tokenPart(16),
    expiresAt: new Date(now.getTime() + BOOTSTRAP_TOKEN_TTL_MS),
  };
}

interface StoredControlPlane {
  etcdCa: KeyPairPem;
  frontProxyCa: KeyPairPem;
  serviceAccount: { publicKeyPem: string; keyPem: string };
}

async function newControlPlane(clusterName: string): Promise<StoredControlPlane> {
  const [etcdCa, frontProxyCa, serviceAccount] = await Promise.all([
    createCa(`etcd-ca ${clusterName}`),
    createCa(`kubernetes-front-proxy-ca ${clusterName}`),
    createServiceAccountKey(),
  ]);
  return { etcdCa, frontProxyCa, serviceAccount };
}

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
  /** What kubeadm needs pre-placed on a control-plane node (the cluster CA included). */
  controlPlane: ControlPlaneMaterial;
  /** The token nodes join with now. */
  bootstrapToken: BootstrapToken;
  /** When the control plane first answered (null: the first master still runs kubeadm init). */
  initializedAt: Date | null;
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

const tokenColumns = (clusterId: string, token: BootstrapToken, encryptionKey: string) => ({
  bootstrapTokenCiphertext: encryptSecret(
    `${token.id}.${token.secret}`,
    tokenContext(clusterId),
    encryptionKey,
  ),
  bootstrapTokenExpiresAt: token.expiresAt,
});

/** The stored token (`id.secret`, decrypted) and its expiry. */
function readToken(
  row: { bootstrapTokenCiphertext: string; bootstrapTokenExpiresAt: Date },
  clusterId: string,
  encryptionKey: string,
): BootstrapToken {
  const [id = "", secret = ""] = decryptSecret(
    row.bootstrapTokenCiphertext,
    tokenContext(clusterId),
    encryptionKey,
  ).split(".");
  return { id, secret, expiresAt: row.bootstrapTokenExpiresAt };
}

async function newRow(clusterId: string, clusterName: string, encryptionKey: string, now = new Date()) {
  const [ca, controlPlane] = await Promise.all([
    createCa(`kubernetes-ca ${clusterName}`),
    newControlPlane(clusterName),
  ]);
  return {
    clusterId,
    caCertPem: ca.certPem,
    caKeyCiphertext: encryptSecret(ca.keyPem, caContext(clusterId), encryptionKey),
    ...(await consoleCredential(clusterId, ca, encryptionKey)),
    controlPlaneCiphertext: encryptSecret(
      JSON.stringify(controlPlane),
      controlPlaneContext(clusterId),
      encryptionKey,
    ),
    ...tokenColumns(clusterId, newBootstrapToken(now), encryptionKey),
  };
}

/**
 * Rows made before kubeadm bootstrap lack the control-plane material and a
 * token: each is set once (only where still null, so concurrent passes agree).
 */
async function fillMissing(db: Executor, clusterId: string, clusterName: string, encryptionKey: string) {
  await db
    .update(clusterPki)
    .set({
      controlPlaneCiphertext: encryptSecret(
        JSON.stringify(await newControlPlane(clusterName)),
        controlPlaneContext(clusterId),
        encryptionKey,
      ),
    })
    .where(and(eq(clusterPki.clusterId, clusterId), isNull(clusterPki.controlPlaneCiphertext)));
  await db
    .update(clusterPki)
    .set(tokenColumns(clusterId, newBootstrapToken(new Date()), encryptionKey))
    .where(and(eq(clusterPki.clusterId, clusterId), isNull(clusterPki.bootstrapTokenCiphertext)));
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
  if (row && (!row.controlPlaneCiphertext || !row.bootstrapTokenCiphertext)) {
    await fillMissing(db, cluster.id, cluster.name, encryptionKey);
    [row] = await db.select().from(clusterPki).where(eq(clusterPki.clusterId, cluster.id));
  }
  if (!row?.controlPlaneCiphertext || !row.bootstrapTokenCiphertext || !row.bootstrapTokenExpiresAt)
    throw new Error(`cluster ${cluster.id} has no PKI row`);
  const ca = {
    certPem: row.caCertPem,
    keyPem: decryptSecret(row.caKeyCiphertext, caContext(cluster.id), encryptionKey),
  };
  const stored = JSON.parse(
    decryptSecret(row.controlPlaneCiphertext, controlPlaneContext(cluster.id), encryptionKey),
  ) as StoredControlPlane;
  return {
    ca,
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
    controlPlane: { ca, ...stored },
    bootstrapToken: readToken(
      {
        bootstrapTokenCiphertext: row.bootstrapTokenCiphertext,
        bootstrapTokenExpiresAt: row.bootstrapTokenExpiresAt,
      },
      cluster.id,
      encryptionKey,
    ),
    initializedAt: row.initializedAt,
  };
}

/**
 * A new bootstrap token when the current one has less than
 * BOOTSTRAP_TOKEN_RENEW_MS left. Compare-and-set on the old expiry: two
 * passes racing store one token. Returns the token to use now.
 */
export async function renewBootstrapToken(
  db: Executor,
  cluster: { id: string },
  current: BootstrapToken,
  encryptionKey: string,
  now = new Date(),
): Promise<{ token: BootstrapToken; renewed: boolean }> {
  if (current.expiresAt.getTime() - now.getTime() > BOOTSTRAP_TOKEN_RENEW_MS)
    return { token: current, renewed: false };
  const token = newBootstrapToken(now);
  const updated = await db
    .update(clusterPki)
    .set({ ...tokenColumns(cluster.id, token, encryptionKey), updatedAt: now })
    .where(
      and(eq(clusterPki.clusterId, cluster.id), eq(clusterPki.bootstrapTokenExpiresAt, current.expiresAt)),
    )
    .returning({ id: clusterPki.clusterId });
  if (updated.length) return { token, renewed: true };
  // Another pass renewed it first: use the stored one.
  const [row] = await db.select().from(clusterPki).where(eq(clusterPki.clusterId, cluster.id));
  if (!row?.bootstrapTokenCiphertext || !row.bootstrapTokenExpiresAt)
    throw new Error(`cluster ${cluster.id} has no bootstrap token`);
  return {
    token: readToken(
      {
        bootstrapTokenCiphertext: row.bootstrapTokenCiphertext,
        bootstrapTokenExpiresAt: row.bootstrapTokenExpiresAt,
      },
      cluster.id,
      encryptionKey,
    ),
    renewed: false,
  };
}

/** The control plane answered: from now on no master runs kubeadm init again. */
export async function markInitialized(db: Executor, clusterId: string, now = new Date()): Promise<void> {
  await db
    .update(clusterPki)
    .set({ initializedAt: now })
    .where(and(eq(clusterPki.clusterId, clusterId), isNull(clusterPki.initializedAt)));
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

// ── The cluster's Keystone application credential (cloud controller, Cinder CSI) ──

const cloudCredentialContext = (clusterId: string) => `cluster-cloud-credential:${clusterId}`;

export interface StoredCloudCredential {
  id: string;
  secret: string;
}

/** The application credential stored for a cluster, null when none is. */
export async function readCloudCredential(
  db: Executor,
  clusterId: string,
  encryptionKey: string,
): Promise<StoredCloudCredential | null> {
  const [row] = await db
    .select({ id: clusterPki.cloudCredentialId, ciphertext: clusterPki.cloudCredentialCiphertext })
    .from(clusterPki)
    .where(eq(clusterPki.clusterId, clusterId));
  if (!row?.id || !row.ciphertext) return null;
  return {
    id: row.id,
    secret: decryptSecret(row.ciphertext, cloudCredentialContext(clusterId), encryptionKey),
  };
}

/** Store (or clear, with null) the cluster's application credential. */
export async function writeCloudCredential(
  db: Executor,
  clusterId: string,
  credential: StoredCloudCredential | null,
  encryptionKey: string,
  now = new Date(),
): Promise<void> {
  await db
    .update(clusterPki)
    .set({
      cloudCredentialId: credential?.id ?? null,
      cloudCredentialCiphertext: credential
        ? encryptSecret(credential.secret, cloudCredentialContext(clusterId), encryptionKey)
        : null,
      updatedAt: now,
    })
    .where(eq(clusterPki.clusterId, clusterId));
}
