import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";

/**
 * API token format: `kcp_` (personal) or `kcs_` (service account), 30
 * random base62 characters (≈178 bits) and a 6-character base62 CRC-32 of
 * them — a fixed shape and an offline-checkable checksum, so secret scanners
 * can recognise a leaked token with few false positives (GitHub's scheme).
 */
export const TOKEN_PREFIXES = { personal: "kcp_", service_account: "kcs_" } as const;
export type TokenKind = keyof typeof TOKEN_PREFIXES;

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY = 30;
const CHECK = 6;
/** How much of a token lists show: the scheme and the first 8 body characters. */
const SHOWN = 4 + 8;

export const TOKEN_PATTERN = /^kc[ps]_[0-9A-Za-z]{36}$/;

function base62(n: number, width: number): string {
  let out = "";
  let v = n;
  for (let i = 0; i < width; i++) {
    out = ALPHABET[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out;
}

function randomBody(): string {
  // Rejection sampling keeps every character uniform (256 is not a multiple of 62).
  let out = "";
  while (out.length < BODY) {
    for (const b of randomBytes(BODY * 2)) {
      if (b < 248 && out.length < BODY) out += ALPHABET[b % 62];
    }
  }
  return out;
}

const checksum = (body: string) => base62(crc32(body), CHECK);

export function generateToken(kind: TokenKind): { secret: string; prefix: string; hash: string } {
  const body = randomBody();
  const secret = `${TOKEN_PREFIXES[kind]}${body}${checksum(body)}`;
  return { secret, prefix: secret.slice(0, SHOWN), hash: hashToken(secret) };
}

/** SHA-256 hex: the only form a token is stored in. */
export function hashToken(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** The token's kind when it has the right shape and checksum, else null (no database lookup needed). */
export function parseToken(secret: string): TokenKind | null {
  if (!TOKEN_PATTERN.test(secret)) return null;
  const body = secret.slice(4, 4 + BODY);
  if (checksum(body) !== secret.slice(4 + BODY)) return null;
  return secret.startsWith(TOKEN_PREFIXES.personal) ? "personal" : "service_account";
}
