import { hash, verify } from "@node-rs/argon2";

/**
 * argon2id with OWASP's recommended floor (19 MiB, 2 passes, 1 lane):
 * ~25 ms per hash on this class of machine, slow enough against offline
 * guessing, fast enough for sign-in.
 */
// Argon2id is the library's default algorithm (its const enum can't be imported under isolatedModules);
// the PHC string starts with `$argon2id$`, which a test asserts.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/**
 * Spends the same time as a real verification, for sign-ins with an unknown
 * email, so response time does not tell which emails have accounts.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword("not-a-real-password-0");
  await verifyPassword(await dummy, password);
}
