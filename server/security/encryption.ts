import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Secrets at rest: AES-256-GCM with a random 96-bit nonce per value.
 *
 * Stored form: `v1.<nonce>.<tag>.<ciphertext>` (base64url parts). The
 * `context` (e.g. `cloud-binding:<projectId>`) is bound as additional
 * authenticated data, so a ciphertext copied into another row does not
 * decrypt there.
 */
const VERSION = "v1";

function keyFrom(base64Key: string): Buffer {
  const key = Buffer.from(base64Key, "base64");
  if (key.length !== 32) throw new Error("encryption key must be 32 bytes");
  return key;
}

export function encryptSecret(plaintext: string, context: string, base64Key: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(base64Key), nonce);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    VERSION,
    nonce.toString("base64url"),
    tag.toString("base64url"),
    ciphertext.toString("base64url"),
  ].join(".");
}

export class DecryptionError extends Error {
  override name = "DecryptionError";
}

export function decryptSecret(stored: string, context: string, base64Key: string): string {
  const [version, nonce, tag, ciphertext] = stored.split(".");
  if (version !== VERSION || !nonce || !tag || ciphertext === undefined) {
    throw new DecryptionError("unrecognised secret format");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFrom(base64Key), Buffer.from(nonce, "base64url"));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    // Never echo the ciphertext or the key.
    throw new DecryptionError(
      "secret could not be decrypted (wrong CONSOLE_ENCRYPTION_KEY or tampered value)",
    );
  }
}

export function generateKey(): string {
  return randomBytes(32).toString("base64");
}
